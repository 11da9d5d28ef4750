"""Routes: the roster (every role reads it; admins and health officers change it)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from sqlalchemy import Row, func, or_, select

from keepline.accounts.models import Role
from keepline.accounts.service import Caller
from keepline.apikit.auth import Tenant, roles
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of, respond
from keepline.errors import InputError
from keepline.health.models import Clearance
from keepline.people import service
from keepline.people.models import EmploymentStatus, Worker
from keepline.people.schemas import (
    ImportOut,
    RosterSummary,
    RowProblemOut,
    WorkerIn,
    WorkerOut,
    WorkerPersonalOut,
    WorkerUpdate,
    WorkerView,
)
from keepline.tabular import read_table

router = APIRouter(tags=["roster"], route_class=Route)
RosterEditor = Annotated[Caller, Depends(roles(Role.admin, Role.health_officer))]
EmployeeNo = Annotated[str, Path(min_length=1, max_length=32, description="Employee number.")]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
NOT_CLEARED_CATEGORY = "health-declaration"


def worker_view(
    w: Worker | Row[Any], c: Clearance | _RowClearance | None, personal: bool
) -> WorkerView:
    """A worker as the caller may see them (``w`` and ``c`` may be ORM objects, or a row
    of ``ROSTER_COLUMNS`` and its ``_RowClearance``)."""
    cleared = c is None or c.cleared
    base = dict(
        employee_no=w.employee_no,
        name=w.name,
        zone=w.zone_id,
        shift=w.shift_id,
        team=w.team_id,
        skills=list(w.skills),
        housing=w.housing,
        employment_status=EmploymentStatus(w.employment_status),
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


class _RowClearance:
    """The clearance columns of a ``ROSTER_COLUMNS`` row, read like a ``Clearance``."""

    __slots__ = ("cleared", "cleared_at", "cleared_by", "flagged_on", "flags", "reason")

    def __init__(self, row: Row[Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(row, f"clearance_{name}"))

    @classmethod
    def of(cls, row: Row[Any]) -> _RowClearance | None:
        return None if row.clearance_cleared is None else cls(row)


# The roster list reads plain rows (a worker's columns, then their clearance's, prefixed
# 'clearance_'), not ORM objects: building and tracking 50 pairs of ORM instances cost
# more than the rest of the request.
ROSTER_COLUMNS = (
    *Worker.__table__.c,
    *(getattr(Clearance, n).label(f"clearance_{n}") for n in _RowClearance.__slots__),
)


def _clearance(session: DB, eid: str, no: str) -> Clearance | None:
    return session.get(Clearance, (eid, no))


SORTS = {
    "employee_no": Worker.employee_no,
    "name": Worker.name,
    "team": Worker.team_id,
    "zone": Worker.zone_id,
    "shift": Worker.shift_id,
    "updated_at": Worker.updated_at,
}


@router.get("/workers", response_model=Page[WorkerView])
def list_workers(
    session: DB,
    caller: Tenant,
    paging: Paging,
    zone: Annotated[str | None, Query(max_length=64)] = None,
    shift: Annotated[str | None, Query(max_length=64)] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    employment_status: EmploymentStatus | None = None,
    cleared: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name or number contains.")] = None,
) -> Response:
    """The roster. Sort by employee_no (default), name, team, zone, shift or updated_at."""
    where = [Worker.enterprise_id == caller.enterprise_id]
    for col, value in ((Worker.zone_id, zone), (Worker.shift_id, shift), (Worker.team_id, team)):
        if value is not None:
            where.append(col == value)
    if employment_status is not None:
        where.append(Worker.employment_status == employment_status.value)
    if q:
        where.append(
            or_(
                Worker.name.contains(q, autoescape=True),
                Worker.employee_no.contains(q, autoescape=True),
            )
        )
    # Without a clearance filter the outer join (at most one clearance a worker) cannot
    # change the count, so the count reads workers alone (an index, for a team).
    count = select(func.count()).select_from(Worker).where(*where)
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
    rows, total = fetch_page(session, query, paging, SORTS, "employee_no", count=count)
    items = [worker_view(r, _RowClearance.of(r), caller.sees_personal_data) for r in rows]
    return page_of(items, total, paging)


@router.post("/workers", response_model=WorkerView, status_code=201)
def create_worker(body: WorkerIn, session: DB, caller: RosterEditor) -> WorkerView:
    """Add one worker; zone, shift, skills and housing default to the team's."""
    w = service.create_worker(
        session,
        caller.enterprise_id,
        caller.actor,
        body.model_dump(mode="json"),  # type: ignore[arg-type]
    )
    return worker_view(w, None, caller.sees_personal_data)


@router.get("/workers/summary", response_model=RosterSummary)
def roster_summary(session: DB, caller: Tenant) -> Response:
    """Planned headcount (plant model) against the roster, per team."""
    return respond(RosterSummary.model_validate(service.summary(session, caller.enterprise_id)))  # type: ignore[arg-type]


class ImportMode(StrEnum):
    all = "all"
    valid_rows = "valid-rows"


@router.post("/workers/import", response_model=ImportOut)
def import_workers(
    session: DB,
    caller: RosterEditor,
    file: Annotated[UploadFile, File(description="Roster as CSV (UTF-8) or .xlsx.")],
    mode: Annotated[
        ImportMode,
        Query(description="'all': any bad row rejects the file; 'valid-rows': keep the good."),
    ] = ImportMode.all,
) -> ImportOut:
    """Import a roster file: new employee numbers are added, changed rows updated in
    place, identical rows left alone. Nothing is written if any row is bad, unless
    mode=valid-rows."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError([f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB"])
    table = read_table(file.filename or "upload.csv", data)
    report = service.import_roster(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        table,
        valid_rows_only=mode is ImportMode.valid_rows,
    )
    return ImportOut(
        rows=report.rows,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=[RowProblemOut(**p.as_dict()) for p in report.rejected],  # type: ignore[arg-type]
    )


@router.get("/workers/{employee_no}", response_model=WorkerView)
def get_worker(employee_no: EmployeeNo, session: DB, caller: Tenant) -> Response:
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    w = service.get_worker(session, eid, employee_no)
    return respond(worker_view(w, _clearance(session, eid, employee_no), caller.sees_personal_data))


@router.patch("/workers/{employee_no}", response_model=WorkerView)
def update_worker(
    employee_no: EmployeeNo, body: WorkerUpdate, session: DB, caller: RosterEditor
) -> WorkerView:
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    changes = body.model_dump(mode="json", exclude_unset=True)
    w = service.update_worker(session, eid, caller.actor, employee_no, changes)
    return worker_view(w, _clearance(session, eid, employee_no), caller.sees_personal_data)


@router.delete("/workers/{employee_no}", status_code=204)
def delete_worker(employee_no: EmployeeNo, session: DB, caller: RosterEditor) -> None:
    """Remove a worker with their declarations (the audit log keeps the record)."""
    service.delete_worker(session, caller.enterprise_id, caller.actor, employee_no)  # type: ignore[arg-type]
