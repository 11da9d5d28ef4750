"""Screening: the rounds, one round (pools, positives, coverage, its sampling list),
planning a round with the pool size the record recommends, and uploading a lab's
results. Every page calls the screening services the API calls (``screening/api.py``):
``planning.plan_round``, ``rounds.recommend_pool``, ``sampling``, ``render``,
``positives.import_results`` and ``coverage``; refusals are shown next to their field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.apikit.params import read_upload
from keepline.console import today, web
from keepline.console.auth import HealthPage, PageReader
from keepline.console.i18n import N_
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.containment import queries as containment_queries
from keepline.errors import InputError
from keepline.plans import recorded
from keepline.plant.service import get_enterprise
from keepline.scope import EnterpriseScope
from keepline.screening import planning, queries, render, rounds, sampling
from keepline.screening.models import Sample
from keepline.screening.platemap import MatchBy
from keepline.screening.schemas import RoundIn

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
BASE = f"{PREFIX}/screening"
PAGE = 50
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # as the API's
FIELDS = ("day", "zones", "shifts", "test_type", "pool_size", "prevalence")
KIND_LABELS = {
    "pool": N_("pool"),
    "single": N_("individual"),
    "retest": N_("retest"),
    "resample": N_("resample"),
}
VERDICT_LABELS = {
    "positive": N_("positive"),
    "negative": N_("negative"),
    "retest": N_("retest"),
    "resample": N_("resample"),
}
LINK_LABELS = {
    "sample-id": N_("sample id"),
    "description": N_("sample description"),
    "name": N_("plate map's sample name"),
    "well": N_("plate map's well"),
}
CONTROL_LABELS = {
    "ntc": N_("no-template control"),
    "pos": N_("positive control"),
    "std": N_("standard curve"),
}
RoundId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Names = Annotated[list[str] | None, Query(max_length=100)]


def field_errors(problems: list[str]) -> dict[str, list[str]]:
    """A refusal's lines by the field of the form they name (``"pool_size: …"``)."""
    return web.field_errors(problems, FIELDS)


def _split(text: str) -> list[str]:
    return [s.strip() for s in text.replace("，", ",").split(",") if s.strip()]


def _recommendation(
    session: Session, scope: EnterpriseScope, zones: list[str], day: dt.date, prevalence: str
) -> tuple[Any, dict[str, list[str]]]:
    """The pool-size recommendation for ``zones`` (at the entered prevalence, in %, or
    the record's positivity), or the refusal by field."""
    try:
        share = float(prevalence) / 100 if prevalence.strip() else None
    except ValueError:
        return None, {"prevalence": [f"expected a percentage, got '{prevalence[:20]}'"]}
    try:
        rec = rounds.recommend_pool(session, scope, zones, day, prevalence=share, required=False)
    except InputError as exc:
        return None, field_errors(exc.problems)
    return rec, {}


def _plan_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HTMLResponse:
    zones = values["zones"] or rounds.plant_zones(session, scope)
    day = values["day"] if isinstance(values["day"], dt.date) else clock.today()
    rec, rec_errors = _recommendation(session, scope, zones, day, values["prevalence"])
    ctx = dict(
        values=values,
        errors={  # a refused zone is refused by both: said once
            k: list(dict.fromkeys(errors.get(k, []) + rec_errors.get(k, [])))
            for k in {*errors, *rec_errors}
        },
        plant_zones=rounds.plant_zones(session, scope),
        rec=rec,
        base=BASE,
    )
    return web.render(request, "screening_plan.html", ctx, status)


