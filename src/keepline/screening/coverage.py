"""A round's coverage: per zone and shift, who was expected, swabbed, resulted, missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from keepline.screening.models import Sample, SampleMember
from keepline.screening.rounds import get_round, round_people


@dataclass
class Coverage:
    zone: str
    shift: str
    expected: int = 0
    sampled: int = 0
    resulted: int = 0
    missed: int = 0
    missed_workers: list[dict[str, str]] = field(default_factory=list)


def coverage(session: Session, scope: EnterpriseScope, round_id: int) -> list[Coverage]:
    """Per zone and shift: the round's people (expected), those swabbed (sampled: in a
    collected or resulted tube and not absent), those with a result, and the missed."""
    get_round(session, scope, round_id)
    rows = session.execute(
        round_people(
            scope,
            Worker.zone_id,
            Worker.shift_id,
            Worker.employee_no,
            Worker.name,
            Sample.collected_at,
            Sample.verdict,
            SampleMember.absent,
            round_id=round_id,
        )
    ).all()
    # The first sample taken of each person decides sampled/missed; any result counts.
    people: dict[str, dict[str, Any]] = {}
    for zone, shift, no, name, collected, verdict, absent in rows:
        p = people.setdefault(
            no, dict(zone=zone, shift=shift, name=name, sampled=False, resulted=False)
        )
        took = not absent and (collected is not None or verdict is not None)
        p["sampled"] |= took
        p["resulted"] |= took and verdict is not None
    out: dict[tuple[str, str], Coverage] = {}
    for no in sorted(people):
        p = people[no]
        c = out.setdefault((p["zone"], p["shift"]), Coverage(p["zone"], p["shift"]))
        c.expected += 1
        c.sampled += p["sampled"]
        c.resulted += p["resulted"]
        if not p["sampled"]:
            c.missed += 1
            c.missed_workers.append(dict(employee_no=no, name=p["name"]))
    return [out[k] for k in sorted(out)]
