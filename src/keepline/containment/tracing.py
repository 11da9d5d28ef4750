"""Contact tracing from access-control events: who shared a zone with a case, for how
long, within the case's infectious window.

The case's own intervals are merged per zone into a union (a person counted twice by
two gates must not double the exposure); each other event's overlap with that union is
then read off a cumulative-coverage function ``C(t)`` (seconds of case presence up to
``t``) as ``C(end) - C(start)`` with one ``searchsorted`` for all events. Zones are kept
apart by shifting each zone's times by ``zone × span``. Time: O((n + k) log k) for
``n`` events and ``k`` case intervals. A pairwise loop (``overlaps_naive`` in
``tests/containment/oracles.py``) is the independent reference used in tests and the
benchmark.

Exposure is cumulative per zone: a worker is a contact when the summed overlap in one
zone reaches the threshold (as in cumulative "15 minutes within a day" definitions).

Pure: numpy arrays in and out; times are integer seconds (UTC epoch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def merge_intervals(
    zone: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of intervals per zone: sorted, disjoint ``(zone, start, end)`` arrays."""
    keep = end > start
    zone, start, end = zone[keep], start[keep], end[keep]
    if zone.size == 0:
        return zone, start, end
    order = np.lexsort((start, zone))
    z, s, e = zone[order], start[order], end[order]
    # Running max of the end within a zone decides whether the next interval joins.
    out_z, out_s, out_e = [z[0]], [s[0]], [e[0]]
    for zi, si, ei in zip(z[1:].tolist(), s[1:].tolist(), e[1:].tolist(), strict=True):
        if zi == out_z[-1] and si <= out_e[-1]:
            if ei > out_e[-1]:
                out_e[-1] = ei
        else:
            out_z.append(zi)
            out_s.append(si)
            out_e.append(ei)
    return np.array(out_z), np.array(out_s, dtype=np.int64), np.array(out_e, dtype=np.int64)


def overlap_seconds(
    case_zone: np.ndarray,
    case_start: np.ndarray,
    case_end: np.ndarray,
    ev_zone: np.ndarray,
    ev_start: np.ndarray,
    ev_end: np.ndarray,
) -> np.ndarray:
    """Seconds each event overlaps the case's presence in the same zone."""
    n = ev_zone.size
    if n == 0 or case_zone.size == 0:
        return np.zeros(n, dtype=np.int64)
    cz, cs, ce = merge_intervals(
        np.asarray(case_zone, dtype=np.int64),
        np.asarray(case_start, dtype=np.int64),
        np.asarray(case_end, dtype=np.int64),
    )
    if cz.size == 0:
        return np.zeros(n, dtype=np.int64)
    ev_start = np.asarray(ev_start, dtype=np.int64)
    ev_end = np.asarray(ev_end, dtype=np.int64)
    ev_zone = np.asarray(ev_zone, dtype=np.int64)
    t0 = min(int(cs.min()), int(ev_start.min()))
    span = max(int(ce.max()), int(ev_end.max())) - t0 + 1
    # Shift zones apart on one time axis; the shifted case intervals stay sorted.
    shift_c = cz * span - t0
    s_all, e_all = cs + shift_c, ce + shift_c
    length = e_all - s_all
    cum = np.concatenate(([0], np.cumsum(length)))

    def coverage(t: np.ndarray) -> np.ndarray:
        i = np.searchsorted(s_all, t, side="right") - 1
        safe = np.maximum(i, 0)
        inside = np.clip(t - s_all[safe], 0, length[safe])
        return np.where(i >= 0, cum[safe] + inside, 0)

    shift_e = ev_zone * span - t0
    lo = np.minimum(ev_start, ev_end) + shift_e
    hi = ev_end + shift_e
    return np.maximum(coverage(hi) - coverage(lo), 0)


@dataclass(frozen=True)
class ZoneExposure:
    worker: int  # index into the caller's worker list
    zone: int
    seconds: int
    first_start: int  # start of the first overlapping event
    events: int  # overlapping events


def exposures(
    case_zone: np.ndarray,
    case_start: np.ndarray,
    case_end: np.ndarray,
    ev_worker: np.ndarray,
    ev_zone: np.ndarray,
    ev_start: np.ndarray,
    ev_end: np.ndarray,
    min_seconds: int,
) -> list[ZoneExposure]:
    """Workers whose summed overlap with the case in one zone is ≥ ``min_seconds``,
    most exposed first."""
    ov = overlap_seconds(case_zone, case_start, case_end, ev_zone, ev_start, ev_end)
    hit = ov > 0
    if not hit.any():
        return []
    w = np.asarray(ev_worker, dtype=np.int64)[hit]
    z = np.asarray(ev_zone, dtype=np.int64)[hit]
    s = np.asarray(ev_start, dtype=np.int64)[hit]
    o = ov[hit]
    nz = int(z.max()) + 1
    key = w * nz + z
    uniq, inv = np.unique(key, return_inverse=True)
    total = np.bincount(inv, weights=o).astype(np.int64)
    count = np.bincount(inv)
    first = np.full(uniq.size, np.iinfo(np.int64).max)
    np.minimum.at(first, inv, s)
    sel = np.nonzero(total >= min_seconds)[0]
    out = [
        ZoneExposure(
            int(uniq[i] // nz), int(uniq[i] % nz), int(total[i]), int(first[i]), int(count[i])
        )
        for i in sel
    ]
    out.sort(key=lambda x: (-x.seconds, x.worker, x.zone))
    return out
