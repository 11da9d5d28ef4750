"""The emergency plans' pages: the versions in force and their level, loading a new
version from a YAML file (``plans.versions.load_version``, as ``POST /emergency-plans``),
the activations with what fired them, their actions (confirm / refuse the pending ones,
``plans.activations``) and tasks, standing one down (``plans.runs.stand_down``), and the
signed-in role's tasks (``plans.runs.list_tasks`` / ``task_done``), and the recorded
drills with their reports (``plans.drill_runs``, as ``GET /drills``) and a drill run as a
background job (``jobs.kinds``'s ``drill``, as ``POST /jobs``). Who may do what is
``plans.auth`` and ``jobs.kinds``, as for the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.params import read_upload
from keepline.console import web
from keepline.console.auth import PLAN_RESPONDER_ROLES, DrillRunner, PageReader, PlanAdmin
from keepline.console.auth import PlanResponder as Responder
from keepline.console.i18n import N_, Language
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.errors import InputError
from keepline.jobs import kinds
from keepline.jobs import service as jobs
from keepline.plans import activations, drill_job, drill_runs, runs, versions
from keepline.plans.models import ActivationState, RunState
from keepline.plans.schemas import (
    DRILL_DAYS,
    DRILL_REPLICATES,
    MAX_PLAN_BYTES,
    DoneIn,
    DrillIn,
    PlanVersionIn,
    ReasonIn,
)
from keepline.scope import EnterpriseScope, Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ActionNo = Annotated[int, Path(ge=0, le=1000)]
RESPONDERS = PLAN_RESPONDER_ROLES
REASON_ERROR = N_("Give a reason of 1 to 500 characters.")

ACTION_LABELS = {
    "set_zone_state": N_("set a zone's state"),
    "quarantine_contacts": N_("quarantine the contacts"),
    "create_screening_rounds": N_("create screening rounds"),
    "switch_to_backup_supplier": N_("switch to the backup supplier"),
    "raise_reorder": N_("raise the reorder"),
    "replan": N_("re-plan production"),
    "raise_level": N_("raise the plan level"),
    "notify": N_("notify"),
    "create_task": N_("create a task"),
}
RUN_STATE_LABELS = {
    "pending": N_("waiting for confirmation"),
    "done": N_("done"),
    "failed": N_("failed"),
    "refused": N_("refused"),
}
ACTIVATION_STATE_LABELS = {"open": N_("open"), "closed": N_("closed")}


# The reasons a drill's report gives (plans.drill, plans.replay), as labels; a reason
# with values in it stays as written.
DRILL_REASONS = {
    "its condition never held": N_("its condition never held"),
    "its rule is not simulated": N_("its rule is not simulated"),
    "its rule never fired": N_("its rule never fired"),
    "waits for a person to confirm it": N_("waits for a person to confirm it"),
    "did not run": N_("did not run"),
    "difficulties raised to the government are not simulated": N_(
        "difficulties raised to the government are not simulated"
    ),
}


def drill_reason(lang: Language, reason: str) -> str:
    """A drill's reason in ``lang`` (each of its ``; ``-joined parts we know)."""
    parts = reason.split("; ")
    return "; ".join(lang.gettext(DRILL_REASONS[p]) if p in DRILL_REASONS else p for p in parts)


def _labels() -> dict[str, object]:
    return dict(
        action_label=lambda k: ACTION_LABELS.get(k, k),
        run_label=lambda s: RUN_STATE_LABELS.get(s, s),
        activation_label=lambda s: ACTIVATION_STATE_LABELS.get(s, s),
    )


def _plans_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    force = {v.id for v in versions.in_force(session, scope)}
    rows = [
        dict(
            v=v,
            in_force=v.id in force,
            level=versions.current_level(session, scope, v.plan_id) if v.id in force else None,
        )
        for v in versions.list_versions(session, scope)
    ]
    ctx = dict(
        rows=rows,
        problems=problems or [],
        can_load=scope.role == Role.admin,
        loaded=request.query_params.get("loaded"),  # the version just loaded
    )
    return web.render(request, "plans.html", ctx, status)


