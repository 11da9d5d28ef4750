"""Workers: the roster (search, filters, server-side pages), one worker, who has not
declared, the export, and the import with a preview of every bad row before anything
is written.

The import is the roster service's ``import_roster``, run twice: once inside a
savepoint that is rolled back (the preview: every bad row and field, or what would be
added and changed), then, on confirm, for real. Between the two the upload waits in
``$KEEPLINE_HOME/console-uploads`` under a random name bound to the enterprise and
user who sent it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import Response

from keepline import clock, settings
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.apikit.params import EmployeeNo, read_upload
from keepline.console import web
from keepline.console.auth import HealthPage, PageReader
from keepline.console.i18n import N_
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.errors import InputError, KeeplineError
from keepline.health import queries as health_queries
from keepline.people import queries, service, work_today
from keepline.scope import EnterpriseScope
from keepline.tabular import RowsError, read_table, write_csv

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE = 50
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOADS = "console-uploads"
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
Filter = Annotated[str | None, Query(max_length=64)]

# The export's columns (the view's fields) and their headings in each language.
EXPORT_COLUMNS = {
    "employee_no": N_("Employee number"),
    "name": N_("Name"),
    "team": N_("Team"),
    "zone": N_("Zone"),
    "shift": N_("Shift"),
    "housing": N_("Housing"),
    "employment_status": N_("Employment status"),
    "cleared": N_("May work today"),
}
PERSONAL_COLUMNS = {"phone": N_("Phone"), "id_number": N_("ID number")}
# The import's fields, named in a problem beside its row.
IMPORT_FIELDS = (
    EXPORT_COLUMNS | PERSONAL_COLUMNS | {"skills": N_("Skills"), "left_on": N_("Left on")}
)


def field_label(field: str) -> str:
    return IMPORT_FIELDS.get(field, field)


def _import_page(request: Request, ctx: dict[str, Any], status: int = 200) -> Response:
    return web.render(request, "import.html", ctx | dict(field_label=field_label), status)


@dataclass(frozen=True)
class RosterFilter:
    """The roster's filters as typed (``typed``, to show them again) and as the query
    takes them (blank → none)."""

    typed: dict[str, str]

    def value(self, name: str) -> str | None:
        return _blank(self.typed[name])

    @property
    def cleared(self) -> bool | None:
        return _cleared(self.typed["cleared"])

    def query(self) -> dict[str, Any]:
        """The query's keywords (``q``, ``zone``, ``shift``, ``team``, ``cleared``)."""
        return {n: self.value(n) for n in ("q", "zone", "shift", "team")} | {
            "cleared": self.cleared
        }

    def shown(self) -> dict[str, str]:
        """The filters in force, for the pager's and the export's links."""
        return {k: v for k, v in self.typed.items() if _blank(v)}


async def roster_filter(  # async: no I/O, no worker-thread hop
    q: Annotated[str | None, Query(max_length=100)] = None,
    zone: Filter = None,
    shift: Filter = None,
    team: Filter = None,
    cleared: Annotated[str | None, Query(pattern="^(|true|false)$")] = None,
) -> RosterFilter:
    typed = dict(q=q, zone=zone, shift=shift, team=team, cleared=cleared)
    return RosterFilter({k: v or "" for k, v in typed.items()})


