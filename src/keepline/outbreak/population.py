"""Agents and mixing groups made from a plant file.

Every team expands into ``headcount`` workers who share its zone, shift, skills and
housing. Workers are ordered by (zone, shift, team), so a team and a zone × shift are
each a contiguous block of agents — the engine quarantines and counts by slicing.

Mixing is by groups, one grouping per setting; every grouping is a property of the team:

* ``team``: the team itself;
* ``zone_shift``: everyone of the team's zone on its shift;
* ``canteen``: everyone on the shift (or, with staggered meals, the zone × shift);
* ``dorm_room``: residents of one dormitory from one team (room groups);
* ``dorm_building``: all residents of one dormitory;
* community (outside the plant) is not a group: it is a force of infection from the
  city's prevalence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keepline.plant.schema import COMMUTER, PlantFile
from keepline.workforce import plant_axes

SETTINGS = ("team", "zone_shift", "canteen", "dorm_room", "dorm_building", "community", "import")
WORK_SETTINGS = ("team", "zone_shift", "canteen")
DORM_SETTINGS = ("dorm_room", "dorm_building")


@dataclass(frozen=True)
class Population:
    zones: tuple[str, ...]
    shifts: tuple[str, ...]
    skills: tuple[str, ...]
    team_ids: tuple[str, ...]  # in agent order
    team_zone: np.ndarray  # (T,) zone index
    team_shift: np.ndarray  # (T,) shift index
    team_dorm: np.ndarray  # (T,) dormitory index, -1 for commuters
    team_size: np.ndarray  # (T,) headcount
    team_start: np.ndarray  # (T,) first agent of each team
    team_skills: np.ndarray  # (T, K) bool
    dorms: tuple[str, ...]

    @property
    def n(self) -> int:
        return int(self.team_size.sum())

    @property
    def n_teams(self) -> int:
        return len(self.team_ids)

    @property
    def agent_team(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_teams), self.team_size)

    def groups(self, setting: str, staggered_canteen: bool = False) -> np.ndarray:
        """Group id per team for a setting (-1: the team is not in that setting)."""
        zs = self.team_zone * len(self.shifts) + self.team_shift
        if setting == "team":
            return np.arange(self.n_teams)
        if setting == "zone_shift":
            return zs
        if setting == "canteen":
            return zs if staggered_canteen else self.team_shift.copy()
        if setting == "dorm_room":
            return np.where(self.team_dorm >= 0, np.arange(self.n_teams), -1)
        if setting == "dorm_building":
            return self.team_dorm.copy()
        raise ValueError(setting)

    def group_sizes(self, team_groups: np.ndarray) -> np.ndarray:
        """Agents per group id (index = group id)."""
        ok = team_groups >= 0
        size = int(team_groups.max()) + 1 if ok.any() else 0
        return np.bincount(team_groups[ok], weights=self.team_size[ok], minlength=size)

    def zone_mask(self, zone_ids: tuple[int, ...] | None) -> np.ndarray:
        """(N,) bool: agents working in any of the zones (all when None)."""
        if zone_ids is None:
            return np.ones(self.n, dtype=bool)
        return np.isin(self.team_zone, zone_ids)[self.agent_team]

    def team_to_zss(self) -> np.ndarray:
        """(T, Z*S*K) 0/1 matrix: how one present team member counts in the workforce."""
        z, s, k = len(self.zones), len(self.shifts), len(self.skills)
        out = np.zeros((self.n_teams, z, s, k))
        for t in range(self.n_teams):
            out[t, self.team_zone[t], self.team_shift[t]] = self.team_skills[t]
        return out.reshape(self.n_teams, z * s * k)


def from_plant(plant: PlantFile) -> Population:
    zones, shifts, skills = plant_axes(plant)
    dorms = tuple(sorted({t.housing for t in plant.teams if t.housing != COMMUTER}))
    teams = [t for t in plant.teams if t.headcount > 0]
    order = sorted(
        range(len(teams)),
        key=lambda i: (zones.index(teams[i].zone), shifts.index(teams[i].shift), i),
    )
    teams = [teams[i] for i in order]
    size = np.array([t.headcount for t in teams], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    sk = np.zeros((len(teams), len(skills)), dtype=bool)
    for i, t in enumerate(teams):
        for k in t.skills:
            sk[i, skills.index(k)] = True
    return Population(
        zones=zones,
        shifts=shifts,
        skills=skills,
        team_ids=tuple(t.id for t in teams),
        team_zone=np.array([zones.index(t.zone) for t in teams], dtype=np.int64),
        team_shift=np.array([shifts.index(t.shift) for t in teams], dtype=np.int64),
        team_dorm=np.array(
            [dorms.index(t.housing) if t.housing != COMMUTER else -1 for t in teams],
            dtype=np.int64,
        ),
        team_size=size,
        team_start=start,
        team_skills=sk,
        dorms=dorms,
    )