@router.get(f"{PREFIX}/plans")
def plans_page(
    request: Request,
    session: DB,
    scope: PageReader,
    loaded: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    return _plans_page(request, session, scope)


@router.post(f"{PREFIX}/plans")
def load_plan(
    request: Request,
    session: DB,
    scope: PlanAdmin,
    _csrf: Csrf,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Check the file against the plant and store it as a frozen version; a bad file is
    the page again with each problem (``file:line field: message``), nothing written."""
    filename = (file.filename or "plan.yaml")[-120:]
    try:
        data = read_upload(file, MAX_PLAN_BYTES)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError([f"{filename}: the file is not UTF-8 text"]) from None
        if not text.strip():
            raise InputError([f"{filename}: the file is empty"])
        row, _ = versions.load_version(session, scope, PlanVersionIn(yaml=text, filename=filename))
    except InputError as exc:
        return _plans_page(request, session, scope, web.language(request).error(exc), 422)
    return RedirectResponse(f"{PREFIX}/plans?loaded={row.id}", status_code=303)


@router.get(f"{PREFIX}/activations")
def activations_page(
    request: Request,
    session: DB,
    scope: PageReader,
    state: Annotated[str, Query(pattern="^(open|closed|all)$")] = "open",
) -> Response:
    which = None if state == "all" else ActivationState(state)
    rows = [
        runs.activation_out(session, scope, a) for a in runs.list_activations(session, scope, which)
    ]
    ctx = dict(rows=rows, state=state, **_labels())
    return web.render(request, "activations.html", ctx)


def _activation_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    activation_id: int,
    error: str | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    act = runs.activation_out(session, scope, runs.get_activation(session, scope, activation_id))
    ctx = dict(
        act=act,
        is_open=act.state == ActivationState.open.value,
        pending=RunState.pending.value,
        can_act=scope.role in RESPONDERS,
        error=error,
        typed=typed or {},
        **_labels(),
    )
    return web.render(request, "activation.html", ctx, status)


@router.get(f"{PREFIX}/activations/{{activation_id}}")
def activation_page(
    request: Request, session: DB, scope: PageReader, activation_id: Id
) -> Response:
    return _activation_page(request, session, scope, activation_id)


def _back(activation_id: int) -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/activations/{activation_id}", status_code=303)


def _with_reason(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    activation_id: int,
    reason: str,
    act: Callable[[str], object],
    form: str,
) -> Response:
    """``act`` with the reason as the API takes it (``ReasonIn``), then back to the
    activation; a missing or too long reason is the page again, said next to the field of
    ``form`` (``refuse-N``, ``stand-down``), the reason as typed."""
    try:
        body = ReasonIn(reason=reason.strip())
    except ValidationError:
        error = web.language(request).gettext(REASON_ERROR)
        typed = dict(form=form, reason=reason)
        return _activation_page(request, session, scope, activation_id, error, 422, typed)
    act(body.reason)
    return _back(activation_id)


@router.post(f"{PREFIX}/activations/{{activation_id}}/actions/{{n}}/confirm")
def confirm(
    request: Request, session: DB, scope: Responder, _csrf: Csrf, activation_id: Id, n: ActionNo
) -> Response:
    activations.confirm(session, scope, activation_id, n)
    return _back(activation_id)


@router.post(f"{PREFIX}/activations/{{activation_id}}/actions/{{n}}/refuse")
def refuse(
    request: Request,
    session: DB,
    scope: Responder,
    _csrf: Csrf,
    activation_id: Id,
    n: ActionNo,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def refused(why: str) -> object:
        return activations.refuse(session, scope, activation_id, n, why)

    return _with_reason(request, session, scope, activation_id, reason, refused, f"refuse-{n}")


@router.post(f"{PREFIX}/activations/{{activation_id}}/stand-down")
def stand_down(
    request: Request,
    session: DB,
    scope: Responder,
    _csrf: Csrf,
    activation_id: Id,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def stood_down(why: str) -> object:
        return runs.stand_down(session, scope, activation_id, why)

    return _with_reason(request, session, scope, activation_id, reason, stood_down, "stand-down")


@router.get(f"{PREFIX}/tasks")
def tasks_page(
    request: Request,
    session: DB,
    scope: PageReader,
    done: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The open tasks of the signed-in user's role, soonest deadline first."""
    at = clock.now()
    rows = [runs.task_out(t, at) for t in runs.list_tasks(session, scope, role=scope.role.value)]
    ctx = dict(rows=rows, can_act=scope.role in RESPONDERS, done=done)
    return web.render(request, "tasks.html", ctx)


@router.post(f"{PREFIX}/tasks/{{task_id}}/done")
def task_done(
    request: Request,
    session: DB,
    scope: Responder,
    _csrf: Csrf,
    task_id: Id,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    runs.task_done(session, scope, task_id, DoneIn(note=note).note)
    return RedirectResponse(f"{PREFIX}/tasks?done={task_id}", status_code=303)


# -- drills -------------------------------------------------------------------------------

# The scores a drill report shows: (summary key, label, decimals, has a no-plan value).
SCORES: tuple[tuple[str, str, int, bool], ...] = (
    ("days_to_first_trigger", N_("Days from the first infection to the first trigger"), 1, False),
    ("days_to_zone_locked", N_("Days from the first infection to a zone locked"), 1, False),
    (
        "days_to_first_screening",
        N_("Days from the first infection to the first screening"),
        1,
        False,
    ),
    ("infections", N_("Workers infected"), 1, True),
    ("worker_days_lost", N_("Worker-days lost"), 0, True),
    ("critical_orders_late", N_("Critical orders late"), 1, True),
    ("critical_units_short", N_("Critical units short by their due days"), 0, True),
    ("tasks_overdue", N_("Tasks overdue"), 1, False),
)
CHARTS = (
    ("new_infections", N_("New infections per day"), N_("workers infected")),
    ("present", N_("Workers at work per day"), N_("workers at work")),
)


def score_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each score: its label, the value with no plan (when it has one), each plan's."""
    plans = report["plans"]
    return [
        dict(
            label=label,
            digits=digits,
            no_plan=plans[0]["summary"][f"{key}_no_plan"] if paired else None,
            paired=paired,
            cells=[p["summary"][key] for p in plans],
            worse=[
                paired and (p["summary"][key] or 0) > (p["summary"][f"{key}_no_plan"] or 0)
                for p in plans
            ],
        )
        for key, label, digits, paired in SCORES
    ]


def day_chart(report: dict[str, Any], series: str, axis: str, lang: Language) -> dict[str, Any]:
    """The ECharts option of a line chart of a daily series of the first replicate: the
    scenario with no plan, then each plan."""
    plans = report["plans"]
    first = plans[0]["replicates"][0]["daily"]
    lines = [(lang.gettext("no plan"), first[f"{series}_no_plan"])] + [
        (f"{p['id']} v{p['version']}", p["replicates"][0]["daily"][series]) for p in plans
    ]
    return {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "name": lang.gettext("day"),
            "data": list(range(len(first[series]))),
        },
        "yAxis": {"type": "value", "name": lang.gettext(axis)},
        "series": [
            {"type": "line", "name": name, "data": data, "showSymbol": False}
            for name, data in lines
        ],
    }


def _json_script(value: Any) -> str:
    """JSON for a <script type="application/json"> (no "</script>" can close it)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


DRILL_FIELDS = ("plan", "compare", "scenario", "days", "seed", "replicates")


def _drills_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    can_run = scope.role in kinds.KINDS["drill"].roles
    loaded, scenarios = drill_job.offered(session, scope) if can_run else ([], [])
    ctx = dict(
        rows=drill_runs.list_drills(session, scope),
        can_run=can_run,
        versions=loaded,
        scenarios=scenarios,
        values=values
        or dict(
            plan="",
            compare="",
            scenario=scenarios[0] if scenarios else "",
            days=DRILL_DAYS,
            seed=1,
            replicates=DRILL_REPLICATES,
        ),
        errors=errors or {},
    )
    return web.render(request, "drills.html", ctx, status)


@router.get(f"{PREFIX}/drills")
def drills_page(request: Request, session: DB, scope: PageReader) -> Response:
    """The recorded drills, newest first, with their scores; to planners and admins, the
    form that runs one as a background job."""
    return _drills_page(request, session, scope)


@router.post(f"{PREFIX}/drills")
def start_drill(
    request: Request,
    session: DB,
    scope: DrillRunner,
    _csrf: Csrf,
    plan: Annotated[str, Form(max_length=20)] = "",
    compare: Annotated[str, Form(max_length=20)] = "",
    scenario: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[str, Form(max_length=20)] = "",
    seed: Annotated[str, Form(max_length=20)] = "",
    replicates: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Queue the drill (``jobs.kinds``'s ``drill``, as ``POST /jobs``) and go to its job's
    page; a refused form is the page again with what was typed and each problem beside
    its field, nothing queued."""
    values = dict(
        plan=plan, compare=compare, scenario=scenario, days=days, seed=seed, replicates=replicates
    )
    given = {k: v for k, v in values.items() if v != ""}
    try:
        body = DrillIn.model_validate(given)
        drill_job.check(session, scope, body.model_dump(mode="json"))
        params = kinds.checked("drill", body.model_dump(mode="json"))
    except (ValidationError, InputError) as exc:
        errors = web.refusal(session, exc, DRILL_FIELDS)
        return _drills_page(request, session, scope, values, errors, 422)
    job = jobs.submit(session, scope, "drill", params)
    return RedirectResponse(f"{PREFIX}/jobs/{job.id}", status_code=303)


@router.get(f"{PREFIX}/drills/{{drill_id}}")
def drill_page(request: Request, session: DB, scope: PageReader, drill_id: Id) -> Response:
    """One drill's report: the scores of each plan beside the scenario with no plan, the
    daily curves, the rules the drill cannot fire or that never fired, the actions that
    never ran, and what each plan did (the first replicate)."""
    row = drill_runs.get_drill(session, scope, drill_id)
    report = row.report
    lang = web.language(request)
    charts = [
        dict(
            id=f"chart-{series}",
            title=title,
            option=_json_script(day_chart(report, series, axis, lang)),
        )
        for series, title, axis in CHARTS
    ]
    ctx = dict(
        row=row,
        d=report,
        scores=score_rows(report),
        charts=charts,
        drill_reason=lambda reason: drill_reason(lang, reason),
        **_labels(),
    )
    return web.render(request, "drill.html", ctx)
