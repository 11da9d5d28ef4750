"""Small populations for the outbreak tests."""

from __future__ import annotations

import datetime as dt

import numpy as np

from keepline.outbreak.engine import World
from keepline.outbreak.population import Population, from_plant
from keepline.plant.schema import PlantFile


def plant(
    zones: int = 1, teams_per_zone: int = 1, team_size: int = 100, dorm_every: int = 0
) -> PlantFile:
    """``zones`` production zones, one shift, teams of ``team_size``; every
    ``dorm_every``-th team lives in one dormitory (0: all commuters)."""
    zs = [
        {"id": f"z{z}", "name": f"Zone {z}", "kind": "production", "capacity_people": 10**6}
        for z in range(zones)
    ]
    zs.append({"id": "dorm", "name": "Dorm", "kind": "dormitory", "capacity_people": 10**6})
    teams = []
    for z in range(zones):
        for i in range(teams_per_zone):
            n = len(teams)
            dorm = dorm_every and n % dorm_every == 0
            teams.append(
                {
                    "id": f"t{z}-{i}",
                    "zone": f"z{z}",
                    "shift": "day",
                    "headcount": team_size,
                    "skills": [f"s{z}"],
                    "housing": "dorm" if dorm else "commuter",
                }
            )
    return PlantFile.model_validate(
        {
            "enterprise": {
                "id": "test",
                "name": "Test plant",
                "region_code": "320300",
                "sector": "test",
                "jurisdiction": "none",
            },
            "horizon_start": dt.date(2026, 12, 1),
            "zones": zs,
            "shifts": [{"id": "day", "start": "08:00", "end": "20:00"}],
            "teams": teams,
        }
    )


def population(**kw: int) -> Population:
    return from_plant(plant(**kw))


def world(pop: Population, days: int, imports: tuple = (), prevalence: float = 0.0) -> World:
    return World(
        np.full(days, prevalence),
        np.zeros(days, bool),
        np.zeros((days, len(pop.zones)), bool),
        tuple(imports),
    )
