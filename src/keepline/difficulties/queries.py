"""Reads of the difficulties: one with its history, the lists the routes page, the
per-department figures, and what is overdue for an enterprise (the emergency plans'
``difficulty_overdue`` trigger reads it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.difficulties import rules, service
from keepline.difficulties.deadlines import Handled, figures, utc
from keepline.difficulties.models import (
    Difficulty,
    DifficultyCategory,
    DifficultyEvent,
    DifficultyState,
    overdue_at,
)
from keepline.difficulties.schemas import (
    DepartmentFiguresOut,
    DifficultyOut,
    EventOut,
    FiguresOut,
    OverdueItem,
    OverdueOut,
)
from keepline.government.models import Department
from keepline.recordkit import bad
from keepline.scope import EnterpriseScope, JurisdictionScope

COLUMNS = {
    "id": Difficulty.id,
    "submitted_at": Difficulty.submitted_at,
    "state": Difficulty.state,
    "category": Difficulty.category,
    "enterprise_id": Difficulty.enterprise_id,
}


def category_zh(category: str) -> str:
    c = DifficultyCategory(category)
    return c.labels[0] if c.labels else c.value


def outs(
    session: Session, rows: list[Difficulty], at: dt.datetime, history: bool = False
) -> list[DifficultyOut]:
    """``rows`` as answers: deadlines, what is overdue at ``at``, whether escalated."""
    ids = [r.id for r in rows]
    events: dict[int, list[DifficultyEvent]] = defaultdict(list)
    if ids:
        q = select(DifficultyEvent).where(DifficultyEvent.difficulty_id.in_(ids))
        if not history:
            q = q.where(DifficultyEvent.kind == "escalated")
        for ev in session.scalars(q.order_by(DifficultyEvent.id)):
            events[ev.difficulty_id].append(ev)
    names = {
        (d.jurisdiction_id, d.id): d.name
        for d in session.scalars(
            select(Department).where(
                Department.jurisdiction_id.in_({r.department_jurisdiction for r in rows})
            )
        )
    }
    out = []
    for r in rows:
        evs = events[r.id]
        out.append(
            DifficultyOut(
                id=r.id,
                enterprise_id=r.enterprise_id,
                jurisdiction=r.jurisdiction_id,
                category=r.category,
                category_zh=category_zh(r.category),
                text=r.text,
                attachments=r.attachments,
                state=r.state,
                department_jurisdiction=r.department_jurisdiction,
                department=r.department_id,
                department_name=names.get((r.department_jurisdiction, r.department_id), ""),
                solution=r.solution,
                submitted_at=r.submitted_at,
                accept_due=r.accept_due,
                propose_due=r.propose_due,
                close_due=r.close_due,
                accepted_at=r.accepted_at,
                proposed_at=r.proposed_at,
                resolved_at=r.resolved_at,
                closed_at=r.closed_at,
                overdue=[
                    OverdueOut(limit=lim, since=since)
                    for lim, since in service.clock_of(r).overdue(at)
                ],
                missed=list(r.missed),
                escalated=any(e.kind == "escalated" for e in evs),
                rating=r.rating,
                rating_comment=r.rating_comment,
                history=[
                    EventOut(
                        kind=e.kind,
                        at=e.at,
                        actor=e.actor,
                        department_jurisdiction=e.department_jurisdiction,
                        department=e.department_id,
                        note=e.note,
                        limit=e.limit_name,
                        due_at=e.due_at,
                    )
                    for e in evs
                ]
                if history
                else [],
            )
        )
    return out


def _filtered(
    q: Select[tuple[Difficulty]],
    state: str | None,
    category: str | None,
    at: dt.datetime | None,
) -> Select[tuple[Difficulty]]:
    if state is not None:
        if state not in {s.value for s in DifficultyState}:
            known = ", ".join(s.value for s in DifficultyState)
            raise bad("state", f"'{state}' is not one of {known}")
        q = q.where(Difficulty.state == state)
    if category is not None:
        if DifficultyCategory.from_text(category) is None:
            raise bad("category", f"'{category}' is not one of {DifficultyCategory.described()}")
        q = q.where(Difficulty.category == DifficultyCategory.from_text(category))
    if at is not None:
        q = q.where(overdue_at(utc(at)))
    return q


def own_query(
    scope: EnterpriseScope,
    at: dt.datetime,
    *,
    state: str | None = None,
    category: str | None = None,
    overdue: bool = False,
) -> Select[tuple[Difficulty]]:
    """The enterprise's difficulties, filtered (``overdue``: a limit passed at ``at``)."""
    q = select(Difficulty).where(Difficulty.enterprise_id == scope.enterprise_id)
    return _filtered(q, state, category, at if overdue else None)


