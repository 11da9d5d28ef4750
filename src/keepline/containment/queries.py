"""Reads of containment that several of its services share, and the list queries its
routes page through (``select(...)`` built here, paged by ``apikit.lists``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from keepline.containment.models import Case, Restriction
from keepline.db import columns
from keepline.errors import NotFound
from keepline.people.models import Worker
from keepline.plant import models as pm
from keepline.scope import EnterpriseScope

CASE_SORTS = columns(Case, "confirmed_on", "id")
RESTRICTION_SORTS = columns(Restriction, "start_day", "id", "employee_no")


def worker(session: Session, scope: EnterpriseScope, employee_no: str) -> Worker:
    w = session.get(Worker, (scope.enterprise_id, employee_no))
    if w is None:
        raise NotFound(f"worker '{employee_no}' not found", field="employee_no")
    return w


def zone_names(session: Session, scope: EnterpriseScope) -> dict[str, tuple[str, str | None]]:
    """The enterprise's zones in plant-file order → (display name, Chinese name)."""
    return {
        zid: (name, name_zh)
        for zid, name, name_zh in session.execute(
            select(pm.Zone.id, pm.Zone.name, pm.Zone.name_zh)
            .where(pm.Zone.enterprise_id == scope.enterprise_id)
            .order_by(pm.Zone.position)
        )
    }


def zone_ids(session: Session, scope: EnterpriseScope) -> list[str]:
    """The enterprise's zones in plant-file order."""
    return list(
        session.scalars(
            select(pm.Zone.id)
            .where(pm.Zone.enterprise_id == scope.enterprise_id)
            .order_by(pm.Zone.position)
        )
    )


def cases(scope: EnterpriseScope) -> Select[Any]:
    """Every case of the enterprise (sort: ``CASE_SORTS``)."""
    return select(Case).where(Case.enterprise_id == scope.enterprise_id)


def restrictions(
    scope: EnterpriseScope,
    *,
    employee_no: str | None = None,
    active_on: dt.date | None = None,
    kind: str | None = None,
) -> Select[Any]:
    """Isolations and quarantines, of one worker, of one kind, in force on one day
    (sort: ``RESTRICTION_SORTS``)."""
    q = select(Restriction).where(Restriction.enterprise_id == scope.enterprise_id)
    if employee_no:
        q = q.where(Restriction.employee_no == employee_no)
    if kind:
        q = q.where(Restriction.kind == kind)
    if active_on:
        q = q.where(
            Restriction.start_day <= active_on,
            or_(Restriction.end_day.is_(None), Restriction.end_day >= active_on),
        )
    return q


def case_discharges(session: Session, scope: EnterpriseScope) -> dict[int, dt.date | None]:
    """Each case of the enterprise → the day its isolation ended (the discharge: the
    last end of the restrictions it started), ``None`` while the case is open (its
    status is open and an isolation of it is still running, or it has none ended)."""
    ends: dict[int, list[dt.date | None]] = {}
    for cid, end in session.execute(
        select(Restriction.case_id, Restriction.end_day).where(
            Restriction.enterprise_id == scope.enterprise_id, Restriction.case_id.is_not(None)
        )
    ):
        ends.setdefault(cid, []).append(end)
    out: dict[int, dt.date | None] = {}
    for cid, status in session.execute(
        select(Case.id, Case.status).where(Case.enterprise_id == scope.enterprise_id)
    ):
        days = ends.get(cid, [])
        still_open = not days or any(d is None for d in days)
        out[cid] = (
            None
            if status == "open" and still_open
            else max((d for d in days if d is not None), default=None)
        )
    return out


def cases_of_samples(
    session: Session, scope: EnterpriseScope, sample_ids: Sequence[str]
) -> dict[str, list[Case]]:
    """The cases each of ``sample_ids`` confirmed, by tube."""
    out: dict[str, list[Case]] = {}
    if not sample_ids:
        return out
    q = cases(scope).where(Case.sample_id.in_(list(sample_ids))).order_by(Case.id)
    for c in session.scalars(q):
        out.setdefault(str(c.sample_id), []).append(c)
    return out


def quarantined_by_case(
    session: Session, scope: EnterpriseScope, case_ids: Sequence[int], day: dt.date
) -> dict[int, int]:
    """How many contacts of each of ``case_ids`` are in quarantine on ``day``."""
    if not case_ids:
        return {}
    q = (
        restrictions(scope, kind="quarantine", active_on=day)
        .where(Restriction.case_id.in_(list(case_ids)))
        .with_only_columns(Restriction.case_id, func.count(func.distinct(Restriction.employee_no)))
        .group_by(Restriction.case_id)
    )
    return {int(cid): int(n) for cid, n in session.execute(q)}