RosterFilters = Annotated[RosterFilter, Depends(roster_filter)]


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _cleared(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


def _roster_rows(
    session: Session,
    scope: EnterpriseScope,
    paging: ListParams,
    filters: dict[str, Any],
) -> tuple[list[Any], int]:
    """A page of the roster as ``GET /workers`` reads it (same query, same verdicts)."""
    cleared = filters["cleared"]
    unfit = work_today.unfit_today(session, scope) if cleared is not None else None
    query, count = queries.roster(
        scope,
        zone=filters["zone"],
        shift=filters["shift"],
        team=filters["team"],
        cleared=cleared,
        unfit=unfit,
        q=filters["q"],
    )
    rows, total = fetch_page(session, query, paging, queries.SORTS, "employee_no", count=count)
    return work_today.roster_page_today(session, scope, rows), total


@router.get(f"{PREFIX}/workers")
def roster_page(
    request: Request,
    session: DB,
    scope: PageReader,
    filters: RosterFilters,
    page: Annotated[int, Query(ge=1, le=200_000)] = 1,
    sort: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort=sort or None)
    workers, total = _roster_rows(session, scope, paging, filters.query())
    ctx = dict(
        workers=workers,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        filters=filters.shown(),
        values=filters.typed,
        sort=sort or "",
        personal=scope.sees_personal_data,
        can_import=scope.sees_personal_data,
        fragment=request.headers.get("hx-request") == "true",
    )
    template = "workers_rows.html" if ctx["fragment"] else "workers.html"
    return web.render(request, template, ctx)


@router.get(f"{PREFIX}/workers.csv")
def export_roster(
    request: Request,
    session: DB,
    scope: PageReader,
    filters: RosterFilters,
) -> Response:
    """The filtered roster as CSV (UTF-8 with a BOM, for Excel), headed in the page's
    language; phone and ID number only for the roles that see personal data."""
    lang = web.language(request)
    query = filters.query()
    columns = dict(EXPORT_COLUMNS) | (PERSONAL_COLUMNS if scope.sees_personal_data else {})
    rows: list[dict[str, object]] = []
    offset = 0
    while True:
        paging = ListParams(limit=1000, offset=offset, sort=None)
        views, total = _roster_rows(session, scope, paging, query)
        for v in views:
            values = v.model_dump(include=set(columns))
            values["cleared"] = lang.gettext("yes") if v.cleared else lang.gettext("no")
            values["employment_status"] = lang.gettext(web.status_label(v.employment_status.value))
            rows.append({lang.gettext(columns[k]): values.get(k) for k in columns})
        offset += 1000
        if offset >= total:
            break
    text = write_csv([lang.gettext(h) for h in columns.values()], rows)
    name = f"roster-{clock.today().isoformat()}.csv"
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(f"{PREFIX}/workers/import")
def import_page(request: Request, scope: HealthPage) -> Response:
    return _import_page(request, dict(stage="upload"))


def _upload_dir() -> Path:
    path = settings.home() / UPLOADS
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _upload_path(scope: EnterpriseScope, upload_id: str, suffix: str) -> Path:
    if not _UPLOAD_ID.match(upload_id) or suffix not in (".csv", ".xlsx"):
        raise InputError(["file: the upload has expired; choose the file again"])
    owner = re.sub(r"[^A-Za-z0-9_-]", "_", f"{scope.enterprise_id}-{scope.user_id}")
    return _upload_dir() / f"{owner}-{upload_id}{suffix}"


def _try_import(session: Session, scope: EnterpriseScope, filename: str, data: bytes) -> Any:
    """The import's report as it would be, written inside a savepoint rolled back."""
    nested = session.begin_nested()
    try:
        return service.import_roster(session, scope, read_table(filename, data))
    finally:
        nested.rollback()


@router.post(f"{PREFIX}/workers/import")
def import_preview(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Check the whole file and show every bad row and field, or what the import would
    add and change; nothing is written."""
    filename = (file.filename or "upload.csv")[-120:]
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    try:
        data = read_upload(file, MAX_UPLOAD_BYTES)
        report = _try_import(session, scope, filename, data)
    except RowsError as exc:
        ctx = dict(stage="rejected", filename=filename, problems=exc.rows)
        return _import_page(request, ctx, 422)
    except KeeplineError as exc:
        message = web.error_text(request, exc)
        ctx = dict(stage="rejected", filename=filename, problems=[], message=message)
        return _import_page(request, ctx, 422)
    upload_id = secrets.token_urlsafe(24)
    _upload_path(scope, upload_id, suffix).write_bytes(data)
    ctx = dict(
        stage="preview", filename=filename, report=report, upload_id=upload_id, suffix=suffix
    )
    return _import_page(request, ctx)


@router.post(f"{PREFIX}/workers/import/confirm")
def import_confirm(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    upload_id: Annotated[str, Form(max_length=64)],
    suffix: Annotated[str, Form(max_length=8)],
    filename: Annotated[str, Form(max_length=120)],
) -> Response:
    """Import the previewed file (checked again: the roster may have changed since)."""
    path = _upload_path(scope, upload_id, suffix)
    if not path.exists():
        raise InputError(["file: the upload has expired; choose the file again"])
    data = path.read_bytes()
    try:
        report = service.import_roster(session, scope, read_table(filename, data))
    except RowsError as exc:
        session.rollback()
        ctx = dict(stage="rejected", filename=filename, problems=exc.rows)
        return _import_page(request, ctx, 422)
    path.unlink(missing_ok=True)
    return _import_page(request, dict(stage="done", filename=filename, report=report))


@router.get(f"{PREFIX}/workers/{{employee_no}}")
def worker_page(
    request: Request, session: DB, scope: PageReader, employee_no: EmployeeNo
) -> Response:
    w = service.get_worker(session, scope, employee_no)
    view = work_today.worker_today(session, scope, w)
    return web.render(request, "worker.html", dict(w=view, personal=scope.sees_personal_data))


@dataclass(frozen=True)
class DayList:
    """A page of today's declared or missing list, filtered by zone, shift and team."""

    filters: dict[str, str]
    page: int


async def day_list(  # async: no I/O, no worker-thread hop
    zone: Filter = None,
    shift: Filter = None,
    team: Filter = None,
    page: Annotated[int, Query(ge=1, le=200_000)] = 1,
) -> DayList:
    where = dict(zone=_blank(zone), shift=_blank(shift), team=_blank(team))
    return DayList({k: v for k, v in where.items() if v}, page)


DayListOf = Annotated[DayList, Depends(day_list)]


@router.get(f"{PREFIX}/missing")
def missing_page(request: Request, session: DB, scope: PageReader, of: DayListOf) -> Response:
    """Who has not declared today (``GET /declarations/missing``'s query)."""
    return _day_list(request, session, scope, of)


@router.get(f"{PREFIX}/declared")
def declared_page(request: Request, session: DB, scope: PageReader, of: DayListOf) -> Response:
    """Who has declared today (the same query, the other half of the roster): the list
    behind Today's "declared"."""
    return _day_list(request, session, scope, of, declared=True)


def _day_list(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    of: DayList,
    declared: bool = False,
) -> Response:
    day = clock.today()
    filters, page = of.filters, of.page
    query, count = health_queries.missing(scope, day, declared=declared, **filters)
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort=None)
    rows, total = fetch_page(
        session, query, paging, health_queries.MISSING_SORTS, "employee_no", count=count
    )
    ctx = dict(
        day=day,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        filters=filters,
        declared=declared,
    )
    return web.render(request, "missing.html", ctx)
