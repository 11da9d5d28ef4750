"""Background jobs in the console: the assessment (a form with the smallest honest
defaults, the past runs, their reports) and one job's page with its progress bar, polled
with htmx and read from the database, so it survives a reload or another browser. Jobs
are queued with ``jobs.service.submit`` after ``jobs.kinds.checked``, as ``POST /jobs``;
the server's runner (``jobs.runner``) runs them."""

from __future__ import annotations

import functools
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from keepline.apikit.deps import DB
from keepline.assessment import from_record
from keepline.assessment.report import render_html
from keepline.assessment.schemas import DEFAULT_DAYS, DEFAULT_REPLICATES, AssessmentIn
from keepline.console import web
from keepline.console.auth import AssessmentRunner, PageReader
from keepline.console.i18n import N_, Language, translations
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.errors import InputError, NotFound
from keepline.jobs import kinds, service
from keepline.jobs.models import Job, JobState
from keepline.people import import_job
from keepline.plans import drill_job
from keepline.production import replan
from keepline.scope import EnterpriseScope

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
BASE = f"{PREFIX}/assessment"
JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FIELDS = ("policies", "scenario", "days", "replicates", "seed")
POLL_SECONDS = 1
PAST_RUNS = 30

KIND_LABELS = {
    "assessment": N_("Continuity assessment"),
    "replan": N_("Re-plan from today"),
    import_job.KIND: N_("Roster import"),
    "drill": N_("Emergency-plan drill"),
}
JOB_STATE_LABELS = {
    JobState.queued.value: N_("queued"),
    JobState.running.value: N_("running"),
    JobState.done.value: N_("done"),
    JobState.failed.value: N_("failed"),
}
# The stages the job kinds report (``progress(fraction, stage)``), in both languages.
STAGE_LABELS = {
    from_record.STAGE_SWEEP: N_("outbreak, plans and exposure"),
    from_record.STAGE_REPORT: N_("writing the report"),
    replan.STAGE_GATHER: N_("reading the day's record"),
    replan.STAGE_PLAN: N_("planning"),
    replan.STAGE_STORE: N_("storing the plan"),
    import_job.STAGE_READ: N_("reading the file"),
    import_job.STAGE_CHECK: N_("checking rows"),
    import_job.STAGE_WRITE: N_("writing the roster"),
    drill_job.STAGE_POPULATION: N_("building the population and calibrating the outbreak"),
    drill_job.STAGE_NO_PLAN: N_("the scenario with no plan"),
    drill_job.STAGE_PLAN: N_("drilling the plan"),
    drill_job.STAGE_DONE: N_("drill done"),
}
# Where a job's page goes back to, by kind (else the production plan, for a re-plan).
BACK = {"assessment": BASE, "drill": f"{PREFIX}/drills"}


def labels() -> dict[str, Any]:
    return dict(
        kind_label=lambda k: KIND_LABELS.get(k, k),
        job_state_label=lambda s: JOB_STATE_LABELS.get(s, s),
        stage_label=lambda s: STAGE_LABELS.get(s, s),
    )


def job_view(job: Job) -> dict[str, Any]:
    """What a job's page and its progress fragment show."""
    running = job.state in (JobState.queued.value, JobState.running.value)
    result = job.result or {}
    report = "report.html" in result.get("files", ())
    return dict(
        job=job,
        running=running,
        percent=round(100 * job.progress),
        recommended=result.get("recommended"),
        report=f"{PREFIX}/jobs/{job.id}/report" if report else None,
        plan=f"{PREFIX}/production-plan?plan={result['plan_id']}" if "plan_id" in result else None,
        drill=f"{PREFIX}/drills/{result['drill_id']}" if "drill_id" in result else None,
        poll=f"{PREFIX}/jobs/{job.id}/progress",
        every=POLL_SECONDS,
    )


