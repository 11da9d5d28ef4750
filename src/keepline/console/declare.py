"""A worker's daily declaration on their phone, through their personal link; the badge
sheet of links as QR codes.

The form is one screen, plain HTML (it works without JavaScript and at 360 px wide), in
the worker's language. It records the declaration through ``health.service`` (the same
model, the same checks, the same flags) under a scope whose actor is
``worker:<employee_no>``, and tells the worker when a health officer must clear them.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.console import links, web
from keepline.console.auth import HealthPage
from keepline.console.i18n import N_
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.health import service as health
from keepline.health.models import HealthCode
from keepline.health.schemas import MAX_TEMPERATURE_C, MIN_TEMPERATURE_C, DeclarationIn, Symptom
from keepline.people import queries as people_queries
from keepline.plans import recorded
from keepline.tabular import RowsError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
Token = Annotated[str, Path(min_length=10, max_length=300)]
BADGES_PAGE = 60

SYMPTOM_LABELS = {
    Symptom.fever: N_("fever"),
    Symptom.cough: N_("cough"),
    Symptom.sore_throat: N_("sore throat"),
    Symptom.fatigue: N_("fatigue"),
    Symptom.loss_of_smell_or_taste: N_("loss of smell or taste"),
    Symptom.shortness_of_breath: N_("shortness of breath"),
    Symptom.muscle_ache: N_("muscle ache"),
    Symptom.diarrhoea: N_("diarrhoea"),
    Symptom.other: N_("other"),
}
CODE_LABELS = {
    HealthCode.green: N_("green"),
    HealthCode.yellow: N_("yellow"),
    HealthCode.red: N_("red"),
}
FLAG_LABELS = {
    "fever": N_("a temperature of 37.3 °C or more"),
    "symptoms": N_("symptoms"),
    "health-code": N_("a health code that is not green"),
    "risk-travel": N_("travel to a risk area"),
}
FIELD_ERRORS = {
    "temperature_c": N_("Enter your temperature in °C, between %(low)s and %(high)s."),
    "symptoms": N_("Choose symptoms from the list."),
    "health_code": N_("Choose the colour of your health code."),
}


def _form_page(
    request: Request,
    holder: links.LinkHolder,
    token: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    ctx = dict(
        holder=holder,
        token=token,
        day=clock.today(),
        values=values,
        errors=errors,
        symptoms=SYMPTOM_LABELS,
        codes=CODE_LABELS,
        low=MIN_TEMPERATURE_C,
        high=MAX_TEMPERATURE_C,
    )
    return web.render(request, "declare.html", ctx, status)


@router.get(f"{PREFIX}/d/{{token}}")
def declare_form(request: Request, session: DB, token: Token) -> Response:
    holder = links.resolve(session, token, web.secret_key())
    values = dict(
        temperature_c="", symptoms=[], health_code="green", risk_travel=False, close_contact=False
    )
    return _form_page(request, holder, token, values, {})


@router.post(f"{PREFIX}/d/{{token}}")
def declare(
    request: Request,
    session: DB,
    token: Token,
    _csrf: Csrf,
    temperature_c: Annotated[str, Form(max_length=20)] = "",
    symptoms: Annotated[list[str], Form(max_length=len(Symptom))] = [],  # noqa: B006
    health_code: Annotated[str, Form(max_length=10)] = "green",
    risk_travel: Annotated[str, Form(max_length=5)] = "",
    close_contact: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Record today's declaration for the link's worker (the service validates it);
    a rejected form comes back with what was typed and the error beside the field."""
    holder = links.resolve(session, token, web.secret_key())
    values = dict(
        temperature_c=temperature_c.strip().replace(",", "."),
        symptoms=symptoms,
        health_code=health_code,
        risk_travel=bool(risk_travel),
        close_contact=bool(close_contact),
    )
    lang = web.language(request)
    try:
        body = DeclarationIn(employee_no=holder.employee_no, day=clock.today(), **values)
    except ValidationError as exc:
        errors = {}
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else "temperature_c"
            errors[name] = lang.gettext(
                FIELD_ERRORS.get(name, FIELD_ERRORS["temperature_c"]),
                low=MIN_TEMPERATURE_C,
                high=MAX_TEMPERATURE_C,
            )
        return _form_page(request, holder, token, values, errors, 422)
    try:
        recorded.declare(session, holder.scope(), body, source="link")
    except RowsError as exc:
        session.rollback()
        lang = web.language(request)
        errors = {p.field or "temperature_c": lang.message(p.message) for p in exc.rows}
        return _form_page(request, holder, token, values, errors, 422)
    flags = health.flags_of(body)
    ctx = dict(
        holder=holder, day=body.day, flags=[FLAG_LABELS.get(f, f) for f in flags], token=token
    )
    return web.render(request, "declared.html", ctx)


