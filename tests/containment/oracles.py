"""Test oracles of containment: slow, obvious reference implementations the engines are
checked against (also used by ``bench/screening_bench.py``)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def overlaps_naive(
    case: Sequence[tuple[Hashable, int, int]], events: Sequence[tuple[Hashable, int, int]]
) -> list[int]:
    """Reference: each event's overlap with the union of the case's intervals in its
    zone, by clipping every case interval to the event and merging (a double loop).
    Zones are compared for equality only: ids or names."""
    out = []
    for ez, es, ee in events:
        pieces = sorted((max(s, es), min(e, ee)) for z, s, e in case if z == ez)
        total, cur_s, cur_e = 0, None, None
        for s, e in pieces:
            if e <= s:
                continue
            if cur_e is None or s > cur_e:
                if cur_e is not None:
                    total += cur_e - cur_s
                cur_s, cur_e = s, e
            else:
                cur_e = max(cur_e, e)
        if cur_e is not None:
            total += cur_e - cur_s
        out.append(total)
    return out
