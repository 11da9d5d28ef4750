"""Routes: daily declarations (health staff), who has not declared, clearing a worker."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Query, Response, UploadFile
from pydantic import ValidationError
from sqlalchemy import select

from keepline import clock
from keepline.apikit.auth import HealthOfficer, HealthStaff, Tenant
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of
from keepline.errors import InputError
from keepline.health import service
from keepline.health.models import Declaration, HealthCode
from keepline.health.schemas import (
    BulkOut,
    ClearIn,
    DeclarationIn,
    DeclarationOut,
    DeclarationsBulk,
    MissingOut,
)
from keepline.people.api import MAX_UPLOAD_BYTES, EmployeeNo, ImportMode, worker_view
from keepline.people.models import Worker
from keepline.people.schemas import WorkerView
from keepline.people.service import get_worker
from keepline.tabular import RowProblem, RowsError, read_table, require_columns

router = APIRouter(tags=["health"], route_class=Route)

FILE_COLUMNS = (
    "employee_no",
    "day",
    "temperature_c",
    "symptoms",
    "health_code",
    "risk_travel",
    "close_contact",
)
_TRUE = {"1", "true", "yes", "y", "是", "x"}
_FALSE = {"", "0", "false", "no", "n", "否"}


def _bulk_out(r: service.SaveReport) -> BulkOut:
    return BulkOut(
        received=r.received,
        inserted=r.inserted,
        replaced=r.replaced,
        unchanged=r.unchanged,
        flagged=r.flagged,
        rejected=[p.as_dict() for p in r.rejected],
    )


@router.post("/declarations", response_model=DeclarationOut)
def declare(body: DeclarationIn, session: DB, caller: HealthStaff) -> Declaration:
    """Record one declaration; a second one for the same worker and day replaces it."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    service.save_declarations(session, eid, caller.actor, [(1, body)])
    return service.get_declaration(session, eid, body.employee_no, body.day)


@router.post("/declarations/bulk", response_model=BulkOut)
def declare_bulk(
    session: DB,
    caller: HealthStaff,
    body: Annotated[DeclarationsBulk, Body()],
    mode: ImportMode = ImportMode.all,
) -> BulkOut:
    """Many declarations in one call (tens of thousands), in one transaction. Row n is
    the n-th declaration (from 1)."""
    items = list(enumerate(body.declarations, start=1))
    report = service.save_declarations(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        items,
        valid_rows_only=mode is ImportMode.valid_rows,
    )
    return _bulk_out(report)


def _flag(text: str) -> bool | str:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return text  # left for the model to reject, naming the field


@router.post("/declarations/import", response_model=BulkOut)
def import_declarations(
    session: DB,
    caller: HealthStaff,
    file: Annotated[UploadFile, File(description="Declarations as CSV (UTF-8) or .xlsx.")],
    mode: ImportMode = ImportMode.all,
) -> BulkOut:
    """Import a declarations file; columns employee_no, day (YYYY-MM-DD), temperature_c
    (°C), symptoms (';'-separated), health_code, risk_travel, close_contact (yes/no)."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError([f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB"])
    name = file.filename or "upload.csv"
    table = read_table(name, data)
    require_columns(table, ("employee_no", "day", "temperature_c"))
    unknown = [c for c in table.columns if c not in FILE_COLUMNS]
    if unknown:
        raise RowsError(name, [RowProblem(1, c, f"unknown column '{c}'") for c in unknown])
    items: list[tuple[int, DeclarationIn]] = []
    problems: list[RowProblem] = []
    for rownum, raw in table.rows:
        values: dict[str, Any] = {k: v for k, v in raw.items() if v != ""}
        values["symptoms"] = [s.strip() for s in raw.get("symptoms", "").split(";") if s.strip()]
        for k in ("risk_travel", "close_contact"):
            values[k] = _flag(raw.get(k, ""))
        try:
            items.append((rownum, DeclarationIn.model_validate(values)))
        except ValidationError as exc:
            for e in exc.errors():
                problems.append(
                    RowProblem(rownum, str(e["loc"][0]) if e["loc"] else None, e["msg"])
                )
    report = service.save_declarations(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        items,
        source=name,
        valid_rows_only=mode is ImportMode.valid_rows,
        problems=problems,
    )
    return _bulk_out(report)


SORTS = {
    "day": Declaration.day,
    "employee_no": Declaration.employee_no,
    "temperature_c": Declaration.temperature_c,
    "declared_at": Declaration.declared_at,
}


@router.get("/declarations", response_model=Page[DeclarationOut])
def list_declarations(
    session: DB,
    caller: HealthStaff,
    paging: Paging,
    date: Annotated[dt.date | None, Query(description="Only this day.")] = None,
    employee_no: Annotated[str | None, Query(max_length=32)] = None,
    flagged: bool | None = None,
    health_code: HealthCode | None = None,
    min_temperature_c: Annotated[float | None, Query(ge=-100, le=100)] = None,
) -> Response:
    """Declarations (health officers and admins). Sort by day (default: newest first),
    employee_no, temperature_c or declared_at."""
    # Plain rows, not ORM objects (DeclarationOut reads either by attribute).
    q = select(*Declaration.__table__.c).where(Declaration.enterprise_id == caller.enterprise_id)
    if date is not None:
        q = q.where(Declaration.day == date)
    if employee_no is not None:
        q = q.where(Declaration.employee_no == employee_no)
    if health_code is not None:
        q = q.where(Declaration.health_code == health_code.value)
    if min_temperature_c is not None:
        q = q.where(Declaration.temperature_c >= min_temperature_c)
    if flagged is not None:
        q = q.where(Declaration.flagged.is_(flagged))
    rows, total = fetch_page(session, q, paging, SORTS, "-day")
    items = [DeclarationOut.model_validate(r) for r in rows]
    return page_of(items, total, paging)


@router.get("/declarations/missing", response_model=Page[MissingOut])
def missing(
    session: DB,
    caller: Tenant,
    paging: Paging,
    date: Annotated[dt.date | None, Query(description="Default: today (plant time).")] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
    zone: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Active workers who have not declared for the day. Sort by employee_no, name, team."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    day = date or clock.today()
    q = service.missing_query(eid, day)
    count = service.missing_count(eid, day) if team is None and zone is None else None
    if team is not None:
        q = q.where(Worker.team_id == team)
    if zone is not None:
        q = q.where(Worker.zone_id == zone)
    sorts = {"employee_no": Worker.employee_no, "name": Worker.name, "team": Worker.team_id}
    rows, total = fetch_page(session, q, paging, sorts, "employee_no", count=count)
    items = [
        MissingOut(
            employee_no=w.employee_no, name=w.name, team=w.team_id, zone=w.zone_id, shift=w.shift_id
        )
        for w in rows
    ]
    return page_of(items, total, paging)


@router.get("/declarations/{employee_no}/{day}", response_model=DeclarationOut)
def get_declaration(
    employee_no: EmployeeNo, day: dt.date, session: DB, caller: HealthStaff
) -> Declaration:
    return service.get_declaration(session, caller.enterprise_id, employee_no, day)  # type: ignore[arg-type]


@router.post("/workers/{employee_no}/clearance", response_model=WorkerView)
def clear(employee_no: EmployeeNo, body: ClearIn, session: DB, caller: HealthOfficer) -> WorkerView:
    """A health officer lets a flagged worker work again; the reason is recorded."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    c = service.clear_worker(session, eid, caller.actor, employee_no, body.reason)
    return worker_view(get_worker(session, eid, employee_no), c, True)
