"""May a worker work on a day? The one rule, over the daily record's facts.

A worker may not work on a day when, that day, they are

- ``isolated`` (a case, a positive pool, a suspected infection),
- ``quarantined`` (a close contact, a locked zone's people),
- ``not_cleared``: a health declaration flagged them (fever ≥ 37.3 °C, a symptom, a
  yellow or red code, risk travel) and no health officer has cleared them yet, or
- ``zone_locked``: their zone is locked or being disinfected, unless it is locked as a
  *closed loop* and they live in a dormitory (they live and work inside the loop).

Each is a reason code; a worker may work when there is none. The roster's ``cleared``,
``keepline availability`` (and the planner's workforce), and screening rounds (who is
pooled) all ask this module, so they cannot disagree.

A missing declaration is not a reason: the roster lists who has not declared
(``/declarations/missing``), and a plant that requires a declaration before work
enforces it at the gate.

Pure: plain data and numpy arrays in, a :class:`Fitness` out (no database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Reason(StrEnum):
    """Why a worker may not work on a day (in the order they are listed)."""

    isolated = "isolated"
    quarantined = "quarantined"
    not_cleared = "not_cleared"
    zone_locked = "zone_locked"


BIT = {r: np.uint8(1 << i) for i, r in enumerate(Reason)}


@dataclass(frozen=True)
class Away:
    """Worker ``worker`` (an index into the roster) may not work, for ``reason``, on
    ``first``..``last`` inclusive (``last`` None: still open)."""

    worker: int
    reason: Reason
    first: dt.date
    last: dt.date | None


@dataclass(frozen=True)
class Fitness:
    """``reasons[i, d]``: the bits (:data:`BIT`) of why worker ``i`` may not work on day
    ``start + d``; 0 means they may."""

    start: dt.date
    reasons: np.ndarray  # uint8 (n, days)

    @property
    def may_work(self) -> np.ndarray:
        """Bool (n, days)."""
        return self.reasons == 0

    def reasons_of(self, worker: int, day: int = 0) -> list[Reason]:
        bits = int(self.reasons[worker, day])
        return [r for r in Reason if bits & int(BIT[r])]


def day_ranges(
    n: int, days: int, worker: np.ndarray, first: np.ndarray, last: np.ndarray
) -> np.ndarray:
    """Bool (n, days): True on ``first[i]..last[i]`` (inclusive, clipped to the horizon)
    of ``worker[i]``, for every range ``i``."""
    worker = np.asarray(worker, dtype=np.int64)
    lo = np.clip(np.asarray(first, dtype=np.int64), 0, days)
    hi = np.clip(np.asarray(last, dtype=np.int64) + 1, 0, days)
    ok = hi > lo
    diff = np.zeros((n, days + 1), dtype=np.int64)
    np.add.at(diff, (worker[ok], lo[ok]), 1)
    np.add.at(diff, (worker[ok], hi[ok]), -1)
    return np.cumsum(diff[:, :days], axis=1) > 0


def fitness(
    start: dt.date,
    days: int,
    zone: np.ndarray,
    in_dormitory: np.ndarray,
    away: Sequence[Away],
    zone_closed: np.ndarray,
    closed_loop: np.ndarray,
) -> Fitness:
    """Whether each of ``n`` workers may work on each of ``days`` days from ``start``.

    ``zone`` int (n,) indexes the zone axis of ``zone_closed`` and ``closed_loop``
    (bool (days, zones)); -1 is a zone outside the plant model, never locked here.
    ``in_dormitory`` bool (n,). ``away``: the isolations, quarantines and uncleared
    declarations as date spans."""
    zone = np.asarray(zone, dtype=np.int64)
    n = len(zone)
    reasons = np.zeros((n, days), dtype=np.uint8)
    for reason in (Reason.isolated, Reason.quarantined, Reason.not_cleared):
        spans = [a for a in away if a.reason is reason]
        if not spans:
            continue
        mask = day_ranges(
            n,
            days,
            np.array([a.worker for a in spans]),
            np.array([(a.first - start).days for a in spans]),
            np.array([(a.last - start).days if a.last else days for a in spans]),
        )
        reasons |= np.where(mask, BIT[reason], np.uint8(0))
    if n and zone_closed.size:
        known = zone >= 0
        zi = np.where(known, zone, 0)
        closed = zone_closed[:, zi].T & known[:, None]  # (n, days)
        loop_ok = closed_loop[:, zi].T & np.asarray(in_dormitory, dtype=bool)[:, None]
        reasons |= np.where(closed & ~loop_ok, BIT[Reason.zone_locked], np.uint8(0))
    return Fitness(start, reasons)


def clearance_span(
    worker: int, cleared: bool, flagged_on: dt.date | None, cleared_on: dt.date | None
) -> Away | None:
    """The days a declaration's flag kept a worker from work: from the day flagged to
    the day before a health officer cleared them (still open if not cleared)."""
    if flagged_on is None:
        return None
    if not cleared:
        return Away(worker, Reason.not_cleared, flagged_on, None)
    if cleared_on is None or cleared_on <= flagged_on:
        return None
    return Away(worker, Reason.not_cleared, flagged_on, cleared_on - dt.timedelta(days=1))