@router.get(f"{BASE}")
def rounds_page(
    request: Request,
    session: DB,
    scope: PageReader,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The rounds, newest day first (every role, as ``GET /screening/rounds``)."""
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort="-day")
    rows, total = fetch_page(session, queries.rounds(scope), paging, queries.ROUND_SORTS, "-day")
    ctx = dict(
        rounds=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        health=scope.sees_personal_data,
        base=BASE,
    )
    return web.render(request, "screening_rounds.html", ctx)


@router.get(f"{BASE}/plan")
def plan_page(
    request: Request,
    session: DB,
    scope: HealthPage,
    zone: Names = None,
    prevalence: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The form, with the pool size recommended for the chosen zones."""
    values = dict(
        day=clock.today(),
        zones=zone or [],
        shifts="",
        test_type="pcr",
        pool_size="",
        prevalence=prevalence,
    )
    return _plan_page(request, session, scope, values, {})


@router.post(f"{BASE}/plan")
def plan_submit(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    day: Annotated[str, Form(max_length=20)] = "",
    zones: Annotated[list[str] | None, Form(max_length=100)] = None,
    shifts: Annotated[str, Form(max_length=400)] = "",
    test_type: Annotated[str, Form(max_length=20)] = "pcr",
    pool_size: Annotated[str, Form(max_length=10)] = "",
    prevalence: Annotated[str, Form(max_length=20)] = "",
    action: Annotated[str, Form(max_length=20)] = "plan",
) -> Response:
    """Plan the round (``action=plan``) or only show the recommendation again for the
    zones and prevalence chosen (``action=recommend``); a refusal writes nothing."""
    values: dict[str, Any] = dict(
        day=day,
        zones=zones or [],
        shifts=shifts,
        test_type=test_type,
        pool_size=pool_size,
        prevalence=prevalence,
    )
    try:
        values["day"] = dt.date.fromisoformat(day) if day else clock.today()
    except ValueError:
        return _plan_page(request, session, scope, values, {"day": [f"not a date: '{day}'"]}, 422)
    if action == "recommend":
        return _plan_page(request, session, scope, values, {})
    try:
        body = RoundIn(
            day=values["day"],
            zones=zones or [],
            shifts=_split(shifts) or None,
            test_type=test_type,
            pool_size=pool_size or 1,
        )
        planned = planning.plan_round(session, scope, body)
    except ValidationError as exc:
        errors = field_errors(web.validation_lines(exc))
        return _plan_page(request, session, scope, values, errors, 422)
    except InputError as exc:
        session.rollback()
        return _plan_page(request, session, scope, values, field_errors(exc.problems), 422)
    return RedirectResponse(f"{BASE}/rounds/{planned.round.id}?planned=1", status_code=303)


@router.get(f"{BASE}/rounds/{{round_id}}")
def round_page(
    request: Request,
    session: DB,
    scope: PageReader,
    round_id: RoundId,
    planned: Annotated[int, Query(ge=0, le=1)] = 0,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """A round; its pools (paged, by tube), positives and coverage for the health staff
    only."""
    rnd = rounds.get_round(session, scope, round_id)
    ctx: dict[str, Any] = dict(rnd=rnd, planned=planned, health=scope.sees_personal_data, base=BASE)
    if scope.sees_personal_data:
        paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort="id")
        q = queries.round_samples(session, scope, round_id)
        pools, total = fetch_page(session, q, paging, queries.SAMPLE_SORTS, "id")
        found = list(
            session.scalars(
                queries.round_samples(session, scope, round_id, verdict="positive").order_by(
                    Sample.id
                )
            )
        )
        members = queries.members_by_sample(session, scope, [s.id for s in [*pools, *found]])
        ctx.update(
            pools=[(s, [m.employee_no for m in members.get(s.id, [])]) for s in pools],
            page=page,
            pages=max(1, -(-total // PAGE)),
            total=total,
            positives=[(s, [m.employee_no for m in members.get(s.id, [])]) for s in found],
            cases_of=containment_queries.cases_of_samples(session, scope, [s.id for s in found]),
            kind_labels=KIND_LABELS,
            verdict_labels=VERDICT_LABELS,
            # read over the round's whole roster and tubes: kept per version of the record
            coverage=today.round_coverage(session, scope, round_id),
            excluded=web.kept(
                session,
                scope,
                clock.today(),
                f"excluded:{round_id}",
                lambda: planning.excluded_from(session, scope, rnd),
            ),
            rec=web.kept(
                session,
                scope,
                clock.today(),
                f"recommendation:{round_id}",
                lambda: planning.recommendation_for(session, scope, rnd),
            ),
        )
    return web.render(request, "screening_round.html", ctx)


@router.get(f"{BASE}/rounds/{{round_id}}/sampling-list.csv")
def sampling_csv(round_id: RoundId, session: DB, scope: HealthPage) -> Response:
    rounds.get_round(session, scope, round_id)
    rows = sampling.sampling_list(session, scope, round_id, None)
    return Response(
        "\ufeff" + render.sampling_list_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}-list.csv"'},
    )


@router.get(f"{BASE}/rounds/{{round_id}}/sampling-list")
def sampling_print(round_id: RoundId, session: DB, scope: HealthPage) -> Response:
    """The printable list (the API's ``format=html``)."""
    rnd = rounds.get_round(session, scope, round_id)
    rows = sampling.sampling_list(session, scope, round_id, None)
    name = get_enterprise(session, scope.enterprise_id).name
    excluded = planning.excluded_from(session, scope, rnd)
    return HTMLResponse(render.sampling_list_html(rnd, name, rows, excluded))


@router.get(f"{BASE}/results")
def results_page(request: Request, scope: HealthPage) -> Response:
    return web.render(request, "screening_results.html", dict(stage="upload", base=BASE))


@router.post(f"{BASE}/results")
def results_upload(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    file: Annotated[UploadFile, File()],
    plate_map: Annotated[UploadFile | None, File()] = None,
    match: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Import the lab's file as ``POST /screening/results`` does: all or nothing; a
    refusal lists every problem (a refused plate names its well)."""
    filename = (file.filename or "upload.csv")[-120:]
    base = dict(base=BASE, filename=filename)
    if match and match not in {m.value for m in MatchBy}:
        ctx = base | dict(stage="rejected", problems=[f"match: unknown option '{match[:20]}'"])
        return web.render(request, "screening_results.html", ctx, 422)
    by = MatchBy(match) if match else None
    try:
        data = read_upload(file, MAX_UPLOAD_BYTES)
        pm = None
        if plate_map is not None and plate_map.filename:
            pm = (plate_map.filename[-120:], read_upload(plate_map, MAX_UPLOAD_BYTES))
        report = recorded.import_results(session, scope, filename, data, plate_map=pm, by=by)
    except InputError as exc:
        session.rollback()
        ctx = base | dict(stage="rejected", problems=exc.problems)
        return web.render(request, "screening_results.html", ctx, 422)
    labels = dict(link_labels=LINK_LABELS, control_labels=CONTROL_LABELS)
    ctx = base | labels | dict(stage="done", report=report)
    return web.render(request, "screening_results.html", ctx)
