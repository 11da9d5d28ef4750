"""Routes: the roster (every role reads it; admins and health officers change it)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from sqlalchemy import or_, select

from keepline.accounts.models import Role
from keepline.accounts.service import Caller
from keepline.apikit.deps import DB, Tenant, roles
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

router = APIRouter(tags=["roster"])
RosterEditor = Annotated[Caller, Depends(roles(Role.admin, Role.health_officer))]
EmployeeNo = Annotated[str, Path(min_length=1, max_length=32, description="Employee number.")]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
NOT_CLEARED_CATEGORY = "health-declaration"


def worker_view(w: Worker, c: Clearance | None, personal: bool) -> WorkerView:
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
    eid = caller.enterprise_id
    query = (
        select(Worker, Clearance)
        .outerjoin(
            Clearance,
            (Clearance.enterprise_id == Worker.enterprise_id)
            & (Clearance.employee_no == Worker.employee_no),
        )
        .where(Worker.enterprise_id == eid)
    )
    for col, value in ((Worker.zone_id, zone), (Worker.shift_id, shift), (Worker.team_id, team)):
        if value is not None:
            query = query.where(col == value)
    if employment_status is not None:
        query = query.where(Worker.employment_status == employment_status.value)
    if cleared is True:
        query = query.where(or_(Clearance.cleared.is_(None), Clearance.cleared.is_(True)))
    elif cleared is False:
        query = query.where(Clearance.cleared.is_(False))
    if q:
        query = query.where(
            or_(
                Worker.name.contains(q, autoescape=True),
                Worker.employee_no.contains(q, autoescape=True),
            )
        )
    rows, total = fetch_page(session, query, paging, SORTS, "employee_no")
    items = [worker_view(w, c, caller.sees_personal_data) for w, c in rows]
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
