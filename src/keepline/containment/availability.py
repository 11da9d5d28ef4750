"""Workers available per day × zone × shift × skill, from the daily record.

A worker counts on a day when :func:`keepline.fitness.fitness` (the one rule of who may
work: not isolated, quarantined, held by a declaration, or in a locked zone) lets them,
under each of their skills; :func:`headcount` counts each worker once. The result is a
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


def present(roster: Roster, may_work: np.ndarray) -> np.ndarray:
    """Bool (n, days): the worker is at work: :func:`keepline.fitness.fitness` lets them
    work and they are in the plant model's zones and shifts (others are never counted)."""
    counted = (roster.zone >= 0) & (roster.shift >= 0)
    return may_work & counted[:, None]


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


def headcount(
    zones: tuple[str, ...], shifts: tuple[str, ...], roster: Roster, at_work: np.ndarray
) -> np.ndarray:
    """Workers ``at_work`` per day × zone × shift, each counted once whatever their
    skills: float (days, zones, shifts). Summed over zones and shifts it is everyone at
    work that day (the skill columns of a :class:`Workforce` count a worker once per
    skill, so they do not add up to people)."""
    n, days = at_work.shape
    ns = len(shifts)
    out = np.zeros((len(zones) * ns, days))
    if n:
        counted = (roster.zone >= 0) & (roster.shift >= 0)
        group = np.maximum(roster.zone, 0) * ns + np.maximum(roster.shift, 0)
        np.add.at(out, group[counted], at_work[counted].astype(np.float64))
    return out.reshape(len(zones), ns, days).transpose(2, 0, 1).copy()
