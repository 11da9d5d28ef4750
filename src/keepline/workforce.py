"""Workers available per day × zone × shift × skill: what the outbreak engine and the
daily record produce, and what the continuity planner consumes.

A worker with several skills counts once under each of them; the planner reads the
skill columns a line needs, so a worker is never used twice on one line-shift, but two
lines of one zone can compete for the same multi-skilled people (documented limit).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keepline.clock import parse_date
from keepline.errors import InputError, quote
from keepline.plant.schema import COMMUTER, PlantFile


@dataclass(frozen=True)
class Workforce:
    """``available[d, z, s, k]``: workers on day ``d`` (0 = horizon start) in zone
    ``zones[z]`` on shift ``shifts[s]`` with skill ``skills[k]``."""

    zones: tuple[str, ...]
    shifts: tuple[str, ...]
    skills: tuple[str, ...]
    available: np.ndarray  # float64, shape (days, zones, shifts, skills)

    @property
    def days(self) -> int:
        return int(self.available.shape[0])

    def index(self, zone: str, shift: str, skill: str) -> tuple[int, int, int]:
        return self.zones.index(zone), self.shifts.index(shift), self.skills.index(skill)


def plant_axes(plant: PlantFile) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    zones = tuple(z.id for z in plant.zones)
    shifts = tuple(s.id for s in plant.shifts)
    skills = tuple(sorted({k for t in plant.teams for k in t.skills}))
    return zones, shifts, skills


def planned_headcount(plant: PlantFile) -> np.ndarray:
    """Planned workers per zone × shift × skill, shape (zones, shifts, skills)."""
    zones, shifts, skills = plant_axes(plant)
    out = np.zeros((len(zones), len(shifts), len(skills)))
    for t in plant.teams:
        z, s = zones.index(t.zone), shifts.index(t.shift)
        for k in t.skills:
            out[z, s, skills.index(k)] += t.headcount
    return out


def full_workforce(plant: PlantFile, days: int) -> Workforce:
    """Everyone available every day: the planner's default."""
    zones, shifts, skills = plant_axes(plant)
    base = planned_headcount(plant)
    return Workforce(zones, shifts, skills, np.broadcast_to(base, (days, *base.shape)).copy())


def site_workforce(plant: PlantFile, commuters_blocked: np.ndarray) -> Workforce:
    """Everyone available, but for commuters on the days they cannot come to the plant
    (a control area: ``Scenario.commuters_blocked``); dormitory residents keep working.
    No outbreak: what a scenario's own restrictions leave."""
    wf = full_workforce(plant, len(commuters_blocked))
    zones, shifts, skills = plant_axes(plant)
    commuting = np.zeros(wf.available.shape[1:])
    for t in plant.teams:
        if t.housing == COMMUTER:
            z, s = zones.index(t.zone), shifts.index(t.shift)
            for k in t.skills:
                commuting[z, s, skills.index(k)] += t.headcount
    wf.available[np.asarray(commuters_blocked, dtype=bool)] -= commuting
    return wf


CSV_COLUMNS = ("date", "zone", "shift", "skill", "available")


def to_csv(wf: Workforce, start: dt.date) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for d in range(wf.days):
        day = (start + dt.timedelta(days=d)).isoformat()
        for z, zone in enumerate(wf.zones):
            for s, shift in enumerate(wf.shifts):
                for k, skill in enumerate(wf.skills):
                    w.writerow((day, zone, shift, skill, f"{wf.available[d, z, s, k]:g}"))
    return buf.getvalue()


def from_csv(path: Path, plant: PlantFile, days: int) -> Workforce:
    """Read a workforce CSV (columns date, zone, shift, skill, available).

    Rows not given keep the planned headcount, so a file may list only the reductions.
    """
    wf = full_workforce(plant, days)
    start = plant.horizon_start
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{path}: not UTF-8 text"]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            [
                f"{path}:1: missing column(s) {', '.join(missing)} "
                f"(expected {', '.join(CSV_COLUMNS)})"
            ]
        )
    problems = []
    for n, row in enumerate(reader, start=2):
        try:
            day = (parse_date(row["date"]) - start).days
        except ValueError as exc:
            problems.append(f"{path}:{n} date: {exc}")
            continue
        for col, axis in (("zone", wf.zones), ("shift", wf.shifts), ("skill", wf.skills)):
            if row[col] not in axis:
                problems.append(
                    f"{path}:{n} {col}: unknown {col} '{row[col]}' (known: {', '.join(axis)})"
                )
        try:
            value = float(row["available"])
            if not np.isfinite(value) or value < 0:
                raise ValueError
        except ValueError:
            problems.append(
                f"{path}:{n} available: expected a number ≥ 0, got {quote(row['available'])}"
            )
            continue
        if problems or not 0 <= day < days:
            continue
        z, s, k = wf.index(row["zone"], row["shift"], row["skill"])
        wf.available[day, z, s, k] = value
    if problems:
        raise InputError(problems)
    return wf
