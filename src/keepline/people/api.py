"""Routes: the roster (every role reads it; admins and health officers change it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of, respond
from keepline.apikit.params import EmployeeNo, ImportMode, read_upload
from keepline.people import erasure, queries, service, work_today
from keepline.people.auth import RosterEditor, RosterReader
from keepline.people.models import EmploymentStatus
from keepline.people.schemas import (
    ImportOut,
    LeaveIn,
    RosterSummary,
    RowProblemOut,
    WorkerIn,
    WorkerUpdate,
    WorkerView,
)
from keepline.tabular import read_table

router = APIRouter(tags=["roster"], route_class=Route)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@router.get("/workers", response_model=Page[WorkerView])
def list_workers(
    session: DB,
    scope: RosterReader,
    paging: Paging,
    zone: Annotated[str | None, Query(max_length=64)] = None,
    shift: Annotated[str | None, Query(max_length=64)] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    employment_status: EmploymentStatus | None = None,
    cleared: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name or number contains.")] = None,
) -> Response:
    """The roster. Sort by employee_no (default), name, team, zone, shift or updated_at.
    ``cleared``: may work today (not isolated, quarantined, held by a declaration or in
    a locked zone), or not."""
    unfit = work_today.unfit_today(session, scope) if cleared is not None else None
    query, count = queries.roster(
        scope,
        zone=zone,
        shift=shift,
        team=team,
        employment_status=employment_status,
        cleared=cleared,
        unfit=unfit,
        q=q,
    )
    rows, total = fetch_page(session, query, paging, queries.SORTS, "employee_no", count=count)
    return page_of(work_today.roster_page_today(session, scope, rows), total, paging)


@router.post("/workers", response_model=WorkerView, status_code=201)
def create_worker(body: WorkerIn, session: DB, scope: RosterEditor) -> WorkerView:
    """Add one worker; zone, shift, skills and housing default to the team's."""
    w = service.create_worker(session, scope, body)
    return work_today.worker_today(session, scope, w)


@router.get("/workers/summary", response_model=RosterSummary)
def roster_summary(session: DB, scope: RosterReader) -> Response:
    """Planned headcount (plant model) against the roster, per team."""
    return respond(RosterSummary.model_validate(service.summary(session, scope)))


@router.post("/workers/import", response_model=ImportOut)
def import_workers(
    session: DB,
    scope: RosterEditor,
    file: Annotated[
        UploadFile,
        File(description="Roster as CSV (UTF-8 or GBK) or .xlsx; headers in Chinese or English."),
    ],
    mode: Annotated[
        ImportMode,
        Query(description="'all': any bad row rejects the file; 'valid-rows': keep the good."),
    ] = ImportMode.all,
) -> ImportOut:
    """Import a roster file: new employee numbers are added, changed rows updated in
    place, identical rows left alone. Nothing is written if any row is bad, unless
    mode=valid-rows."""
    data = read_upload(file, MAX_UPLOAD_BYTES)
    table = read_table(file.filename or "upload.csv", data)
    report = service.import_roster(
        session, scope, table, valid_rows_only=mode is ImportMode.valid_rows
    )
    return ImportOut(
        rows=report.rows,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=[RowProblemOut.model_validate(p.as_dict()) for p in report.rejected],
    )


@router.get("/workers/{employee_no}", response_model=WorkerView)
def get_worker(employee_no: EmployeeNo, session: DB, scope: RosterReader) -> Response:
    w = service.get_worker(session, scope, employee_no)
    return respond(work_today.worker_today(session, scope, w))


@router.patch("/workers/{employee_no}", response_model=WorkerView)
def update_worker(
    employee_no: EmployeeNo, body: WorkerUpdate, session: DB, scope: RosterEditor
) -> WorkerView:
    w = service.update_worker(session, scope, employee_no, body)
    return work_today.worker_today(session, scope, w)


@router.post("/workers/{employee_no}/leave", response_model=WorkerView)
def leave(employee_no: EmployeeNo, body: LeaveIn, session: DB, scope: RosterEditor) -> WorkerView:
    """The worker leaves from ``left_on`` (default today): off the roster, availability
    and screening from that day; their records are kept (until the retention rule)."""
    w = service.mark_left(session, scope, employee_no, body)
    return work_today.worker_today(session, scope, w)


@router.delete("/workers/{employee_no}", status_code=204)
def delete_worker(employee_no: EmployeeNo, session: DB, scope: RosterEditor) -> None:
    """Erase a worker and every record of theirs (declarations, clearance, access events,
    pool memberships, restrictions, cases), each deleted row audited. Refused (422)
    while their case or isolation is open. A worker who leaves is marked as left
    (``POST /workers/{employee_no}/leave``), not erased."""
    erasure.delete_worker(session, scope, employee_no)
