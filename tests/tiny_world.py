"""A tiny plant and roster for screening and containment tests (small enough to work
results out by hand)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline.people.models import Worker
from keepline.plant import service as plant_service
from keepline.plant.yamlio import parse_yaml

TINY_YAML = """
keepline_plant: 1
enterprise: {id: tiny, name: Tiny plant, region_code: '320300', sector: test, jurisdiction: xz}
horizon_start: 2026-12-01
zones:
  - {id: asm, name: Assembly, kind: production, capacity_people: 50}
  - {id: lab, name: Lab, kind: lab, capacity_people: 20}
  - {id: dorm, name: Dormitory, kind: dormitory, capacity_people: 50}
shifts:
  - {id: day, start: '08:00', end: '20:00'}
  - {id: night, start: '20:00', end: '08:00'}
teams:
  - {id: asm-a, zone: asm, shift: day, headcount: 6, skills: [assembler], housing: dorm}
  - {id: asm-b, zone: asm, shift: day, headcount: 5, skills: [assembler], housing: commuter}
  - {id: asm-n, zone: asm, shift: night, headcount: 4, skills: [assembler, tester],
     housing: commuter}
  - {id: lab-d, zone: lab, shift: day, headcount: 3, skills: [tester], housing: dorm}
"""

# (employee_no, team) — team gives zone, shift, skills and housing as in the plant file.
TEAMS = {
    "asm-a": ("asm", "day", ["assembler"], "dorm"),
    "asm-b": ("asm", "day", ["assembler"], "commuter"),
    "asm-n": ("asm", "night", ["assembler", "tester"], "commuter"),
    "lab-d": ("lab", "day", ["tester"], "dorm"),
}
ROSTER = (
    [(f"A{i}", "asm-a") for i in range(1, 7)]
    + [(f"B{i}", "asm-b") for i in range(1, 6)]
    + [(f"N{i}", "asm-n") for i in range(1, 5)]
    + [(f"L{i}", "lab-d") for i in range(1, 4)]
)
DAY0 = dt.date(2026, 12, 1)


def load_tiny(session: Session, enterprise_id: str = "tiny") -> str:
    text = TINY_YAML.replace("id: tiny", f"id: {enterprise_id}")
    plant = parse_yaml(text, "tiny.yaml")
    plant_service.load_plant(session, plant)
    now = dt.datetime.now(dt.UTC)
    for no, team in ROSTER:
        zone, shift, skills, housing = TEAMS[team]
        session.add(
            Worker(
                enterprise_id=enterprise_id,
                employee_no=no,
                name=f"Worker {no}",
                phone=None,
                id_number=None,
                zone_id=zone,
                shift_id=shift,
                team_id=team,
                skills=skills,
                housing=housing,
                employment_status="active",
                updated_at=now,
            )
        )
    session.flush()
    return enterprise_id