def gov_query(
    session: Session,
    scope: JurisdictionScope,
    at: dt.datetime,
    *,
    state: str | None = None,
    category: str | None = None,
    overdue: bool = False,
    enterprise_id: str | None = None,
) -> Select[tuple[Difficulty]]:
    """The difficulties the officer sees, filtered."""
    q = service.visible_query(service.reach(session, scope))
    if enterprise_id is not None:
        q = q.where(Difficulty.enterprise_id == enterprise_id)
    return _filtered(q, state, category, at if overdue else None)


def one_for_enterprise(
    session: Session, scope: EnterpriseScope, difficulty_id: int, at: dt.datetime
) -> DifficultyOut:
    return outs(session, [service.own(session, scope, difficulty_id)], at, history=True)[0]


def one_for_officer(
    session: Session, scope: JurisdictionScope, difficulty_id: int, at: dt.datetime
) -> DifficultyOut:
    return outs(session, [service.visible(session, scope, difficulty_id)], at, history=True)[0]


def department_figures(
    session: Session,
    scope: JurisdictionScope,
    at: dt.datetime,
    since: dt.date | None = None,
) -> FiguresOut:
    """Per department holding the difficulties the officer sees (submitted on or after
    ``since``, a plant-local day): see ``deadlines.figures``."""
    q = service.visible_query(service.reach(session, scope))
    if since is not None:
        q = q.where(Difficulty.submitted_at >= day_start_utc(since))
    items = [
        Handled(
            (r.department_jurisdiction, r.department_id),
            service.clock_of(r),
            tuple(r.missed),
            utc(r.submitted_at),
            r.rating,
        )
        for r in session.scalars(q)
    ]
    deps = {(j, d): rules.department_name(session, j, d) for j, d in {h.department for h in items}}
    return FiguresOut(
        jurisdiction=scope.jurisdiction,
        at=at,
        since=since,
        departments=[
            DepartmentFiguresOut(
                jurisdiction=f.department[0],
                department=f.department[1],
                name=deps[f.department],
                received=f.received,
                open=f.open,
                closed=f.closed,
                on_time=f.on_time,
                overdue=f.overdue,
                median_hours_to_close=f.median_hours_to_close,
                rating_mean=f.rating_mean,
                rating_count=f.rating_count,
            )
            for f in figures(items, at)
        ],
    )


def day_start_utc(day: dt.date) -> dt.datetime:
    """When the plant-local ``day`` starts, in UTC."""
    return dt.datetime.fromtimestamp(clock.day_start(day), dt.UTC)


def overdue_for_enterprise(
    session: Session, enterprise_id: str, at: dt.datetime
) -> list[OverdueItem]:
    """The enterprise's open difficulties past a limit at ``at``: one item per limit
    passed (its category, id, which limit, since when), oldest first. No scope: the
    emergency plans' flow reads it for the enterprise whose plan it runs."""
    q = _filtered(
        select(Difficulty).where(Difficulty.enterprise_id == enterprise_id), None, None, at
    )
    out = [
        OverdueItem(id=r.id, category=r.category, limit=lim, since=since)  # type: ignore[arg-type]
        for r in session.scalars(q.order_by(Difficulty.id))
        for lim, since in service.clock_of(r).overdue(at)
    ]
    return sorted(out, key=lambda o: (o.since, o.id))
