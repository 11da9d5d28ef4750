"""Routes: daily declarations (health staff), who has not declared, clearing a worker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, File, Query, Response, UploadFile

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, list_page, page_of
from keepline.apikit.params import EmployeeNo, ImportMode, read_upload
from keepline.fields import Day
from keepline.health import queries, service
from keepline.health.auth import Clearer, DeclarationStaff, MissingReader
from keepline.health.files import declarations_of
from keepline.health.models import Declaration, HealthCode
from keepline.health.schemas import (
    BulkOut,
    ClearIn,
    DeclarationIn,
    DeclarationOut,
    DeclarationsBulk,
    MissingOut,
)
from keepline.people import service as people
from keepline.people import work_today
from keepline.people.schemas import WorkerView
from keepline.plans import recorded
from keepline.plans.activations import after_writes
from keepline.plans.engine import declared
from keepline.tabular import read_table

router = APIRouter(tags=["health"], route_class=Route)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _bulk_out(r: service.SaveReport) -> BulkOut:
    return BulkOut(**(vars(r) | {"rejected": [p.as_dict() for p in r.rejected]}))


@router.post("/declarations", response_model=DeclarationOut)
def declare(body: DeclarationIn, session: DB, scope: DeclarationStaff) -> Declaration:
    """Record one declaration; a second one for the same worker and day replaces it."""
    recorded.declare(session, scope, body)
    return service.get_declaration(session, scope, body.employee_no, body.day)


@router.post("/declarations/bulk", response_model=BulkOut)
def declare_bulk(
    session: DB,
    scope: DeclarationStaff,
    body: Annotated[DeclarationsBulk, Body()],
    mode: ImportMode = ImportMode.all,
) -> BulkOut:
    """Many declarations in one call (tens of thousands), in one transaction. Row n is
    the n-th declaration (from 1)."""
    items = list(enumerate(body.declarations, start=1))
    report = service.save_declarations(
        session, scope, items, valid_rows_only=mode is ImportMode.valid_rows
    )
    after_writes(session, scope, (d.day for _, d in items), declared(report.flagged))
    return _bulk_out(report)


@router.post("/declarations/import", response_model=BulkOut)
def import_declarations(
    session: DB,
    scope: DeclarationStaff,
    file: Annotated[UploadFile, File(description="Declarations as CSV (UTF-8 or GBK) or .xlsx.")],
    mode: ImportMode = ImportMode.all,
) -> BulkOut:
    """Import a declarations file; columns employee_no, day (YYYY-MM-DD), temperature_c
    (°C), symptoms (';'-separated), health_code, risk_travel, close_contact (yes/no),
    headed and written in Chinese or English (docs/import-files.md)."""
    data = read_upload(file, MAX_UPLOAD_BYTES)
    name = file.filename or "upload.csv"
    items, problems = declarations_of(read_table(name, data), name)
    report = service.save_declarations(
        session,
        scope,
        items,
        source=name,
        valid_rows_only=mode is ImportMode.valid_rows,
        problems=problems,
    )
    after_writes(session, scope, (d.day for _, d in items), declared(report.flagged))
    return _bulk_out(report)


@router.get("/declarations", response_model=Page[DeclarationOut])
def list_declarations(
    session: DB,
    scope: DeclarationStaff,
    paging: Paging,
    day: Annotated[Day | None, Query(description="Only this day (YYYY-MM-DD).")] = None,
    employee_no: Annotated[str | None, Query(max_length=32)] = None,
    flagged: bool | None = None,
    health_code: HealthCode | None = None,
    min_temperature_c: Annotated[float | None, Query(ge=-100, le=100)] = None,
) -> Response:
    """Declarations (health officers and admins). Sort by day (default: newest first),
    employee_no, temperature_c or declared_at."""
    q = queries.declarations(
        scope,
        day=day,
        employee_no=employee_no,
        flagged=flagged,
        health_code=health_code,
        min_temperature_c=min_temperature_c,
    )
    return list_page(session, q, paging, queries.SORTS, "-day", DeclarationOut)


@router.get("/declarations/missing", response_model=Page[MissingOut])
def missing(
    session: DB,
    scope: MissingReader,
    paging: Paging,
    day: Annotated[
        Day | None, Query(description="The day (YYYY-MM-DD); default: today (plant time).")
    ] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    zone: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Active workers who have not declared for the day. Sort by employee_no, name, team."""
    q, count = queries.missing(scope, day or clock.today(), team=team, zone=zone)
    rows, total = fetch_page(session, q, paging, queries.MISSING_SORTS, "employee_no", count=count)
    items = [
        MissingOut(
            employee_no=w.employee_no, name=w.name, team=w.team_id, zone=w.zone_id, shift=w.shift_id
        )
        for w in rows
    ]
    return page_of(items, total, paging)


@router.get("/declarations/{employee_no}/{day}", response_model=DeclarationOut)
def get_declaration(
    employee_no: EmployeeNo, day: Day, session: DB, scope: DeclarationStaff
) -> Declaration:
    return service.get_declaration(session, scope, employee_no, day)


@router.post("/workers/{employee_no}/clearance", response_model=WorkerView)
def clear(employee_no: EmployeeNo, body: ClearIn, session: DB, scope: Clearer) -> WorkerView:
    """A health officer lets a flagged worker work again; the reason is recorded."""
    recorded.clear(session, scope, employee_no, body)
    # Cleared of the declaration's flag; may still be isolated or quarantined.
    return work_today.worker_today(session, scope, people.get_worker(session, scope, employee_no))
