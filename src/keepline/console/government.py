"""The government's pages and the enterprise's side of them: difficulties (the officer's
queue, one difficulty with the steps it allows, per-department figures; the enterprise
submits, confirms with a rating or reopens) and visits (findings, the briefing pack,
verify or send back; the enterprise answers its rectification tasks).

Every page calls the services of ``difficulties`` and ``government.visits`` with the
scope the API's routes use, so a difficulty or visit out of reach is the 404 page. A step
the service refuses (a transition not allowed, a form field out of bounds) comes back as
the page with the message next to the form, status 422, nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.console import web
from keepline.console.auth import (
    DIFFICULTY_SUBMITTER_ROLES,
    RECTIFICATION_ANSWERER_ROLES,
    DifficultySubmitter,
    GovPage,
    PageReader,
    RectificationAnswerer,
)
from keepline.console.i18n import N_
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.difficulties import queries, service
from keepline.difficulties import schemas as ds
from keepline.difficulties.models import DifficultyCategory, DifficultyState
from keepline.errors import InputError
from keepline.government import schemas as gs
from keepline.government import visits
from keepline.government.models import FindingStatus, Topic
from keepline.scope import EnterpriseScope, JurisdictionScope

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE = 50
G = f"{PREFIX}/gov"
StateFilter = Annotated[str, Query(max_length=20)]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]  # as the API's ids: a bigger one is a 422 page

STATE_LABELS = {
    "submitted": N_("submitted"),
    "transferred": N_("transferred"),
    "accepted": N_("accepted"),
    "in-progress": N_("in progress"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
}
KIND_LABELS = {
    "submitted": N_("submitted"),
    "accepted": N_("accepted"),
    "transferred": N_("transferred"),
    "proposed": N_("solution proposed"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
    "reopened": N_("reopened"),
    "escalated": N_("escalated"),
}
LIMIT_LABELS = {
    "accept": N_("accept"),
    "propose": N_("propose a solution"),
    "close": N_("close"),
}
CATEGORY_LABELS = {
    "logistics-and-passes": N_("logistics and passes"),
    "raw-materials": N_("raw materials"),
    "labour": N_("labour"),
    "prevention-materials": N_("prevention materials"),
    "finance": N_("finance"),
    "policy": N_("policy"),
    "other": N_("other"),
}
FINDING_LABELS = {
    "open": N_("open"),
    "answered": N_("answered"),
    "verified": N_("verified"),
}
TOPIC_LABELS = {
    "prevention": N_("prevention"),
    "resumption": N_("resumption"),
    "capacity": N_("capacity, orders and output"),
    "materials": N_("raw materials and transport"),
    "backup-suppliers": N_("backup suppliers"),
    "logistics": N_("logistics"),
    "living": N_("living conditions"),
}
SEVERITY_LABELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
FORM_ERROR = N_("Check the form: a required field is empty or too long.")
LABELS = dict(
    states=STATE_LABELS,
    kinds=KIND_LABELS,
    limits=LIMIT_LABELS,
    categories=CATEGORY_LABELS,
    finding_states=FINDING_LABELS,
    topics=TOPIC_LABELS,
    severities=SEVERITY_LABELS,
)
# The steps an officer may take; which of them a state allows is ``service.STEPS``.
GOV_STEPS = ("accept", "transfer", "propose", "resolve")


def _render(request: Request, template: str, ctx: dict[str, Any], status: int = 200) -> Response:
    return web.render(request, template, {**LABELS, **ctx}, status)


def _allowed(state: str, steps: tuple[str, ...]) -> list[str]:
    return [s for s in steps if DifficultyState(state) in service.STEPS[s][0]]


def _paged(
    session: Session, q: Any, page: int, columns: Any, sort: str
) -> tuple[list[Any], dict[str, int]]:
    """One page of ``q`` (``PAGE`` rows) and the pager's numbers."""
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort=sort)
    rows, total = fetch_page(session, q, paging, columns, sort)
    return list(rows), dict(total=total, page=page, pages=max(1, -(-total // PAGE)))


def _form(request: Request, model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """The form's fields as the API's body ``model``; a field out of bounds is an
    ``InputError`` whose message the page shows next to the form."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{field}: {web.language(request).gettext(FORM_ERROR)}") from None


# -- the officer's home ---------------------------------------------------------------------


@router.get(G)
def gov_home(request: Request, session: DB, scope: GovPage) -> Response:
    """Where an officer lands: the queue's counts and the links to every page."""
    at = clock.now()
    open_q = queries.gov_query(session, scope, at)
    overdue_q = queries.gov_query(session, scope, at, overdue=True)
    total = _paged(session, open_q, 1, queries.COLUMNS, "-id")[1]["total"]
    overdue = _paged(session, overdue_q, 1, queries.COLUMNS, "-id")[1]["total"]
    ctx = dict(jurisdiction=scope.jurisdiction, total=total, overdue=overdue)
    return _render(request, "gov_home.html", ctx)


# -- difficulties: the officer ---------------------------------------------------------------


@router.get(f"{G}/difficulties")
def gov_queue(
    request: Request,
    session: DB,
    scope: GovPage,
    state: StateFilter = "",
    overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    at = clock.now()
    if state and state not in STATE_LABELS:
        raise InputError(f"state: no state '{state[:20]}'")
    q = queries.gov_query(session, scope, at, state=state or None, overdue=overdue)
    rows, pager = _paged(session, q, page, queries.COLUMNS, "-id")
    filters = {"state": state} if state else {}
    if overdue:
        filters["overdue"] = "true"
    ctx = dict(
        items=queries.outs(session, rows, at),
        **pager,
        filters=filters,
        state=state,
        overdue=overdue,
    )
    return _render(request, "gov_difficulties.html", ctx)


def _gov_one(
    request: Request,
    session: Session,
    scope: JurisdictionScope,
    difficulty_id: int,
    error: str = "",
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    d = queries.one_for_officer(session, scope, difficulty_id, clock.now())
    ctx = dict(
        d=d, steps=_allowed(d.state, GOV_STEPS), error=error, officer=True, typed=typed or {}
    )
    return _render(request, "difficulty.html", ctx, status)


@router.get(f"{G}/difficulties/figures")
def gov_figures(request: Request, session: DB, scope: GovPage) -> Response:
    figures = queries.department_figures(session, scope, clock.now())
    return _render(request, "gov_figures.html", dict(figures=figures))


@router.get(f"{G}/difficulties/{{difficulty_id}}")
def gov_difficulty(request: Request, session: DB, scope: GovPage, difficulty_id: Id) -> Response:
    return _gov_one(request, session, scope, difficulty_id)


@router.post(f"{G}/difficulties/{{difficulty_id}}/{{step}}")
def gov_step(
    request: Request,
    session: DB,
    scope: GovPage,
    _csrf: Csrf,
    difficulty_id: Id,
    step: str,
    note: Annotated[str, Form(max_length=4000)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Accept, transfer, propose or resolve (the service checks the state)."""
    service.visible(session, scope, difficulty_id)  # out of reach: 404 before anything
    try:
        if step == "transfer":
            body = _form(request, ds.TransferIn, dict(department=department, note=note))
            assert isinstance(body, ds.TransferIn)
            service.transfer(session, scope, difficulty_id, body)
        elif step == "propose":
            _form(request, ds.ProposeIn, dict(solution=note))
            service.handle(session, scope, difficulty_id, "propose", note)
        elif step in ("accept", "resolve"):
            _form(request, ds.NoteIn, dict(note=note))
            service.handle(session, scope, difficulty_id, step, note)  # type: ignore[arg-type]
        else:
            raise InputError(f"step: no step '{step[:20]}'")
    except InputError as exc:
        session.rollback()
        typed = dict(step=step, note=note, department=department)
        error = web.error_text(request, exc)
        return _gov_one(request, session, scope, difficulty_id, error, 422, typed)
    if step == "transfer":  # the officer may no longer see it
        return RedirectResponse(f"{G}/difficulties", status_code=303)
    return RedirectResponse(f"{G}/difficulties/{difficulty_id}", status_code=303)


# -- difficulties: the enterprise ------------------------------------------------------------


def _own_list(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    state: str = "",
    page: int = 1,
    error: str = "",
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    at = clock.now()
    q = queries.own_query(scope, at, state=state or None)
    rows, pager = _paged(session, q, page, queries.COLUMNS, "-id")
    ctx = dict(
        items=queries.outs(session, rows, at),
        **pager,
        filters={"state": state} if state else {},
        state=state,
        can_submit=scope.role in DIFFICULTY_SUBMITTER_ROLES,
        category_values=[c.value for c in DifficultyCategory],
        error=error,
        typed=typed or {},
    )
    return _render(request, "difficulties.html", ctx, status)


@router.get(f"{PREFIX}/difficulties")
def own_list(
    request: Request,
    session: DB,
    scope: PageReader,
    state: StateFilter = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if state and state not in STATE_LABELS:
        raise InputError(f"state: no state '{state[:20]}'")
    return _own_list(request, session, scope, state, page)


@router.post(f"{PREFIX}/difficulties")
def own_submit(
    request: Request,
    session: DB,
    scope: DifficultySubmitter,
    _csrf: Csrf,
    category: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        body = _form(request, ds.DifficultyIn, dict(category=category, text=text.strip()))
    except InputError as exc:
        typed = dict(category=category, text=text)
        error = web.error_text(request, exc)
        return _own_list(request, session, scope, error=error, status=422, typed=typed)
    assert isinstance(body, ds.DifficultyIn)
    row = service.submit(session, scope, body)
    return RedirectResponse(f"{PREFIX}/difficulties/{row.id}", status_code=303)


def _own_one(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    difficulty_id: int,
    error: str = "",
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    d = queries.one_for_enterprise(session, scope, difficulty_id, clock.now())
    steps = _allowed(d.state, ("confirm", "reopen"))
    if scope.role not in DIFFICULTY_SUBMITTER_ROLES:
        steps = []
    ctx = dict(d=d, steps=steps, error=error, officer=False, typed=typed or {})
    return _render(request, "difficulty.html", ctx, status)


@router.get(f"{PREFIX}/difficulties/{{difficulty_id}}")
def own_one(request: Request, session: DB, scope: PageReader, difficulty_id: Id) -> Response:
    return _own_one(request, session, scope, difficulty_id)


@router.post(f"{PREFIX}/difficulties/{{difficulty_id}}/{{step}}")
def own_step(
    request: Request,
    session: DB,
    scope: DifficultySubmitter,
    _csrf: Csrf,
    difficulty_id: Id,
    step: str,
    rating: Annotated[str, Form(max_length=2)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Confirm with a rating, or reopen with a reason."""
    service.own(session, scope, difficulty_id)  # another enterprise's: 404
    try:
        body: BaseModel
        if step == "confirm":
            body = _form(request, ds.ConfirmIn, dict(rating=rating or None, comment=note))
        elif step == "reopen":
            body = _form(request, ds.ReopenIn, dict(reason=note))
        else:
            raise InputError(f"step: no step '{step[:20]}'")
        service.answer(session, scope, difficulty_id, body)  # type: ignore[arg-type]
    except InputError as exc:
        session.rollback()
        typed = dict(step=step, rating=rating, note=note)
        error = web.error_text(request, exc)
        return _own_one(request, session, scope, difficulty_id, error, 422, typed)
    return RedirectResponse(f"{PREFIX}/difficulties/{difficulty_id}", status_code=303)


# -- visits: the officer ---------------------------------------------------------------------


@router.get(f"{G}/visits")
def gov_visits(
    request: Request,
    session: DB,
    scope: GovPage,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    q = visits.visits_query(session, scope)
    rows, pager = _paged(session, q, page, visits.VISIT_SORTS, "-day")
    ctx = dict(items=[visits.visit_out(session, v) for v in rows], **pager, filters={})
    return _render(request, "gov_visits.html", ctx)


def _visit(
    request: Request,
    session: Session,
    scope: JurisdictionScope,
    visit_id: int,
    error: str = "",
    error_at: int | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    v = visits.visit_out(session, visits.visit_of(session, scope, visit_id))
    ctx = dict(
        v=v,
        error=error,
        error_at=error_at,
        typed=typed or {},
        topic_values=[t.value for t in Topic],
        due_default=(clock.today() + dt.timedelta(days=7)).isoformat(),
    )
    return _render(request, "gov_visit.html", ctx, status)


@router.get(f"{G}/visits/{{visit_id}}")
def gov_visit(request: Request, session: DB, scope: GovPage, visit_id: Id) -> Response:
    return _visit(request, session, scope, visit_id)


@router.post(f"{G}/visits/{{visit_id}}/findings")
def gov_add_finding(
    request: Request,
    session: DB,
    scope: GovPage,
    _csrf: Csrf,
    visit_id: Id,
    text: Annotated[str, Form(max_length=2000)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
    severity: Annotated[str, Form(max_length=20)] = "medium",
    due_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    visits.visit_of(session, scope, visit_id)  # out of reach: 404
    data = dict(text=text.strip(), category=category, severity=severity, due_on=due_on)
    try:
        body = _form(request, gs.FindingIn, data)
        assert isinstance(body, gs.FindingIn)
        visits.add_finding(session, scope, visit_id, body)
    except InputError as exc:
        session.rollback()
        error = web.error_text(request, exc)
        typed = dict(text=text, category=category, severity=severity, due_on=due_on)
        return _visit(request, session, scope, visit_id, error, None, 422, typed)
    return RedirectResponse(f"{G}/visits/{visit_id}", status_code=303)


@router.post(f"{G}/findings/{{finding_id}}/{{step}}")
def gov_finding_step(
    request: Request,
    session: DB,
    scope: GovPage,
    _csrf: Csrf,
    finding_id: Id,
    step: str,
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Verify the enterprise's answer, or send it back with a reason."""
    finding = visits.finding_of(session, scope, finding_id)  # out of reach: 404
    visit_id = finding.visit_id
    try:
        if step == "verify":
            body = _form(request, gs.VerifyIn, dict(note=note))
            assert isinstance(body, gs.VerifyIn)
            visits.verify(session, scope, finding_id, body)
        elif step == "send-back":
            back = _form(request, gs.SendBackIn, dict(reason=note))
            assert isinstance(back, gs.SendBackIn)
            visits.send_back(session, scope, finding_id, back)
        else:
            raise InputError(f"step: no step '{step[:20]}'")
    except InputError as exc:
        session.rollback()
        error = web.error_text(request, exc)
        typed = dict(step=step, note=note)
        return _visit(request, session, scope, visit_id, error, finding_id, 422, typed)
    return RedirectResponse(f"{G}/visits/{visit_id}", status_code=303)


# -- rectification tasks: the enterprise -----------------------------------------------------


def _rectifications(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    error: str = "",
    error_at: int | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    q = visits.own_findings_query(scope)
    rows, pager = _paged(session, q, 1, visits.FINDING_SORTS, "due_on")
    ctx = dict(
        items=[visits.finding_out(session, f) for f in rows],
        total=pager["total"],
        error=error,
        error_at=error_at,
        typed=typed or {},
        can_answer=scope.role in RECTIFICATION_ANSWERER_ROLES,
        open_state=FindingStatus.open.value,
    )
    return _render(request, "rectifications.html", ctx, status)


@router.get(f"{PREFIX}/rectifications")
def own_rectifications(request: Request, session: DB, scope: PageReader) -> Response:
    return _rectifications(request, session, scope)


@router.post(f"{PREFIX}/rectifications/{{finding_id}}/answer")
def own_answer(
    request: Request,
    session: DB,
    scope: RectificationAnswerer,
    _csrf: Csrf,
    finding_id: Id,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    visits.own_finding(session, scope, finding_id)  # another enterprise's: 404
    try:
        body = _form(request, gs.RectificationAnswerIn, dict(text=text.strip()))
        assert isinstance(body, gs.RectificationAnswerIn)
        visits.answer(session, scope, finding_id, body)
    except InputError as exc:
        session.rollback()
        error = web.error_text(request, exc)
        return _rectifications(request, session, scope, error, finding_id, 422, dict(text=text))
    return RedirectResponse(f"{PREFIX}/rectifications", status_code=303)
