"""Materials: stock and days of cover (a chart, critical and prevention materials marked),
the stock ledger's movements (paged, by material) and recording a movement. Every page
calls what the API's routes call (``materials/api.py``): ``outlook.outlook`` (as
``GET /stock/outlook``), ``queries.movements`` (as ``GET /materials/{id}/movements``) and
``service.record_movement`` then ``after_write`` (as ``POST /stock/movements``)."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.console import today, web
from keepline.console.auth import STOCK_RECORDER_ROLES, PageReader, StockRecorder
from keepline.console.i18n import N_, Language
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.errors import InputError
from keepline.materials import outlook, queries, service
from keepline.materials.models import MovementKind
from keepline.materials.schemas import MovementIn
from keepline.plans import recorded
from keepline.scope import EnterpriseScope

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
BASE = f"{PREFIX}/materials"
MOVEMENTS = f"{BASE}/movements"
PAGE = 50
CRITICAL_DAYS = 7
"""Fewer days of cover than this: the material is critical (red, as on Today)."""
FIELDS = ("material_id", "kind", "day", "qty", "unit", "reason", "ref")
KINDS = {
    "receipt": N_("receipt"),
    "issue": N_("issue"),
    "count": N_("count"),
    "adjustment": N_("adjustment"),
    "opening": N_("opening stock"),
}
MATERIAL_KINDS = {"raw": N_("raw material"), "prevention": N_("prevention material")}
MaterialParam = Annotated[str | None, Query(max_length=64)]


def _labels() -> dict[str, Any]:
    return dict(
        kind_label=lambda k: KINDS.get(k, k),
        material_kind_label=lambda k: MATERIAL_KINDS.get(k, k),
    )


def shown_days(row: outlook.CoverRow, horizon: int) -> float:
    """Days of cover as the chart draws it: never past the horizon (∞: the horizon)."""
    return min(row.days_of_cover, horizon) if math.isfinite(row.days_of_cover) else horizon


def is_critical(row: outlook.CoverRow) -> bool:
    return row.days_of_cover < CRITICAL_DAYS


def cover_chart(rows: list[outlook.CoverRow], horizon: int, lang: Language) -> dict[str, Any]:
    """The ECharts option: days of cover of every material, fewest first, one series per
    kind (raw, prevention) so the legend marks the prevention materials, critical bars in
    red beside a line at the critical mark; a bar links to the material's movements."""
    series = []
    for kind, colour in (("raw", "#0b5394"), ("prevention", "#6a3d9a")):
        data: list[Any] = []
        for r in rows:
            if r.kind != kind:
                data.append(None)
                continue
            item: dict[str, Any] = {"value": round(shown_days(r, horizon), 1)}
            if is_critical(r):
                item["itemStyle"] = {"color": "#a50e0e"}
            data.append(item)
        entry: dict[str, Any] = {
            "name": lang.gettext(MATERIAL_KINDS[kind]),
            "type": "bar",
            "stack": "cover",
            "itemStyle": {"color": colour},
            "data": data,
            "label": {"show": True, "position": "right"},
        }
        if kind == "raw":
            entry["markLine"] = {
                "symbol": "none",
                "lineStyle": {"color": "#a50e0e", "type": "dashed"},
                "label": {"formatter": lang.gettext("critical")},
                "data": [{"xAxis": CRITICAL_DAYS}],
            }
        series.append(entry)
    return {
        "aria": {"enabled": True},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 32, "top": 32, "bottom": 28, "containLabel": True},
        "xAxis": {
            "type": "value",
            "name": lang.gettext("days of cover"),
            "nameLocation": "middle",
            "nameGap": 28,
            "max": horizon,
        },
        "yAxis": {"type": "category", "inverse": True, "data": [r.name for r in rows]},
        "series": series,
        "links": [f"{MOVEMENTS}?material={r.material_id}" for r in rows],
    }