def _assessment_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    plant = from_record.plant_of(session, scope)
    policies = [c.name for c in from_record.policies()]
    scenarios = [c.name for c in from_record.scenarios(plant)]
    ctx = dict(
        values=values
        or dict(
            policies=policies,
            scenario="",
            days=DEFAULT_DAYS,
            replicates=DEFAULT_REPLICATES,
            seed=1,
        ),
        errors=errors or {},
        policies=policies,
        scenarios=scenarios,
        can_run=scope.role in kinds.KINDS["assessment"].roles,
        runs=[job_view(j) for j in service.list_jobs(session, scope, "assessment", PAST_RUNS)],
        base=BASE,
        **labels(),
    )
    return web.render(request, "assessment.html", ctx, status)


@router.get(BASE)
def assessment_page(request: Request, session: DB, scope: PageReader) -> Response:
    """The form (to planners and admins) and the past runs (to every role)."""
    return _assessment_page(request, session, scope)


@router.post(BASE)
def run_assessment(
    request: Request,
    session: DB,
    scope: AssessmentRunner,
    _csrf: Csrf,
    policies: Annotated[list[str] | None, Form(max_length=200)] = None,
    scenario: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[str, Form(max_length=20)] = "",
    replicates: Annotated[str, Form(max_length=20)] = "",
    seed: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Queue the assessment and go to its page; a refused form is the page again with
    what was typed and each problem next to its field, nothing queued."""
    values = dict(
        policies=policies or [], scenario=scenario, days=days, replicates=replicates, seed=seed
    )
    given = {k: v for k, v in values.items() if v not in ("", [])}
    try:
        body = AssessmentIn.model_validate({**given, "policies": values["policies"]})
        from_record.prepare(from_record.plant_of(session, scope), body)
        params = kinds.checked("assessment", body.model_dump(mode="json"))
    except (ValidationError, InputError) as exc:
        errors = web.refusal(session, exc, FIELDS)
        return _assessment_page(request, session, scope, values, errors, 422)
    job = service.submit(session, scope, "assessment", params)
    return RedirectResponse(f"{PREFIX}/jobs/{job.id}", status_code=303)


@router.get(f"{PREFIX}/jobs/{{job_id}}")
def job_page(request: Request, session: DB, scope: PageReader, job_id: JobId) -> Response:
    job = service.get(session, scope, job_id)
    if job.kind == import_job.KIND:  # its page shows the rows, for the roles that may
        return RedirectResponse(f"{PREFIX}/workers/import/{job.id}", status_code=303)
    back = BACK.get(job.kind, f"{PREFIX}/production-plan")
    ctx = dict(**job_view(job), back=back, **labels())
    return web.render(request, "job.html", ctx)


@router.get(f"{PREFIX}/jobs/{{job_id}}/progress")
def job_progress(request: Request, session: DB, scope: PageReader, job_id: JobId) -> Response:
    """The progress fragment htmx polls; once the job has ended it has no trigger left,
    so the polling stops. A private kind's job (a roster import) is 404 to the roles
    that may not start it, as in the API."""
    job = service.get(session, scope, job_id)
    spec = kinds.KINDS.get(job.kind)
    if spec is not None and not spec.read_by(scope.role):
        raise NotFound(f"no job {job_id}", field="job_id")
    ctx = dict(**job_view(job), **labels())
    return web.render(request, "_job_progress.html", ctx)


@router.get(f"{PREFIX}/jobs/{{job_id}}/report")
def job_report(request: Request, session: DB, scope: PageReader, job_id: JobId) -> Response:
    """The assessment's self-contained report, from the job's files (the enterprise's)."""
    f = service.get_file(session, scope, job_id, "report.html")
    try:
        data = service.get_file(session, scope, job_id, "report.json").content
    except NotFound:  # a report without its numbers: the page as it was written
        return Response(f.content, media_type=f.media_type)
    lang = web.language(request)
    return HTMLResponse(report_page(job_id, lang.code, data))


@functools.lru_cache(maxsize=8)
def report_page(job_id: int, lang: str, data: bytes) -> str:
    """The assessment's page drawn from its ``report.json`` in ``lang`` (the stored
    ``report.json`` is language-neutral; drawing the plots takes a moment, so the last
    few pages are kept: a job's files never change). Called after the scope's check."""
    return render_html(json.loads(data), translations(lang), Language(lang).html_lang)
