"""Cases and zones: the enterprise's cases (health staff, as ``GET /cases``), opening a
case (``POST /cases``), one case with its isolation, its contacts found from the roster
and access events and their quarantine in one action (``GET /cases/{id}/contacts``,
``POST /cases/{id}/quarantine``), and every zone's state with its history (every role,
as ``GET /zones/states``) and its change (health staff, ``POST /zones/{id}/state``).
Every write is the containment service's (audited there); a refusal writes nothing and
is shown next to its field with what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.console import web
from keepline.console.auth import HealthPage, PageReader
from keepline.console.i18n import N_, Language
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.containment import cases as case_service
from keepline.containment import contacts as contact_tracing
from keepline.containment import queries, zone_states
from keepline.containment.models import Case, Restriction, ZoneState
from keepline.containment.schemas import CaseIn, QuarantineIn, ZoneStateIn
from keepline.errors import InputError, NotFound, msg
from keepline.plans import recorded
from keepline.scope import EnterpriseScope

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE = 50
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Errors = dict[str, list[str]]
HOW_LABELS = {
    "team": N_("same team"),
    "zone-shift": N_("same zone and shift"),
    "dormitory": N_("same dormitory and shift"),
    "access": N_("shared a zone (access events)"),
}


def note_text(lang: Language, note: str | None) -> Markup:
    """A contact's quarantine note in ``lang``: how they met the case (written by
    ``contacts.note``) translated, the reason a person gave after it as they gave it
    (marked ``translate="no"``, as any text a person entered)."""
    entered = Markup('<span translate="no">%s</span>')
    if not note or not note.startswith(contact_tracing.CONTACT_BY):
        return entered % (note or "")
    said, _, reason = note.removeprefix(contact_tracing.CONTACT_BY).partition(": ")
    hows = said.split(", ")
    if not all(h in HOW_LABELS for h in hows):
        return entered % note
    joined = lang.gettext(", ").join(lang.gettext(HOW_LABELS[h]) for h in hows)
    text = escape(lang.gettext("contact: %(how)s", how=joined))
    if not reason:
        return text
    return Markup(lang.message(msg("%(field)s: %(message)s", field=text, message=entered % reason)))


KIND_LABELS = {"isolation": N_("isolation"), "quarantine": N_("quarantine")}
REASON_LABELS = {
    "case": N_("confirmed case"),
    "pool-positive": N_("positive pool"),
    "close-contact": N_("close contact"),
    "zone-lock": N_("zone locked"),
    "declaration": N_("health declaration"),
}
CASE_FIELDS = ("employee_no", "confirmed_on", "sample_day", "onset_day")
QUARANTINE_FIELDS = ("how", "days", "start_day", "min_minutes", "reason")
ZONE_FIELDS = ("zone", "state", "reason", "closed_loop")


def refusal(exc: ValidationError | InputError | NotFound, fields: tuple[str, ...]) -> Errors:
    """The errors of a rejected body or a service's refusal, by field."""
    if isinstance(exc, ValidationError):
        lines = web.validation_lines(exc)
    elif isinstance(exc, NotFound):
        lines = [msg("%(field)s: %(message)s", field=exc.field or "", message=exc.source)]
    else:
        lines = exc.problems
    return web.field_errors(lines, fields)


def _day(text: str, name: str, errors: Errors) -> dt.date | None:
    """``text`` as a date (blank: None); a bad one is noted under ``name``."""
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        errors.setdefault(name, []).append(f"not a date: '{text[:20]}'")
        return None


def _cases_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    status: str | None,
    page: int,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    code: int = 200,
) -> Response:
    q = queries.cases(scope)
    if status:
        q = q.where(Case.status == status)
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort="-confirmed_on")
    rows, total = fetch_page(session, q, paging, queries.CASE_SORTS, "-confirmed_on")
    ctx = dict(
        cases=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        filters={"status": status} if status else {},
        status=status or "",
        values=values
        or dict(employee_no="", confirmed_on=str(clock.today()), sample_day="", onset_day=""),
        errors=errors or {},
    )
    return web.render(request, "cases.html", ctx, code)


