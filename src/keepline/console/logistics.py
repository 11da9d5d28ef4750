"""Logistics: shipments in (from suppliers: status, lane, whether the supplier or its
region is locked down) and out (against orders), one shipment with the moves its status
allows, and transport passes with issuing one. Every page calls what the API's routes
call (``logistics/api.py``): ``queries.purchases`` / ``customer_shipments`` / ``passes``,
``status.supplier_states``, ``lanes.lanes_on``, the flows ``delivery.advance_purchase``
(a delivery writes the stock receipt) and ``dispatch.advance_customer_shipment``, and
``passes.create_pass``. Drivers' names only for the roles the API shows them to."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.console import web
from keepline.console.auth import LOGISTICS_EDITOR_ROLES, LogisticsEditor, PageReader
from keepline.console.i18n import N_
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.errors import InputError, NotFound
from keepline.fields import Day
from keepline.logistics import customers, passes, purchases, queries
from keepline.logistics import lanes as lane_service
from keepline.logistics import status as status_service
from keepline.logistics.delivery import advance_purchase
from keepline.logistics.dispatch import advance_customer_shipment
from keepline.logistics.models import CustomerShipment, PurchaseShipment, ShipmentStatus
from keepline.logistics.schemas import (
    CustomerIn,
    LaneTransitIn,
    PassIn,
    PurchaseIn,
    StatusChange,
    StatusIn,
)
from keepline.logistics.shipments import ALLOWED
from keepline.plans import recorded
from keepline.plans.activations import after_write
from keepline.plans.engine import Fact
from keepline.plant import models as pm
from keepline.plant.service import in_file_order
from keepline.scope import EnterpriseScope

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
SHIPMENTS = f"{PREFIX}/shipments"
PASSES = f"{PREFIX}/passes"
SUPPLIERS = f"{PREFIX}/suppliers"
PAGE = 50
ShipmentId = Annotated[str, Path(min_length=1, max_length=64)]
Direction = Literal["in", "out"]
MOVE_FIELDS = ("status", "day", "checkpoint", "eta", "qty", "order_id", "material_id")
PASS_FIELDS = ("id", "vehicle", "valid_from", "valid_until", "driver", "issued_by", "shipment_id")
SHIPMENT_STATUS = {
    "planned": N_("planned"),
    "dispatched": N_("dispatched"),
    "held": N_("held at a checkpoint"),
    "delivered": N_("delivered"),
}
NODE_STATE = {
    "normal": N_("normal"),
    "restricted": N_("restricted"),
    "locked-down": N_("locked down"),
}


def _labels() -> dict[str, Any]:
    return dict(
        shipment_label=lambda s: SHIPMENT_STATUS.get(s, s),
        node_label=lambda s: NODE_STATE.get(s, s),
        shipments=SHIPMENTS,
        passes_url=PASSES,
        suppliers_url=SUPPLIERS,
    )


def _may_edit(scope: EnterpriseScope) -> bool:
    return scope.role in LOGISTICS_EDITOR_ROLES


def _paging(page: int, sort: str) -> ListParams:
    return ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort=sort)


def inbound_context(session: Session, scope: EnterpriseScope, day: dt.date) -> dict[str, Any]:
    """What an inbound row shows beside the shipment: its supplier's state today (the
    worse of its own and its region's) and the lanes from the supplier's region."""
    lanes: dict[str, list[lane_service.LaneNow]] = defaultdict(list)
    for ln in lane_service.lanes_on(session, scope, day):
        lanes[ln.from_region].append(ln)
    return dict(states=status_service.supplier_states(session, scope, day), lanes=lanes)


@router.get(SHIPMENTS)
def shipments_page(
    request: Request,
    session: DB,
    scope: PageReader,
    direction: Direction = "in",
    status: ShipmentStatus | None = None,
    at_risk: bool | None = None,
    material: Annotated[str | None, Query(max_length=64)] = None,
    supplier: Annotated[str | None, Query(max_length=64)] = None,
    order: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Shipments in (``GET /purchase-shipments``) or out (``GET /customer-shipments``),
    by expected arrival or planned day, filtered as the API filters them."""
    day = clock.today()
    params: dict[str, Any] = {"direction": direction}
    if status:
        params["status"] = status.value
    ctx: dict[str, Any] = dict(direction=direction, status=status, day=day)
    if direction == "in":
        q = queries.purchases(
            scope, status=status, at_risk=at_risk, material_id=material, supplier_id=supplier
        )
        rows, total = fetch_page(session, q, _paging(page, "eta"), queries.PURCHASE_SORTS, "id")
        ctx.update(inbound_context(session, scope, day))
        kept = (("at_risk", at_risk), ("material", material), ("supplier", supplier))
        params.update({k: v for k, v in kept if v})
    else:
        q = queries.customer_shipments(scope, status=status, order_id=order)
        paging = _paging(page, "planned_on")
        rows, total = fetch_page(session, q, paging, queries.CUSTOMER_SORTS, "id")
        params.update({"order": order} if order else {})
    ctx.update(
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        params=params,
        at_risk=at_risk,
        material=material,
        supplier=supplier,
        order=order,
        may_edit=_may_edit(scope),
        statuses=[s.value for s in ShipmentStatus],
        **_labels(),
    )
    return web.render(request, "shipments.html", ctx)


