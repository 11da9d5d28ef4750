"""Production output per line: what each line made per day against its full rate and the
newest stored plan, the output records (paged, by line), and recording output. Every
page calls what the API's routes call (``production/api.py``):
``service.output_by_line_day`` (as ``GET /output/daily``), ``queries.output`` (as
``GET /output``) and the flow ``backflush.record_output`` (as ``POST /output``); the
plan's units per product and day are ``service.latest_plan_production``'s, which days of
cover read too. The current plan's chart and re-plan are ``/console/production/plan``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.console import web
from keepline.console.auth import OUTPUT_RECORDER_ROLES, OutputRecorder, PageReader
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.errors import InputError
from keepline.fields import Day
from keepline.plant import models as pm
from keepline.plant.service import in_file_order
from keepline.production import backflush, queries, service
from keepline.production.schemas import OutputIn
from keepline.recordkit import bad
from keepline.scope import EnterpriseScope

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
BASE = f"{PREFIX}/output"
PLAN_PAGE = f"{PREFIX}/production/plan"
PAGE = 50
WINDOW_DAYS = 14  # the daily table's days by default, ending today
MAX_WINDOW_DAYS = 92
FIELDS = ("line_id", "product_id", "day", "qty", "note", "backflush")
LineParam = Annotated[str | None, Query(max_length=64)]


def daily_against_plan(
    session: Session, scope: EnterpriseScope, start: dt.date, end: dt.date
) -> tuple[list[dict[str, Any]], list[int]]:
    """Output per line, product and day (``output_by_line_day``) beside the product's
    units that day in the newest stored plan covering the day (``None``: no plan covers
    it), and the plans read."""
    rows = service.output_by_line_day(session, scope, start, end)
    plans: dict[dt.date, tuple[dict[str, Any], int] | None] = {}
    out = []
    for r in rows:
        if r.day not in plans:
            plans[r.day] = service.latest_plan_production(session, scope, r.day, 1)
        found = plans[r.day]
        series = found[0].get(r.product_id) if found is not None else None
        out.append(dict(row=r, planned=float(series[0]) if series is not None else None))
    return out, sorted({p[1] for p in plans.values() if p is not None})


@router.get(BASE)
def output_page(
    request: Request,
    session: DB,
    scope: PageReader,
    line: LineParam = None,
    start: Annotated[Day | None, Query()] = None,
    end: Annotated[Day | None, Query()] = None,
    recorded: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Output per line and day against plan (every role, as ``GET /output/daily``), and
    the records, newest day first (``GET /output``)."""
    eid = scope.enterprise_id
    last = end or clock.today()
    first = start or last - dt.timedelta(days=WINDOW_DAYS - 1)
    if last < first:
        raise bad("end", f"{last.isoformat()} is before start {first.isoformat()}")
    if (last - first).days >= MAX_WINDOW_DAYS:
        raise bad("start", f"at most {MAX_WINDOW_DAYS} days at a time")
    lines = in_file_order(session, pm.Line, eid)
    if line and line not in {ln.id for ln in lines}:
        raise bad("line", f"unknown line '{line}'")
    daily, plan_ids = daily_against_plan(session, scope, first, last)
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort="-day")
    q = queries.output(scope, first, last, line)
    records, total = fetch_page(session, q, paging, queries.OUTPUT_SORTS, "id")
    params = {k: v for k, v in (("line", line), ("start", start), ("end", end)) if v}
    ctx = dict(
        daily=[d for d in daily if not line or d["row"].line_id == line],
        plan_ids=plan_ids,
        records=records,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        params=params,
        lines=lines,
        line=line,
        start=first,
        end=last,
        recorded=recorded,
        may_record=scope.role in OUTPUT_RECORDER_ROLES,
        base=BASE,
        plan_page=PLAN_PAGE,
    )
    return web.render(request, "output.html", ctx)


def _form_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HTMLResponse:
    eid = scope.enterprise_id
    ctx = dict(
        values=values,
        errors=errors,
        lines=in_file_order(session, pm.Line, eid),
        products=in_file_order(session, pm.Product, eid),
        base=BASE,
    )
    return web.render(request, "output_form.html", ctx, status)


@router.get(f"{BASE}/new")
def output_form(
    request: Request, session: DB, scope: OutputRecorder, line: LineParam = None
) -> Response:
    """The form (admins and planners, as ``POST /output``)."""
    values = dict(
        line_id=line or "",
        product_id="",
        day=clock.today().isoformat(),
        qty="",
        note="",
        backflush=False,
    )
    return _form_page(request, session, scope, values, {})


@router.post(f"{BASE}/new")
def output_submit(
    request: Request,
    session: DB,
    scope: OutputRecorder,
    _csrf: Csrf,
    line_id: Annotated[str, Form(max_length=64)] = "",
    product_id: Annotated[str, Form(max_length=64)] = "",
    day: Annotated[str, Form(max_length=20)] = "",
    qty: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    backflush_: Annotated[str, Form(alias="backflush", max_length=5)] = "",
) -> Response:
    """Record the output as the API does (with ``backflush``, its materials are issued
    from stock: refused, with nothing written, if any would go negative); a refusal
    keeps what was typed and says what is wrong under its field."""
    values = dict(
        line_id=line_id,
        product_id=product_id,
        day=day,
        qty=qty,
        note=note,
        backflush=bool(backflush_),
    )
    try:
        body = OutputIn(
            line_id=line_id,
            product_id=product_id,
            day=day,
            qty=qty,
            note=note,
            backflush=bool(backflush_),
        )
        row = backflush.record_output(session, scope, body)
    except (ValidationError, InputError) as exc:
        errors = web.refusal(session, exc, FIELDS)
        return _form_page(request, session, scope, values, errors, 422)
    return RedirectResponse(f"{BASE}?line={row.line_id}&recorded={row.id}", status_code=303)