@router.get(BASE)
def materials_page(request: Request, session: DB, scope: PageReader) -> Response:
    """Every material's stock and days of cover, fewest first, with the outlook's backup
    warnings (every role, as ``GET /stock/outlook``; kept per version of the record, the
    one copy Today shows)."""
    lang = web.language(request)
    day = clock.today()
    out = today.cover(session, scope, day)
    rows = sorted(out.cover, key=lambda r: (r.days_of_cover, r.material_id))
    ctx = dict(
        day=day,
        rows=rows,
        horizon=out.horizon_days,
        critical_days=CRITICAL_DAYS,
        critical=is_critical,
        warnings=[(w.material, outlook.dated(w.reason, day)) for w in out.warnings],
        chart=json.dumps(cover_chart(rows, out.horizon_days, lang)),
        isfinite=math.isfinite,
        may_record=scope.role in STOCK_RECORDER_ROLES,
        base=BASE,
        movements=MOVEMENTS,
        **_labels(),
    )
    return web.render(request, "materials.html", ctx)


@router.get(MOVEMENTS)
def movements_page(
    request: Request,
    session: DB,
    scope: PageReader,
    material: MaterialParam = None,
    recorded: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The ledger, newest day first, of one material or of all (another enterprise's
    material: 404, as the API's)."""
    chosen = service.material(session, scope, material, body=False) if material else None
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort="-day")
    q = queries.movements(scope, chosen.id if chosen else None)
    rows, total = fetch_page(session, q, paging, queries.MOVEMENT_SORTS, "id")
    mats = service.materials(session, scope)
    ctx = dict(
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        materials=mats,
        names={m.id: m.name for m in mats},
        chosen=chosen,
        params={"material": chosen.id} if chosen else {},
        recorded=recorded,
        may_record=scope.role in STOCK_RECORDER_ROLES,
        base=BASE,
        movements=MOVEMENTS,
        **_labels(),
    )
    return web.render(request, "movements.html", ctx)


def _form_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HTMLResponse:
    ctx = dict(
        values=values,
        errors=errors,
        materials=service.materials(session, scope),
        kinds=[k.value for k in MovementKind if k != MovementKind.opening],
        base=BASE,
        movements=MOVEMENTS,
        **_labels(),
    )
    return web.render(request, "movement_form.html", ctx, status)


@router.get(f"{MOVEMENTS}/new")
def movement_form(
    request: Request, session: DB, scope: StockRecorder, material: MaterialParam = None
) -> Response:
    """The form (admins and storekeepers, as ``POST /stock/movements``); the material
    chosen when given, with its unit."""
    chosen = service.material(session, scope, material, body=False) if material else None
    values = dict(
        material_id=chosen.id if chosen else "",
        kind="receipt",
        day=clock.today().isoformat(),
        qty="",
        unit=chosen.unit if chosen else "",
        reason="",
        ref="",
    )
    return _form_page(request, session, scope, values, {})


@router.post(f"{MOVEMENTS}/new")
def movement_submit(
    request: Request,
    session: DB,
    scope: StockRecorder,
    _csrf: Csrf,
    material_id: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    day: Annotated[str, Form(max_length=20)] = "",
    qty: Annotated[str, Form(max_length=40)] = "",
    unit: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    ref: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Record the movement as the API does; a refusal keeps what was typed, says what is
    wrong under its field and writes nothing."""
    values = dict(
        material_id=material_id, kind=kind, day=day, qty=qty, unit=unit, reason=reason, ref=ref
    )
    try:
        body = MovementIn(
            material_id=material_id,
            kind=kind,
            day=day,
            qty=qty,
            unit=unit,
            reason=reason,
            ref=ref.strip() or None,
        )
        mv = recorded.record_movement(session, scope, body)
    except (ValidationError, InputError) as exc:
        errors = web.refusal(session, exc, FIELDS)
        return _form_page(request, session, scope, values, errors, 422)
    return RedirectResponse(
        f"{MOVEMENTS}?material={mv.material_id}&recorded={mv.id}", status_code=303
    )
