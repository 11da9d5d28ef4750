"""Reads of the roster: the list (each worker with their clearance's columns), one worker
as the caller may see them.

The roster list reads plain rows (a worker's columns, then their clearance's, prefixed
'clearance_'), not ORM objects: building and tracking 50 pairs of ORM instances cost more
than the rest of the request. The clearance is health's table, read here through its
model alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.health.models import Clearance
from keepline.people.models import EmploymentStatus, Worker, not_gone_by
from keepline.people.schemas import WorkerOut, WorkerPersonalOut, WorkerView
from keepline.scope import EnterpriseScope

NOT_CLEARED_CATEGORY = "health-declaration"

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


def worker_view(
    w: Worker | Row[Any], c: Clearance | RowClearance | None, personal: bool
) -> WorkerView:
    """A worker as the caller may see them (``w`` and ``c`` may be ORM objects, or a row
    of ``ROSTER_COLUMNS`` and its ``RowClearance``)."""
    cleared = c is None or c.cleared
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
        cleared=cleared,
        not_cleared_category=None if cleared else NOT_CLEARED_CATEGORY,
    )
    if not personal:
        return WorkerOut(**base)
    return WorkerPersonalOut(
        **base,
        phone=w.phone,
        id_number=w.id_number,
        flags=list(c.flags) if c is not None and not c.cleared else [],
        flagged_on=c.flagged_on if c is not None else None,
        cleared_by=c.cleared_by if c is not None else None,
        cleared_at=c.cleared_at if c is not None else None,
        clearance_reason=c.reason if c is not None else None,
    )


def roster_view(session: Session, scope: EnterpriseScope, worker: Worker) -> WorkerView:
    """``worker`` (of the scope's enterprise) with their clearance, as the scope may see it."""
    c = session.get(Clearance, (scope.enterprise_id, worker.employee_no))
    return worker_view(worker, c, scope.sees_personal_data)


def roster(
    scope: EnterpriseScope,
    *,
    zone: str | None = None,
    shift: str | None = None,
    team: str | None = None,
    employment_status: EmploymentStatus | None = None,
    cleared: bool | None = None,
    q: str | None = None,
) -> tuple[Select[Any], Select[Any] | None]:
    """The roster's rows (``ROSTER_COLUMNS``), filtered, and a cheaper query counting them
    (``None`` when only the rows query can count them)."""
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
    # Without a clearance filter the outer join (at most one clearance a worker) cannot
    # change the count, so the count reads workers alone (an index, for a team).
    count: Select[Any] | None = select(func.count()).select_from(Worker).where(*where)
    if cleared is True:
        where.append(or_(Clearance.cleared.is_(None), Clearance.cleared.is_(True)))
        count = None
    elif cleared is False:
        where.append(Clearance.cleared.is_(False))
        count = None
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


def roster_page_views(rows: list[Any], scope: EnterpriseScope) -> list[WorkerView]:
    """A page of ``roster`` rows as the scope may see them."""
    return [worker_view(r, RowClearance.of(r), scope.sees_personal_data) for r in rows]