# -- new shipments ------------------------------------------------------------------------

NEW_FIELDS = (
    "id",
    "material_id",
    "supplier_id",
    "order_id",
    "qty",
    "ordered_on",
    "eta",
    "status",
    "dispatched_on",
    "planned_on",
)


def _new_shipment_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    direction: str,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HTMLResponse:
    eid = scope.enterprise_id
    ctx = dict(
        direction=direction,
        values=values,
        errors=errors,
        materials=in_file_order(session, pm.Material, eid),
        suppliers=status_service.suppliers(session, scope),
        orders=in_file_order(session, pm.Order, eid),
        **_labels(),
    )
    return web.render(request, "shipment_form.html", ctx, status)


@router.get(f"{SHIPMENTS}/{{direction}}/new")
def new_shipment_form(
    request: Request, session: DB, scope: LogisticsEditor, direction: Direction
) -> Response:
    """The form of a purchase (in) or customer (out) shipment."""
    today = clock.today().isoformat()
    values = dict(
        id="",
        material_id="",
        supplier_id="",
        order_id="",
        qty="",
        ordered_on=today,
        eta="",
        status="planned",
        dispatched_on="",
        planned_on=today,
    )
    return _new_shipment_page(request, session, scope, direction, values, {})


@router.post(f"{SHIPMENTS}/{{direction}}/new")
def new_shipment_submit(
    request: Request,
    session: DB,
    scope: LogisticsEditor,
    _csrf: Csrf,
    direction: Direction,
    id: Annotated[str, Form(max_length=64)] = "",
    material_id: Annotated[str, Form(max_length=64)] = "",
    supplier_id: Annotated[str, Form(max_length=64)] = "",
    order_id: Annotated[str, Form(max_length=64)] = "",
    qty: Annotated[str, Form(max_length=40)] = "",
    ordered_on: Annotated[str, Form(max_length=20)] = "",
    eta: Annotated[str, Form(max_length=20)] = "",
    status: Annotated[str, Form(max_length=20)] = "planned",
    dispatched_on: Annotated[str, Form(max_length=20)] = "",
    planned_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Create the shipment as ``POST /purchase-shipments`` (the supplier must be a supply
    option of the material) or ``POST /customer-shipments`` (never more than the order's
    quantity in all) does; a refusal keeps the form."""
    values = dict(
        id=id,
        material_id=material_id,
        supplier_id=supplier_id,
        order_id=order_id,
        qty=qty,
        ordered_on=ordered_on,
        eta=eta,
        status=status,
        dispatched_on=dispatched_on,
        planned_on=planned_on,
    )
    try:
        if direction == "in":
            purchase = PurchaseIn(
                id=id,
                material_id=material_id,
                supplier_id=supplier_id,
                qty=qty,
                ordered_on=ordered_on,
                eta=eta,
                status=status,
                dispatched_on=dispatched_on or None,
            )
            row: Any = purchases.create_purchase(session, scope, purchase)
        else:
            sale = CustomerIn(id=id, order_id=order_id, qty=qty, planned_on=planned_on)
            row = customers.create_customer_shipment(session, scope, sale)
    except (ValidationError, InputError) as exc:
        errors = web.refusal(session, exc, NEW_FIELDS)
        return _new_shipment_page(request, session, scope, direction, values, errors, 422)
    return RedirectResponse(f"{SHIPMENTS}/{direction}/{row.id}", status_code=303)


def _shipment(
    session: Session, scope: EnterpriseScope, direction: str, sid: str
) -> PurchaseShipment | CustomerShipment:
    """The shipment of this enterprise (404 otherwise, as the API's)."""
    if direction == "in":
        return purchases.get_purchase(session, scope, sid)
    row = customers.find_customer_shipment(session, scope, sid)
    if row is None:
        raise NotFound(f"no customer shipment '{sid}'", field="shipment_id")
    return row


def _shipment_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    direction: str,
    sid: str,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HTMLResponse:
    row = _shipment(session, scope, direction, sid)
    day = clock.today()
    ctx: dict[str, Any] = dict(
        direction=direction,
        row=row,
        moves=sorted(s.value for s in ALLOWED[ShipmentStatus(row.status)]),
        may_edit=_may_edit(scope),
        values=values,
        errors=errors,
        moved=request.query_params.get("moved") == "1",
        **_labels(),
    )
    if direction == "in":
        ctx.update(inbound_context(session, scope, day))
    return web.render(request, "shipment.html", ctx, status)


def _blank_move() -> dict[str, Any]:
    return dict(status="", day=clock.today().isoformat(), checkpoint="", eta="")


@router.get(f"{SHIPMENTS}/{{direction}}/{{sid}}")
def shipment_page(
    request: Request,
    session: DB,
    scope: PageReader,
    direction: Direction,
    sid: ShipmentId,
    moved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """One shipment; the moves its status allows for the roles that may move it."""
    return _shipment_page(request, session, scope, direction, sid, _blank_move(), {})


@router.post(f"{SHIPMENTS}/{{direction}}/{{sid}}/status")
def shipment_move(
    request: Request,
    session: DB,
    scope: LogisticsEditor,
    _csrf: Csrf,
    direction: Direction,
    sid: ShipmentId,
    status: Annotated[str, Form(max_length=20)] = "",
    day: Annotated[str, Form(max_length=20)] = "",
    checkpoint: Annotated[str, Form(max_length=200)] = "",
    eta: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Move the shipment on as ``POST /…-shipments/{id}/status`` does (a delivery in
    writes the stock receipt; a dispatch out needs the goods made); a refusal keeps
    what was typed, says what is wrong under its field and writes nothing."""
    _shipment(session, scope, direction, sid)  # another enterprise's: 404 before anything
    values = dict(status=status, day=day, checkpoint=checkpoint, eta=eta)
    try:
        change = StatusChange(
            status=status,
            day=day,
            checkpoint=checkpoint.strip() or None,
            eta=(eta or None) if direction == "in" else None,
        )
        if direction == "in":
            advance_purchase(session, scope, sid, change)
        else:
            advance_customer_shipment(session, scope, sid, change)
        # A delivery writes a stock receipt (a dispatch changes no fact the plans read).
        after_write(session, scope, change.day, {Fact.stock})
    except (ValidationError, InputError) as exc:
        errors = web.refusal(session, exc, MOVE_FIELDS)
        return _shipment_page(request, session, scope, direction, sid, values, errors, 422)
    return RedirectResponse(f"{SHIPMENTS}/{direction}/{sid}?moved=1", status_code=303)


@router.get(PASSES)
def passes_page(
    request: Request,
    session: DB,
    scope: PageReader,
    valid_on: Annotated[Day | None, Query()] = None,
    issued: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Transport passes by last valid day (``GET /transport-passes``); the driver's
    name only for the roles that handle passes."""
    q = queries.passes(scope, valid_on)
    rows, total = fetch_page(session, q, _paging(page, "valid_until"), queries.PASS_SORTS, "id")
    ctx = dict(
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        params={"valid_on": valid_on.isoformat()} if valid_on else {},
        valid_on=valid_on,
        today=clock.today(),
        drivers=scope.sees_drivers,
        may_edit=_may_edit(scope),
        issued=issued,
        **_labels(),
    )
    return web.render(request, "passes.html", ctx)


def _pass_form(
    request: Request, values: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> HTMLResponse:
    ctx = dict(values=values, errors=errors, **_labels())
    return web.render(request, "pass_form.html", ctx, status)


@router.get(f"{PASSES}/new")
def pass_form(
    request: Request,
    scope: LogisticsEditor,
    shipment: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    today = clock.today().isoformat()
    values = dict(
        id="",
        vehicle="",
        valid_from=today,
        valid_until=today,
        driver="",
        issued_by="",
        shipment_id=shipment or "",
    )
    return _pass_form(request, values, {})


@router.post(f"{PASSES}/new")
def pass_submit(
    request: Request,
    session: DB,
    scope: LogisticsEditor,
    _csrf: Csrf,
    id: Annotated[str, Form(max_length=64)] = "",
    vehicle: Annotated[str, Form(max_length=20)] = "",
    valid_from: Annotated[str, Form(max_length=20)] = "",
    valid_until: Annotated[str, Form(max_length=20)] = "",
    driver: Annotated[str, Form(max_length=100)] = "",
    issued_by: Annotated[str, Form(max_length=200)] = "",
    shipment_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Issue the pass as ``POST /transport-passes`` does; a refusal keeps the form."""
    values = dict(
        id=id,
        vehicle=vehicle,
        valid_from=valid_from,
        valid_until=valid_until,
        driver=driver,
        issued_by=issued_by,
        shipment_id=shipment_id,
    )
    try:
        body = PassIn(**{**values, "shipment_id": shipment_id.strip() or None})
        row = passes.create_pass(session, scope, body)
    except (ValidationError, InputError) as exc:
        return _pass_form(request, values, web.refusal(session, exc, PASS_FIELDS), 422)
    return RedirectResponse(f"{PASSES}?issued={row.id}", status_code=303)


# -- suppliers, regions and lanes --------------------------------------------------------

STATUS_FIELDS = ("kind", "node_id", "state", "start", "end", "note")
LANE_FIELDS = ("lane_id", "transit_days", "start", "end", "note")


def _suppliers_page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    forms: dict[str, tuple[dict[str, Any], dict[str, list[str]]]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """Each supplier's state today and the lanes' transit days today (``GET /suppliers``,
    ``GET /lanes``), with the two forms for the roles that may record (``forms``: a
    refused form's values and errors)."""
    day = clock.today()
    today = day.isoformat()
    blank = dict(start=today, end="", note="")
    forms = {
        "status": (blank | dict(kind="region", node_id="", state="locked-down"), {}),
        "lane": (blank | dict(lane_id="", transit_days=""), {}),
        **(forms or {}),
    }
    ctx = dict(
        suppliers=status_service.suppliers(session, scope),
        states=status_service.supplier_states(session, scope, day),
        lanes=lane_service.lanes_on(session, scope, day),
        regions=sorted(status_service.regions(session, scope)),
        node_states=list(NODE_STATE),
        may_edit=_may_edit(scope),
        forms=forms,
        recorded=request.query_params.get("recorded"),
        day=day,
        **_labels(),
    )
    return web.render(request, "suppliers.html", ctx, status)


@router.get(SUPPLIERS)
def suppliers_page(
    request: Request,
    session: DB,
    scope: PageReader,
    recorded: Annotated[Literal["status", "lane"] | None, Query()] = None,
) -> Response:
    return _suppliers_page(request, session, scope)


@router.post(f"{SUPPLIERS}/status")
def status_submit(
    request: Request,
    session: DB,
    scope: LogisticsEditor,
    _csrf: Csrf,
    kind: Annotated[str, Form(max_length=20)] = "",
    node_id: Annotated[str, Form(max_length=64)] = "",
    state: Annotated[str, Form(max_length=20)] = "",
    start: Annotated[str, Form(max_length=20)] = "",
    end: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record a supplier's or region's state as ``POST /statuses`` does (a lockdown marks
    the open shipments it touches at risk)."""
    values = dict(kind=kind, node_id=node_id, state=state, start=start, end=end, note=note)
    try:
        body = StatusIn(**(values | {"end": end or None}))
        recorded.set_status(session, scope, body)
    except (ValidationError, InputError) as exc:
        forms = {"status": (values, web.refusal(session, exc, STATUS_FIELDS))}
        return _suppliers_page(request, session, scope, forms, 422)
    return RedirectResponse(f"{SUPPLIERS}?recorded=status", status_code=303)


@router.post(f"{SUPPLIERS}/lane")
def lane_submit(
    request: Request,
    session: DB,
    scope: LogisticsEditor,
    _csrf: Csrf,
    lane_id: Annotated[str, Form(max_length=64)] = "",
    transit_days: Annotated[str, Form(max_length=10)] = "",
    start: Annotated[str, Form(max_length=20)] = "",
    end: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record a lane's transit days over dates as ``POST /lanes/{id}/transit`` does."""
    values = dict(lane_id=lane_id, transit_days=transit_days, start=start, end=end, note=note)
    try:
        body = LaneTransitIn(transit_days=transit_days, start=start, end=end or None, note=note)
        lane_service.set_lane_transit(session, scope, lane_id, body)
    except (ValidationError, InputError) as exc:
        forms = {"lane": (values, web.refusal(session, exc, LANE_FIELDS))}
        return _suppliers_page(request, session, scope, forms, 422)
    return RedirectResponse(f"{SUPPLIERS}?recorded=lane", status_code=303)
