"""Workers: the roster (search, filters, server-side pages), one worker, who has not
declared, the export, and the import with a preview of every bad row before anything
is written.

The import is two background jobs of kind ``roster_import`` (``people.import_job``):
the upload is kept with the first, which checks it (the preview: every bad row and field,
or what would be added and changed; nothing written); on confirm the second writes it
through the roster service's ``import_roster`` (as ``POST /workers/import``). Each job's
page shows its progress, read from the database, so one may leave and come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.apikit.params import EmployeeNo, read_upload
from keepline.console import jobs as console_jobs
from keepline.console import web
from keepline.console.auth import HealthPage, PageReader
from keepline.console.i18n import N_
from keepline.console.jobs import JobId
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.errors import KeeplineError, NotFound
from keepline.health import queries as health_queries
from keepline.jobs import service as jobs_service
from keepline.jobs.models import Job, JobState
from keepline.people import import_job, queries, service, work_today
from keepline.scope import EnterpriseScope
from keepline.tabular import write_csv

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE = 50
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
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


def _import_job(session: Session, scope: EnterpriseScope, job_id: int) -> Job:
    job = jobs_service.get(session, scope, job_id)
    if job.kind != import_job.KIND:
        raise NotFound(f"no roster import {job_id}", field="job_id")
    return job


def _job_ctx(job: Job) -> dict[str, Any]:
    """A roster import's job as its page shows it: running (its progress bar, polled),
    failed (its error), or ended: the bad rows and fields (nothing written), the preview
    (a check that passed, with the confirm button) or the counts written."""
    result = job.result or {}
    view = console_jobs.job_view(job) | dict(poll=f"{PREFIX}/workers/import/{job.id}/progress")
    if view["running"] or job.state == JobState.failed.value:
        stage = "job"
    elif result.get("problems"):
        stage = "rejected"
    else:
        stage = "done" if result.get("write") else "preview"
    return dict(
        view,
        stage=stage,
        filename=result.get("filename") or job.params.get("filename", ""),
        problems=[import_job.problem_of(p) for p in result.get("problems", ())],
        report=result,
        **console_jobs.labels(),
    )


@router.post(f"{PREFIX}/workers/import")
def import_upload(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Keep the file with a job that checks it (every bad row and field, or what the
    import would add and change; nothing written) and go to that job's page."""
    filename = (file.filename or "upload.csv")[-120:]
    try:
        data = read_upload(file, MAX_UPLOAD_BYTES)
    except KeeplineError as exc:
        message = web.error_text(request, exc)
        ctx = dict(stage="rejected", filename=filename, problems=[], message=message)
        return _import_page(request, ctx, 422)
    job = import_job.submit_check(session, scope, filename, data)
    return RedirectResponse(f"{PREFIX}/workers/import/{job.id}", status_code=303)


@router.get(f"{PREFIX}/workers/import/{{job_id}}")
def import_job_page(request: Request, session: DB, scope: HealthPage, job_id: JobId) -> Response:
    """The import's job: its progress while it runs, then its preview or its outcome;
    one may leave it and come back."""
    return _import_page(request, _job_ctx(_import_job(session, scope, job_id)))


@router.get(f"{PREFIX}/workers/import/{{job_id}}/progress")
def import_job_progress(
    request: Request, session: DB, scope: HealthPage, job_id: JobId
) -> Response:
    """The fragment htmx polls: the progress bar, then (no trigger left) the outcome."""
    ctx = _job_ctx(_import_job(session, scope, job_id)) | dict(field_label=field_label)
    return web.render(request, "_import_job.html", ctx)


@router.post(f"{PREFIX}/workers/import/{{job_id}}/confirm")
def import_confirm(session: DB, scope: HealthPage, _csrf: Csrf, job_id: JobId) -> Response:
    """Write the checked file (a job; checked again: the roster may have changed)."""
    job = import_job.submit_write(session, scope, _import_job(session, scope, job_id))
    return RedirectResponse(f"{PREFIX}/workers/import/{job.id}", status_code=303)


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
