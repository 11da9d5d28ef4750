"""Reads of the roster: the list (each worker with their clearance's columns), one worker
as the caller may see them. Whether a worker may work today (``cleared``) is judged by
:func:`keepline.fitness.fitness` in the flow :mod:`keepline.people.work_today`, which
passes its reasons in here.

The roster list reads plain rows (a worker's columns, then their clearance's, prefixed
'clearance_'), not ORM objects: building and tracking 50 pairs of ORM instances cost more
than the rest of the request. The clearance is health's table, read here through its
model alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.health.models import Clearance
from keepline.people.models import EmploymentStatus, Worker, not_gone_by
from keepline.people.schemas import WorkerOut, WorkerPersonalOut, WorkerView
from keepline.scope import EnterpriseScope

# What every role may see of why a worker may not work: a zone's lock is no one's health
# data; isolation, quarantine and a declaration's flag are, so they show as one category.
ZONE_CATEGORY = "zone-locked"
HEALTH_CATEGORY = "health"
ZONE_REASON = "zone_locked"

SORTS = {
    "employee_no": Worker.employee_no,
    "name": Worker.name,
    "team": Worker.team_id,
    "zone": Worker.zone_id,
    "shift": Worker.shift_id,
    "updated_at": Worker.updated_at,
}


class RowClearance:
    """The clearance columns of a ``ROSTER_COLUMNS`` row, read like a ``Clearance``."""

    __slots__ = ("cleared", "cleared_at", "cleared_by", "flagged_on", "flags", "reason")
    cleared: bool
    cleared_at: dt.datetime | None
    cleared_by: str | None
    flagged_on: dt.date | None
    flags: list[str]
    reason: str | None

    def __init__(self, row: Row[Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(row, f"clearance_{name}"))

    @classmethod
    def of(cls, row: Row[Any]) -> RowClearance | None:
        return None if row.clearance_cleared is None else cls(row)


ROSTER_COLUMNS = (
    *Worker.__table__.c,
    *(getattr(Clearance, n).label(f"clearance_{n}") for n in RowClearance.__slots__),
)


def not_working_category(reasons: Sequence[str]) -> str | None:
    """The category every role sees of why a worker may not work (None: they may)."""
    if not reasons:
        return None
    return ZONE_CATEGORY if set(reasons) == {ZONE_REASON} else HEALTH_CATEGORY


def worker_view(
    w: Worker | Row[Any],
    c: Clearance | RowClearance | None,
    personal: bool,
    reasons: Sequence[str] = (),
) -> WorkerView:
    """A worker as the caller may see them (``w`` and ``c`` may be ORM objects, or a row
    of ``ROSTER_COLUMNS`` and its ``RowClearance``); ``reasons`` why they may not work
    today (:class:`keepline.fitness.Reason` values; none: they may)."""
    base: dict[str, Any] = dict(
        employee_no=w.employee_no,
        name=w.name,
        zone=w.zone_id,
        shift=w.shift_id,
        team=w.team_id,
        skills=list(w.skills),
        housing=w.housing,
        employment_status=EmploymentStatus(w.employment_status),
        left_on=w.left_on,
        cleared=not reasons,
        not_cleared_category=not_working_category(reasons),
    )
    if not personal:
        return WorkerOut(**base)
    return WorkerPersonalOut(
        **base,
        reasons=list(reasons),
        phone=w.phone,
        id_number=w.id_number,
        flags=list(c.flags) if c is not None and not c.cleared else [],
        flagged_on=c.flagged_on if c is not None else None,
        cleared_by=c.cleared_by if c is not None else None,
        cleared_at=c.cleared_at if c is not None else None,
        clearance_reason=c.reason if c is not None else None,
    )


def clearance_of(session: Session, scope: EnterpriseScope, employee_no: str) -> Clearance | None:
    return session.get(Clearance, (scope.enterprise_id, employee_no))


def roster(
    scope: EnterpriseScope,
    *,
    zone: str | None = None,
    shift: str | None = None,
    team: str | None = None,
    employment_status: EmploymentStatus | None = None,
    cleared: bool | None = None,
    unfit: ColumnElement[bool] | None = None,
    q: str | None = None,
) -> tuple[Select[Any], Select[Any] | None]:
    """The roster's rows (``ROSTER_COLUMNS``), filtered, and a cheaper query counting them
    (``None`` when only the rows query can count them). ``cleared`` keeps those who may
    work today (True) or may not (False): ``unfit`` is the condition over ``Worker`` of
    those who may not (``people.work_today.unfit_today``)."""
    where: list[ColumnElement[bool]] = [Worker.enterprise_id == scope.enterprise_id]
    for col, value in ((Worker.zone_id, zone), (Worker.shift_id, shift), (Worker.team_id, team)):
        if value is not None:
            where.append(col == value)
    if employment_status is not None:
        where.append(Worker.employment_status == employment_status.value)
    else:  # who has left is off the roster, unless asked for (employment_status=left)
        where.append(not_gone_by(clock.today()))
    if q:
        where.append(
            or_(
                Worker.name.contains(q, autoescape=True),
                Worker.employee_no.contains(q, autoescape=True),
            )
        )
    if cleared is not None:
        if unfit is None:
            raise ValueError("cleared needs unfit")
        where.append(~unfit if cleared else unfit)
    # The outer join (at most one clearance a worker) cannot change the count, so the
    # count reads workers alone (an index, for a team).
    count: Select[Any] | None = select(func.count()).select_from(Worker).where(*where)
    query = (
        select(*ROSTER_COLUMNS)
        .select_from(Worker)
        .outerjoin(
            Clearance,
            (Clearance.enterprise_id == Worker.enterprise_id)
            & (Clearance.employee_no == Worker.employee_no),
        )
        .where(*where)
    )
    return query, count


def roster_page_views(
    rows: list[Any], scope: EnterpriseScope, reasons: Mapping[str, Sequence[str]]
) -> list[WorkerView]:
    """A page of ``roster`` rows as the scope may see them; ``reasons`` why those who may
    not work today may not, by employee number."""
    return [
        worker_view(r, RowClearance.of(r), scope.sees_personal_data, reasons.get(r.employee_no, ()))
        for r in rows
    ]
