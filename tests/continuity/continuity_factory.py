"""Tiny plants for the continuity tests, built from plain dicts."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from keepline.plant.schema import PlantFile

START = dt.date(2026, 1, 1)


def day(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()


def tiny_plant(
    *,
    rate: float = 10,
    crew: int = 5,
    workers: int = 5,
    materials: list[dict[str, Any]] | None = None,
    bom: dict[str, float] | None = None,
    orders: list[dict[str, Any]] | None = None,
    suppliers: list[dict[str, Any]] | None = None,
    lanes: list[dict[str, Any]] | None = None,
) -> PlantFile:
    """One zone, one shift, one line making product 'widget'."""
    materials = (
        materials
        if materials is not None
        else [{"id": "steel", "name": "Steel", "kind": "raw", "unit": "kg", "on_hand": 1000}]
    )
    return PlantFile.model_validate(
        {
            "enterprise": {
                "id": "tiny",
                "name": "Tiny works",
                "region_code": "320300",
                "sector": "test",
                "jurisdiction": "test",
            },
            "horizon_start": START.isoformat(),
            "zones": [{"id": "hall", "name": "Hall", "kind": "production", "capacity_people": 50}],
            "shifts": [{"id": "day", "start": "08:00", "end": "20:00"}],
            "teams": [
                {
                    "id": "t1",
                    "zone": "hall",
                    "shift": "day",
                    "headcount": workers,
                    "skills": ["assembler"],
                }
            ],
            "lines": [
                {
                    "id": "line-1",
                    "zone": "hall",
                    "crew_per_shift": {"assembler": crew},
                    "rates_units_per_day": {"widget": rate},
                }
            ],
            "products": [{"id": "widget", "name": "Widget", "bom": bom or {"steel": 1}}],
            "materials": materials,
            "suppliers": suppliers or [],
            "lanes": lanes or [],
            "orders": orders or [],
        }
    )


def order(
    oid: str,
    qty: float,
    due: int,
    priority: str = "standard",
    penalty: float = 1,
    product: str = "widget",
) -> dict[str, Any]:
    return {
        "id": oid,
        "customer": "c",
        "product": product,
        "qty": qty,
        "due": day(due),
        "priority": priority,
        "penalty_per_unit_day": penalty,
    }


def random_plant(seed: int) -> tuple[PlantFile, dict[str, Any]]:
    """A small random plant (2 zones, 2 shifts, up to 3 lines, 3 products, 3 materials,
    backups, orders of every class) and a random disruption scenario as a dict."""
    rng = random.Random(seed)
    zones = ["za", "zb"]
    shifts = ["day", "night"]
    skills = ["asm", "qc"]
    teams = []
    for z in zones:
        for s in shifts:
            for k in skills:
                teams.append(
                    {
                        "id": f"{z}-{s}-{k}",
                        "zone": z,
                        "shift": s,
                        "headcount": rng.randint(0, 12),
                        "skills": [k],
                    }
                )
    products = ["p1", "p2", "p3"]
    mats = ["m1", "m2", "m3"]
    lines = []
    for i in range(rng.randint(1, 3)):
        makes = rng.sample(products, rng.randint(1, 3))
        lines.append(
            {
                "id": f"l{i}",
                "zone": rng.choice(zones),
                "shifts": rng.sample(shifts, rng.randint(1, 2)),
                "crew_per_shift": {
                    k: rng.randint(1, 6) for k in rng.sample(skills, rng.randint(1, 2))
                },
                "rates_units_per_day": {p: rng.randint(3, 30) for p in makes},
            }
        )
    made = sorted({p for ln in lines for p in ln["rates_units_per_day"]})
    regions = ["110000", "120000", "130000"]
    suppliers = [{"id": f"s{i}", "name": f"S{i}", "region_code": regions[i % 3]} for i in range(4)]
    lanes = [
        {"id": f"lane{i}", "from_region": r, "transit_days": rng.randint(0, 3)}
        for i, r in enumerate(regions)
    ]
    materials = []
    for m in mats:
        opts = [
            {
                "supplier": rng.choice(suppliers)["id"],
                "priority": 1,
                "lead_time_days": rng.randint(0, 4),
                "capacity_per_day": rng.randint(5, 60),
                "unit_cost": rng.randint(1, 9),
                "min_order": rng.choice([0, 0, 20]),
            }
        ]
        if rng.random() < 0.6:
            opts.append(
                {
                    "supplier": rng.choice(suppliers)["id"],
                    "priority": 2,
                    "lead_time_days": rng.randint(0, 3),
                    "capacity_per_day": rng.randint(5, 40),
                    "unit_cost": rng.randint(5, 15),
                    "activation_days": rng.randint(1, 6),
                    "activation_cost": rng.choice([0, 500]),
                }
            )
        materials.append(
            {
                "id": m,
                "name": m,
                "kind": "raw",
                "unit": "pcs",
                "on_hand": rng.randint(0, 200),
                "supply_options": opts,
            }
        )
    boms = {
        p: {m: rng.choice([1, 1, 2, 0.5]) for m in rng.sample(mats, rng.randint(1, 3))}
        for p in products
    }
    orders = [
        order(
            f"o{i}",
            rng.randint(5, 120),
            rng.randint(0, 24),
            rng.choice(["front-line", "livelihood", "standard"]),
            rng.randint(1, 20),
            rng.choice(made),
        )
        for i in range(rng.randint(1, 7))
    ]
    plant = PlantFile.model_validate(
        {
            "enterprise": {
                "id": "rnd",
                "name": "Random",
                "region_code": "320300",
                "sector": "test",
                "jurisdiction": "test",
            },
            "horizon_start": START.isoformat(),
            "zones": [
                {"id": z, "name": z, "kind": "production", "capacity_people": 99} for z in zones
            ],
            "shifts": [
                {"id": "day", "start": "08:00", "end": "20:00"},
                {"id": "night", "start": "20:00", "end": "08:00"},
            ],
            "teams": teams,
            "lines": lines,
            "products": [{"id": p, "name": p, "bom": boms[p]} for p in products],
            "materials": materials,
            "suppliers": suppliers,
            "lanes": lanes,
            "orders": orders,
        }
    )
    kinds = [
        ("supplier", [s["id"] for s in suppliers]),
        ("region", regions),
        ("lane", [ln["id"] for ln in lanes]),
        ("zone", zones),
        ("line", [ln["id"] for ln in lines]),
    ]
    disruptions = []
    for _ in range(rng.randint(0, 3)):
        kind, ids = rng.choice(kinds)
        disruptions.append(
            {
                "kind": kind,
                "id": rng.choice(ids),
                "start_day": rng.randint(0, 15),
                "days": rng.randint(1, 10),
            }
        )
    scenario = {
        "name": f"random {seed}",
        "disruptions": disruptions,
        "transit_delays": [
            {
                "region": rng.choice(regions),
                "start_day": rng.randint(0, 10),
                "days": rng.randint(1, 8),
                "extra_days": rng.randint(1, 3),
            }
        ]
        if rng.random() < 0.5
        else [],
    }
    return plant, scenario
