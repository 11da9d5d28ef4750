"""A tiny plant and plan builders for the plans tests (worked by hand in each test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.plans import schema as s
from keepline.plant.schema import PlantFile
from keepline.plant.yamlio import parse_yaml

DAY = dt.date(2026, 12, 10)

TINY_PLANT = """\
keepline_plant: 1
enterprise: {id: tiny, name: Tiny Works, region_code: '410100', sector: meters,
             jurisdiction: tiny-gov}
horizon_start: 2026-12-01
zones:
  - {id: a, name: Zone A, kind: production, capacity_people: 50}
  - {id: b, name: Zone B, kind: production, capacity_people: 50}
  - {id: c, name: Zone C, kind: warehouse, capacity_people: 20}
shifts:
  - {id: day, start: '08:00', end: '20:00'}
  - {id: night, start: '20:00', end: '08:00'}
teams:
  - {id: t-a, zone: a, shift: day, headcount: 20, skills: [assembler]}
  - {id: t-b, zone: b, shift: night, headcount: 20, skills: [assembler]}
lines:
  - {id: line-1, zone: a, crew_per_shift: {assembler: 10}, rates_units_per_day: {meter: 100}}
products:
  - {id: meter, name: Meter, bom: {chip: 1}}
materials:
  - id: chip
    name: Chip
    kind: raw
    unit: pcs
    on_hand: 1000
    supply_options:
      - {supplier: sup-sz, priority: 1, lead_time_days: 5, capacity_per_day: 100, unit_cost: 1}
      - {supplier: sup-xa, priority: 2, lead_time_days: 6, capacity_per_day: 50, unit_cost: 2}
  - id: swab
    name: Swab
    kind: prevention
    unit: pcs
    on_hand: 500
    consumption_per_test: 1
    supply_options:
      - {supplier: sup-local, priority: 1, lead_time_days: 1, capacity_per_day: 100, unit_cost: 1}
  - id: mask
    name: Mask
    kind: prevention
    unit: pcs
    on_hand: 500
    consumption_per_worker_day: 2
suppliers:
  - {id: sup-sz, name: Shenzhen chips, region_code: '440300'}
  - {id: sup-xa, name: Xi'an chips, region_code: '610100'}
  - {id: sup-local, name: Local medical, region_code: '410100'}
lanes:
  - {id: lane-sz, from_region: '440300', transit_days: 3}
  - {id: lane-xa, from_region: '610100', transit_days: 2}
"""

ALL_ACTIONS = [k.value for k in s.ActionKind]


def tiny_plant() -> PlantFile:
    return parse_yaml(TINY_PLANT, "tiny.yaml")


def plan_of(*rules: dict[str, Any]) -> s.PlanFile:
    """A plan for the tiny plant with one level that allows every action."""
    return s.PlanFile.model_validate(
        {
            "id": "p",
            "enterprise": "tiny",
            "version": 1,
            "name": "Test plan",
            "levels": [{"id": "red", "name": "Red", "allows": ALL_ACTIONS}],
            "rules": [
                {"name": r.get("id", f"r{i}"), "level": "red", **r}
                | ({"id": f"r{i}"} if "id" not in r else {})
                | ({"actions": [{"do": "replan"}]} if "actions" not in r else {})
                for i, r in enumerate(rules)
            ],
        }
    )


def one_rule(when: dict[str, Any], actions: list[dict[str, Any]] | None = None) -> s.PlanFile:
    rule: dict[str, Any] = {"id": "r", "when": when}
    if actions is not None:
        rule["actions"] = actions
    return plan_of(rule)
