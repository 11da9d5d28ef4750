"""Workers available per day × zone × shift × skill, from the daily record.

A worker counts on a day unless they are isolated or quarantined that day, not cleared
by their health declaration, or their zone is locked or being disinfected — except that
a zone locked as a *closed loop* keeps its dormitory-housed workers (they live and work
inside the loop) and loses only its commuters. The result is a
:class:`keepline.workforce.Workforce`, the same shape the outbreak engine produces, so
the planner takes either.

Pure: numpy arrays in, a Workforce out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keepline.workforce import Workforce


@dataclass(frozen=True)
class Roster:
    """The roster as arrays over ``n`` workers; ``zone``/``shift`` index the axes
    (-1: not in the plant model, never counted)."""

    zone: np.ndarray  # int (n,)
    shift: np.ndarray  # int (n,)
    skills: np.ndarray  # bool (n, K)
    in_dormitory: np.ndarray  # bool (n,)


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


def present(
    roster: Roster, unavailable: np.ndarray, zone_closed: np.ndarray, closed_loop: np.ndarray
) -> np.ndarray:
    """Bool (n, days): the worker is at work. ``unavailable`` bool (n, days);
    ``zone_closed`` and ``closed_loop`` bool (days, zones): a closed zone's workers are
    away unless the zone runs a closed loop that day and they live in a dormitory.
    Workers outside the plant model's zones and shifts are never present."""
    counted = (roster.zone >= 0) & (roster.shift >= 0)
    zi = np.where(counted, roster.zone, 0)
    closed = zone_closed[:, zi].T  # (n, days)
    loop_ok = closed_loop[:, zi].T & roster.in_dormitory[:, None]
    return ~unavailable & ~(closed & ~loop_ok) & counted[:, None]


def availability(
    zones: tuple[str, ...],
    shifts: tuple[str, ...],
    skills: tuple[str, ...],
    roster: Roster,
    at_work: np.ndarray,
) -> Workforce:
    """Count the workers ``at_work`` (bool (n, days), from :func:`present`) per day ×
    zone × shift × skill; a worker counts once under each of their skills."""
    n, days = at_work.shape
    nz, ns, nk = len(zones), len(shifts), len(skills)
    out = np.zeros((nz * ns, days, nk))
    if n:
        group = np.maximum(roster.zone, 0) * ns + np.maximum(roster.shift, 0)
        contrib = at_work[:, :, None] & roster.skills[:, None, :]  # (n, days, K)
        np.add.at(out, group, contrib.astype(np.float64))
    available = out.reshape(nz, ns, days, nk).transpose(2, 0, 1, 3).copy()
    return Workforce(zones, shifts, skills, available)