@functools.lru_cache(maxsize=4096)
def qr_svg(url: str) -> str:
    """``url`` as a QR code in SVG (no image library needed). Kept: a link's code changes
    only when the link is revoked, and drawing one costs ~10 ms of pure Python."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def _badge_rows(
    session: Session, scope: Any, team: str | None, zone: str | None, page: int
) -> tuple[list[Any], int]:
    query, count = people_queries.roster(scope, team=team, zone=zone)
    paging = ListParams(limit=BADGES_PAGE, offset=(page - 1) * BADGES_PAGE, sort=None)
    return fetch_page(session, query, paging, people_queries.SORTS, "employee_no", count=count)


BadgeTeam = Annotated[str | None, Query(max_length=64)]
BadgeZone = Annotated[str | None, Query(max_length=64)]
BadgePage = Annotated[int, Query(ge=1, le=100_000)]


@router.get(f"{PREFIX}/badges")
def badges(
    request: Request,
    session: DB,
    scope: HealthPage,
    team: BadgeTeam = None,
    zone: BadgeZone = None,
    page: BadgePage = 1,
) -> Response:
    """A printable sheet of personal declaration links (QR codes), a page at a time. A
    read: workers with no link yet are listed without one (the page's button issues
    them, by POST)."""
    team, zone = team or None, zone or None
    rows, total = _badge_rows(session, scope, team, zone, page)
    nos = [r.employee_no for r in rows]
    tokens = links.tokens(session, scope, nos, web.secret_key(), issue=False)
    base = str(request.base_url).rstrip("/")
    cards = []
    for r in rows:
        token = tokens.get(r.employee_no)
        url = f"{base}{PREFIX}/d/{token}" if token else None
        svg = qr_svg(url) if url else None
        cards.append(dict(employee_no=r.employee_no, name=r.name, team=r.team_id, url=url, svg=svg))
    filters = {k: v for k, v in dict(team=team, zone=zone).items() if v}
    ctx = dict(
        cards=cards,
        total=total,
        page=page,
        pages=max(1, -(-total // BADGES_PAGE)),
        filters=filters,
        values=dict(team=team or "", zone=zone or ""),
        unissued=sum(c["url"] is None for c in cards),
    )
    return web.render(request, "badges.html", ctx)


@router.post(f"{PREFIX}/badges")
def issue_badges(
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    team: Annotated[str, Form(max_length=64)] = "",
    zone: Annotated[str, Form(max_length=64)] = "",
    page: Annotated[int, Form(ge=1, le=100_000)] = 1,
) -> Response:
    """Issue a link to each worker of the sheet's page who has none; back to the page."""
    rows, _ = _badge_rows(session, scope, team or None, zone or None, page)
    links.tokens(session, scope, [r.employee_no for r in rows], web.secret_key())
    query = urlencode({k: v for k, v in dict(team=team, zone=zone, page=page).items() if v})
    return RedirectResponse(f"{PREFIX}/badges?{query}", status_code=303)


@router.post(f"{PREFIX}/badges/{{employee_no}}/revoke")
def revoke(
    request: Request,
    session: DB,
    scope: HealthPage,
    _csrf: Csrf,
    employee_no: Annotated[str, Path(min_length=1, max_length=32)],
) -> Response:
    """A new link for the worker: every earlier one (a lost badge) stops working."""
    token = links.tokens(session, scope, [employee_no], web.secret_key(), revoke=True)[employee_no]
    url = f"{str(request.base_url).rstrip('/')}{PREFIX}/d/{token}"
    card = dict(employee_no=employee_no, name="", team="", url=url, svg=qr_svg(url))
    return web.render(request, "revoked.html", dict(card=card))