@router.get(f"{PREFIX}/cases")
def cases_page(
    request: Request,
    session: DB,
    scope: HealthPage,
    status: Annotated[str | None, Query(pattern="^(|open|closed)$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    return _cases_page(request, session, scope, status, page)


@router.post(f"{PREFIX}/cases")
def open_case(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    employee_no: Annotated[str, Form(max_length=100)] = "",
    confirmed_on: Annotated[str, Form(max_length=20)] = "",
    sample_day: Annotated[str, Form(max_length=20)] = "",
    onset_day: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Open a case as ``POST /cases`` does (the worker is isolated from the day
    confirmed); a refusal keeps the form."""
    values = dict(
        employee_no=employee_no,
        confirmed_on=confirmed_on,
        sample_day=sample_day,
        onset_day=onset_day,
    )
    errors: Errors = {}
    days = {k: _day(values[k], k, errors) for k in ("confirmed_on", "sample_day", "onset_day")}
    if not errors:
        try:
            body = CaseIn(employee_no=employee_no.strip(), **days)  # type: ignore[arg-type]
            case = recorded.open_case(session, scope, body)
        except (ValidationError, InputError, NotFound) as exc:
            session.rollback()
            errors = refusal(exc, CASE_FIELDS)
    if errors:
        # another tenant's worker, or none: 404 as the API answers (the form kept)
        code = 404 if "not found" in " ".join(errors.get("employee_no", [])) else 422
        return _cases_page(request, session, scope, None, 1, values, errors, code)
    return RedirectResponse(f"{PREFIX}/cases/{case.id}?opened=1", status_code=303)


def _shown_zone(names: dict[str, tuple[str, str | None]], lang: Language, zone: str) -> str:
    name, name_zh = names.get(zone, (zone, None))
    return name_zh if lang.code == "zh_CN" and name_zh else name


def _case_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    case_id: int,
    values: dict[str, Any],
    errors: Errors,
    code: int = 200,
    notice: dict[str, Any] | None = None,
    page: int = 1,
) -> Response:
    case = case_service.get_case(session, scope, case_id)
    worker = queries.worker(session, scope, case.employee_no)
    today = clock.today()
    restrictions = list(
        session.scalars(
            queries.restrictions(scope)
            .where(Restriction.case_id == case.id)
            .order_by(Restriction.kind, Restriction.employee_no, Restriction.id)
        )
    )
    held = {
        r.employee_no
        for r in session.scalars(queries.restrictions(scope, active_on=today))
        if r.employee_no != case.employee_no
    }
    try:
        minutes = float(values["min_minutes"])
    except ValueError:
        minutes = contact_tracing.DEFAULT_MIN_MINUTES
    minutes = min(max(minutes, 0), 1440)
    # found once per version of the record (paging through them, the quarantine form)
    found = web.kept(
        session,
        scope,
        today,
        f"contacts:{case.id}:{minutes:g}",
        lambda: contact_tracing.find_contacts(session, scope, case.id, min_minutes=minutes),
    )
    names = queries.zone_names(session, scope)
    lang = web.language(request)
    ctx = dict(
        case=case,
        worker=worker,
        zone_name=_shown_zone(names, lang, worker.zone_id),
        restrictions=restrictions,
        # every contact counted, one page of them shown (they can be thousands)
        contacts=found[(page - 1) * PAGE : page * PAGE],
        page=page,
        pages=max(1, -(-len(found) // PAGE)),
        total=len(found),
        filters=dict(min_minutes=values["min_minutes"]),
        held=held,
        counts={h: sum(h in c.how for c in found) for h in HOW_LABELS},
        how_labels=HOW_LABELS,
        kind_labels=KIND_LABELS,
        reason_labels=REASON_LABELS,
        note_text=lambda note: note_text(lang, note),
        values=values,
        errors=errors,
        notice=notice or dict(opened=False, quarantined=None),
    )
    return web.render(request, "case.html", ctx, code)


def _quarantine_values(today: dt.date) -> dict[str, Any]:
    return dict(how=[], days="7", start_day=str(today), min_minutes="15", reason="")


@router.get(f"{PREFIX}/cases/{{case_id}}")
def case_page(
    request: Request,
    session: DB,
    scope: HealthPage,
    case_id: CaseId,
    opened: Annotated[int, Query(ge=0, le=1)] = 0,
    quarantined: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    min_minutes: Annotated[float, Query(ge=0, le=1440)] = contact_tracing.DEFAULT_MIN_MINUTES,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """A case, its isolation, its contacts (found as ``GET /cases/{id}/contacts``, paged)
    and the form that quarantines them."""
    values = _quarantine_values(clock.today()) | dict(min_minutes=f"{min_minutes:g}")
    notice = dict(opened=bool(opened), quarantined=quarantined)
    return _case_page(request, session, scope, case_id, values, {}, notice=notice, page=page)


@router.post(f"{PREFIX}/cases/{{case_id}}/quarantine")
def quarantine(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    case_id: CaseId,
    how: Annotated[list[str] | None, Form(max_length=4)] = None,
    days: Annotated[str, Form(max_length=10)] = "7",
    start_day: Annotated[str, Form(max_length=20)] = "",
    min_minutes: Annotated[str, Form(max_length=10)] = "15",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Quarantine the contacts found by the ways chosen, as ``POST
    /cases/{id}/quarantine`` does; those already isolated or quarantined are skipped."""
    case_service.get_case(session, scope, case_id)  # another tenant's case: 404
    values: dict[str, Any] = dict(
        how=how or [], days=days, start_day=start_day, min_minutes=min_minutes, reason=reason
    )
    errors: Errors = {}
    if not how:
        errors["how"] = ["choose at least one way the contacts met the case"]
    if not reason.strip():
        errors["reason"] = ["say why the contacts are quarantined"]
    start = _day(start_day, "start_day", errors)
    if not errors:
        try:
            body = QuarantineIn(
                how=how or [],
                days=days,  # type: ignore[arg-type]
                start_day=start,
                min_minutes=min_minutes,  # type: ignore[arg-type]
                reason=reason.strip(),
            )
            done = contact_tracing.quarantine_contacts(session, scope, case_id, body)
        except (ValidationError, InputError) as exc:
            session.rollback()
            errors = refusal(exc, QUARANTINE_FIELDS)
    if errors:
        return _case_page(request, session, scope, case_id, values, errors, 422)
    return RedirectResponse(
        f"{PREFIX}/cases/{case_id}?quarantined={len(done)}#contacts", status_code=303
    )


def _zones_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    values: dict[str, Any],
    errors: Errors,
    code: int = 200,
    changed: str = "",
) -> Response:
    lang = web.language(request)
    names = queries.zone_names(session, scope)
    states = zone_states.zone_states(session, scope)
    current = [
        dict(
            zone=z,
            name=_shown_zone(names, lang, z),
            state=ch.state if ch else "open",
            since=ch.at if ch else None,
        )
        for z, ch in states.items()
    ]
    history = [
        dict(name=_shown_zone(names, lang, ch.zone_id), change=ch)
        for ch in reversed(zone_states.zone_history(session, scope))
    ]
    ctx = dict(
        current=current,
        history=history,
        keeper=scope.sees_personal_data,
        states=[s.value for s in ZoneState if s is not ZoneState.open],
        values=values,
        errors=errors,
        changed=_shown_zone(names, lang, changed) if changed else "",
    )
    return web.render(request, "zones.html", ctx, code)


@router.get(f"{PREFIX}/zones")
def zones_page(
    request: Request,
    session: DB,
    scope: PageReader,
    zone: Annotated[str, Query(max_length=64)] = "",
    changed: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Every zone's state and history; for the health staff, the form that changes a
    zone's state (``zone`` chosen in it)."""
    values = dict(zone=zone, state="restricted", reason="", closed_loop=False)
    return _zones_page(request, session, scope, values, {}, changed=changed)


@router.post(f"{PREFIX}/zones/state")
def change_zone_state(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    zone: Annotated[str, Form(max_length=64)] = "",
    state: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    closed_loop: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Move a zone to its next state as ``POST /zones/{id}/state`` does."""
    values: dict[str, Any] = dict(
        zone=zone, state=state, reason=reason, closed_loop=bool(closed_loop)
    )
    try:
        body = ZoneStateIn(state=state, reason=reason, closed_loop=bool(closed_loop))  # type: ignore[arg-type]
        zone_states.change_zone_state(session, scope, zone, body)
    except (ValidationError, InputError, NotFound) as exc:
        session.rollback()
        # another tenant's zone, or none: 404 as the API answers (the form kept)
        found = not isinstance(exc, NotFound)
        errors = refusal(exc, ZONE_FIELDS) if found else {"zone": [exc.message]}
        code = 422 if found else 404
        return _zones_page(request, session, scope, values, errors, code)
    return RedirectResponse(f"{PREFIX}/zones?changed={zone}", status_code=303)
