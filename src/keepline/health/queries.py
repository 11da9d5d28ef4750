"""List queries over declarations: the declarations themselves, and the active workers who
have not declared for a day. The caller orders and pages them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Exists, Select, case, func, select

from keepline.db import columns
from keepline.health.models import Clearance, Declaration, HealthCode
from keepline.people.models import Worker, employed_on
from keepline.scope import EnterpriseScope

SORTS = columns(Declaration, "day", "employee_no", "temperature_c", "declared_at")
MISSING_SORTS = {"employee_no": Worker.employee_no, "name": Worker.name, "team": Worker.team_id}


def declarations(
    scope: EnterpriseScope,
    *,
    day: dt.date | None = None,
    employee_no: str | None = None,
    flagged: bool | None = None,
    health_code: HealthCode | None = None,
    min_temperature_c: float | None = None,
) -> Select[Any]:
    """The enterprise's declarations, filtered, as plain rows (not ORM objects:
    ``DeclarationOut`` reads either by attribute)."""
    q = select(*Declaration.__table__.c).where(Declaration.enterprise_id == scope.enterprise_id)
    if day is not None:
        q = q.where(Declaration.day == day)
    if employee_no is not None:
        q = q.where(Declaration.employee_no == employee_no)
    if health_code is not None:
        q = q.where(Declaration.health_code == health_code.value)
    if min_temperature_c is not None:
        q = q.where(Declaration.temperature_c >= min_temperature_c)
    if flagged is not None:
        q = q.where(Declaration.flagged.is_(flagged))
    return q


def missing(
    scope: EnterpriseScope,
    day: dt.date,
    *,
    team: str | None = None,
    zone: str | None = None,
    shift: str | None = None,
    declared: bool = False,
) -> tuple[Select[Any], Select[Any] | None]:
    """Active workers who have not declared for ``day`` (``declared``: who have; filtered
    by team, zone and shift), and a cheaper query counting them (``None`` when filtered
    or ``declared``)."""
    if declared:
        q = select(*Worker.__table__.c).where(
            Worker.enterprise_id == scope.enterprise_id, employed_on(day), _declared(day)
        )
        count = None
    else:
        q = missing_query(scope, day)
        unfiltered = team is None and zone is None and shift is None
        count = missing_count(scope, day) if unfiltered else None
    if team is not None:
        q = q.where(Worker.team_id == team)
    if zone is not None:
        q = q.where(Worker.zone_id == zone)
    if shift is not None:
        q = q.where(Worker.shift_id == shift)
    return q, count


def declared_counts(
    scope: EnterpriseScope, day: dt.date, unfit: ColumnElement[bool]
) -> Select[Any]:
    """Workers employed on ``day`` by zone and shift: zone, shift, how many, how many have
    declared for the day, and how many ``unfit`` (a condition over ``Worker``: who may not
    work) holds for. The console's Today page shows them; one aggregate query."""
    return (
        select(
            Worker.zone_id,
            Worker.shift_id,
            func.count().label("active"),
            func.sum(case((_declared(day), 1), else_=0)).label("declared"),
            func.sum(case((unfit, 1), else_=0)).label("unfit"),
        )
        .where(Worker.enterprise_id == scope.enterprise_id, employed_on(day))
        .group_by(Worker.zone_id, Worker.shift_id)
    )


def missing_query(scope: EnterpriseScope, day: dt.date) -> Select[Any]:
    """Active workers with no declaration for ``day`` (rows of the worker's columns)."""
    return select(*Worker.__table__.c).where(
        Worker.enterprise_id == scope.enterprise_id,
        employed_on(day),
        ~_declared(day),
    )


def _declared(day: dt.date) -> Exists:
    """The worker (of the enclosing query) has a declaration for ``day``: one probe of the
    declarations' primary key per worker."""
    return (
        select(Declaration.employee_no)
        .where(
            Declaration.enterprise_id == Worker.enterprise_id,
            Declaration.employee_no == Worker.employee_no,
            Declaration.day == day,
        )
        .exists()
    )


def missing_count(scope: EnterpriseScope, day: dt.date) -> Select[Any]:
    """A ``SELECT`` of the number of rows of ``missing_query`` for the whole roster.

    Counted by difference, as one statement (one snapshot): active workers − (declarations
    of the day − those of workers who are not active). The first two counts read an index
    alone, the third probes only the workers who are not active; counting the anti-join
    instead probes the declarations once per worker. Every declaration has its worker
    (a foreign key), and at most one a day.
    """
    enterprise_id = scope.enterprise_id
    active = (
        select(func.count())
        .select_from(Worker)
        .where(
            Worker.enterprise_id == enterprise_id,
            employed_on(day),
        )
        .scalar_subquery()
    )
    declared = (
        select(func.count())
        .select_from(Declaration)
        .where(Declaration.enterprise_id == enterprise_id, Declaration.day == day)
        .scalar_subquery()
    )
    declared_not_active = (
        select(func.count())
        .select_from(Worker)
        .where(
            Worker.enterprise_id == enterprise_id,
            ~employed_on(day),
            _declared(day),
        )
        .scalar_subquery()
    )
    return select(active - (declared - declared_not_active))


def not_cleared(scope: EnterpriseScope) -> Select[Any]:
    """Workers held by a declaration a health officer has not cleared: their number,
    name, team, zone, shift, flags and the day they were flagged (newest first is the
    caller's order)."""
    return (
        select(
            Worker.employee_no,
            Worker.name,
            Worker.team_id,
            Worker.zone_id,
            Worker.shift_id,
            Clearance.flags,
            Clearance.flagged_on,
        )
        .join(
            Clearance,
            (Clearance.enterprise_id == Worker.enterprise_id)
            & (Clearance.employee_no == Worker.employee_no),
        )
        .where(Worker.enterprise_id == scope.enterprise_id, Clearance.cleared.is_(False))
    )


NOT_CLEARED_SORTS = {
    "flagged_on": Clearance.flagged_on,
    "employee_no": Worker.employee_no,
    "name": Worker.name,
}
