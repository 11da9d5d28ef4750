"""Reads of containment that several of its services share, and the list queries its
routes page through (``select(...)`` built here, paged by ``apikit.lists``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, or_, select
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
