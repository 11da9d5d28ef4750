"""Demo difficulties for a generated city: one in every state, some of them overdue, with
times set back from ``at`` as if each step had happened then (synthetic, like the rest of
the generated city), then the escalation run as ``keepline serve`` would have run it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.difficulties import rules, service
from keepline.difficulties.models import Difficulty, DifficultyCategory
from keepline.difficulties.schemas import (
    ConfirmIn,
    DifficultyIn,
    ReopenIn,
    TransferIn,
)
from keepline.government.models import Department, Registration
from keepline.scope import EnterpriseScope, JurisdictionScope

C = DifficultyCategory
# (category, text, steps as (step, hours before ``at``)); the submission comes first.
STORIES: tuple[tuple[C, str, tuple[tuple[str, float], ...]], ...] = (
    (
        C.logistics,
        "Trucks with finished goods held at the expressway checkpoint",
        (("submit", 0.5),),
    ),
    (C.raw_materials, "Resin supplier in a locked-down district", (("submit", 3),)),  # overdue
    (
        C.labour,
        "40 workers cannot return from their home county",
        (("submit", 2), ("transfer", 1.5)),
    ),
    (C.prevention_materials, "Masks for 3 days only", (("submit", 5), ("accept", 4.8))),
    (C.finance, "Payroll loan for March", (("submit", 30), ("accept", 29.5))),  # no solution
    (
        C.policy,
        "Is the night shift allowed under the closed-loop rules?",
        (("submit", 20), ("accept", 19.8), ("propose", 10)),
    ),
    (
        C.logistics,
        "A pass for the supplier's driver",
        (("submit", 50), ("accept", 49.5), ("propose", 40), ("resolve", 30)),
    ),
    (
        C.raw_materials,
        "Copper wire from Jiangsu",
        (("submit", 100), ("accept", 99.5), ("propose", 90), ("resolve", 60), ("confirm", 50)),
    ),
    (
        C.other,
        "Canteen supplies",
        (("submit", 200), ("accept", 197), ("propose", 150), ("resolve", 120), ("confirm", 100)),
    ),
    (
        C.finance,
        "Social insurance deferral",
        (("submit", 60), ("accept", 59.8), ("propose", 50), ("resolve", 30), ("reopen", 20)),
    ),
)


def add_demo(
    session: Session, scope: JurisdictionScope, enterprise_ids: Sequence[str], at: dt.datetime
) -> int:
    """One difficulty per story, round the enterprises; none when the jurisdiction has no
    routing rules. Returns how many were added."""
    if not enterprise_ids or not rules.resolved(session, scope.jurisdiction).routes:
        return 0
    added = 0
    for i, (category, text, steps) in enumerate(STORIES):
        eid = enterprise_ids[i % len(enterprise_ids)]
        reg = session.get(Registration, eid)
        if reg is None or category.value not in rules.resolved(session, reg.jurisdiction_id).routes:
            continue
        own = EnterpriseScope(eid, scope.actor)
        row: Difficulty | None = None
        for step, hours in steps:
            when = at - dt.timedelta(hours=hours)
            if step == "submit":
                row = service.submit(session, own, DifficultyIn(category=category, text=text), when)
                added += 1
                continue
            assert row is not None
            _step(session, scope, own, row, step, when)
    service.escalate_overdue(session, at, scope.actor)
    return added


def _step(
    session: Session,
    scope: JurisdictionScope,
    own: EnterpriseScope,
    row: Difficulty,
    step: str,
    when: dt.datetime,
) -> None:
    if step == "accept":
        service.handle(session, scope, row.id, "accept", "received", when)
    elif step == "transfer":
        other = session.scalar(
            select(Department.id)
            .where(
                Department.jurisdiction_id == row.department_jurisdiction,
                Department.id != row.department_id,
            )
            .order_by(Department.position)
        )
        if other is not None:
            body = TransferIn(department=other, note="belongs to another department")
            service.transfer(session, scope, row.id, body, when)
    elif step == "propose":
        service.handle(session, scope, row.id, "propose", "coordinated a solution", when)
    elif step == "resolve":
        service.handle(session, scope, row.id, "resolve", "done", when)
    elif step == "confirm":
        service.answer(session, own, row.id, ConfirmIn(rating=4, comment="helpful"), when)
    elif step == "reopen":
        service.answer(session, own, row.id, ReopenIn(reason="not yet solved"), when)
