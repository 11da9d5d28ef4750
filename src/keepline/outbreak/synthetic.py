"""A plant of any size with the reference plants' shape, for benchmarks and tests.

Production zones of about 500 workers on two shifts, teams of 50, 40 % of the teams in
two dormitories, plus a canteen zone; skills one per production zone.
"""

from __future__ import annotations

import datetime as dt

from keepline.plant.schema import PlantFile


def synthetic_plant(workers: int, team_size: int = 50, zone_size: int = 500) -> PlantFile:
    n_teams = max(1, round(workers / team_size))
    n_zones = max(1, round(workers / zone_size))
    zones = [
        {
            "id": f"zone-{z:03d}",
            "name": f"Zone {z}",
            "kind": "production",
            "capacity_people": zone_size,
        }
        for z in range(n_zones)
    ]
    zones += [
        {"id": "dorm-a", "name": "Dormitory A", "kind": "dormitory", "capacity_people": workers},
        {"id": "dorm-b", "name": "Dormitory B", "kind": "dormitory", "capacity_people": workers},
    ]
    teams = []
    left = workers
    for i in range(n_teams):
        size = left if i == n_teams - 1 else min(team_size, left)
        left -= size
        housing = ("dorm-a", "dorm-b")[i % 2] if i % 5 < 2 else "commuter"
        teams.append(
            {
                "id": f"team-{i:05d}",
                "zone": f"zone-{(i // 2) % n_zones:03d}",
                "shift": ("day", "night")[i % 2],
                "headcount": size,
                "skills": [f"skill-{(i // 2) % n_zones:03d}"],
                "housing": housing,
            }
        )
    return PlantFile.model_validate(
        {
            "enterprise": {
                "id": f"synthetic-{workers}",
                "name": f"Synthetic plant of {workers} workers",
                "region_code": "320300",
                "sector": "benchmark",
                "jurisdiction": "none",
            },
            "horizon_start": dt.date(2026, 12, 1),
            "zones": zones,
            "shifts": [
                {"id": "day", "start": "08:00", "end": "20:00"},
                {"id": "night", "start": "20:00", "end": "08:00"},
            ],
            "teams": teams,
        }
    )
