"""Routes: supplier and region status, lanes, purchase and customer shipments, passes.

Every role of the enterprise reads; admins, storekeepers and planners record."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, list_page, page_of
from keepline.errors import NotFound
from keepline.fields import Day
from keepline.logistics import customers, passes, purchases, queries
from keepline.logistics import lanes as lane_service
from keepline.logistics import schemas as s
from keepline.logistics import status as status_service
from keepline.logistics.auth import LogisticsEditor, LogisticsReader
from keepline.logistics.delivery import advance_purchase as deliver_purchase
from keepline.logistics.dispatch import advance_customer_shipment as dispatch_customer_shipment
from keepline.logistics.models import ShipmentStatus, StatusKind, TransportPass
from keepline.plans import recorded
from keepline.scope import EnterpriseScope

router = APIRouter(tags=["logistics"], route_class=Route)
AsOf = Annotated[Day | None, Query(description="Day (default: today, plant time).")]
ShipmentId = Annotated[str, Path(min_length=1, max_length=64, description="Shipment number.")]
LaneId = Annotated[str, Path(min_length=1, max_length=64, description="Lane id.")]
PassId = Annotated[str, Path(min_length=1, max_length=64, description="Pass number.")]


@router.get("/statuses", response_model=Page[s.StatusOut])
def list_statuses(
    session: DB,
    scope: LogisticsReader,
    paging: Paging,
    kind: StatusKind | None = None,
    node_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Recorded supplier and region states. Sort by id (default), start, node_id."""
    q = queries.statuses(scope, kind, node_id)
    return list_page(session, q, paging, queries.STATUS_SORTS, "id", s.StatusOut)


@router.post("/statuses", response_model=s.StatusOut, status_code=201)
def set_status(body: s.StatusIn, session: DB, scope: LogisticsEditor) -> s.StatusOut:
    """Record a supplier's or a region's state over dates. A lockdown marks the open
    purchase shipments of the suppliers it touches at risk."""
    row = recorded.set_status(session, scope, body)
    return s.StatusOut.model_validate(row, from_attributes=True)


@router.get("/suppliers", response_model=list[s.SupplierStateOut])
def supplier_states(
    session: DB, scope: LogisticsReader, as_of: AsOf = None
) -> list[s.SupplierStateOut]:
    """Every supplier's state on ``as_of`` (the worse of its own and its region's), with
    its open and at-risk purchase shipments."""
    opened: Counter[str] = Counter()
    risky: Counter[str] = Counter()
    for sh in purchases.list_purchases(session, scope, open_only=True):
        opened[sh.supplier_id] += 1
        risky[sh.supplier_id] += sh.at_risk
    return [
        s.SupplierStateOut(
            **st.__dict__,
            open_shipments=opened[st.supplier_id],
            at_risk_shipments=risky[st.supplier_id],
        )
        for st in status_service.supplier_states(session, scope, as_of or clock.today()).values()
    ]


@router.get("/lanes", response_model=list[s.LaneOut])
def lanes(session: DB, scope: LogisticsReader, as_of: AsOf = None) -> list[s.LaneOut]:
    """Lanes into the plant with their transit days on ``as_of``."""
    rows = lane_service.lanes_on(session, scope, as_of or clock.today())
    return [s.LaneOut(**r.__dict__) for r in rows]


@router.post("/lanes/{lane_id}/transit", response_model=list[s.LaneOut], status_code=201)
def set_lane_transit(
    lane_id: LaneId, body: s.LaneTransitIn, session: DB, scope: LogisticsEditor
) -> list[s.LaneOut]:
    """Record a lane's transit days over dates (checkpoints, detours)."""
    lane_service.get_lane(session, scope, lane_id)
    lane_service.set_lane_transit(session, scope, lane_id, body)
    return [s.LaneOut(**r.__dict__) for r in lane_service.lanes_on(session, scope, body.start)]


@router.get("/purchase-shipments", response_model=Page[s.PurchaseOut])
def list_purchases(
    session: DB,
    scope: LogisticsReader,
    paging: Paging,
    status: ShipmentStatus | None = None,
    open_only: bool = False,
    at_risk: bool | None = None,
    material_id: Annotated[str | None, Query(max_length=64)] = None,
    supplier_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Inbound shipments. Sort by eta (default), id or ordered_on."""
    q = queries.purchases(
        scope,
        status=status,
        open_only=open_only,
        at_risk=at_risk,
        material_id=material_id,
        supplier_id=supplier_id,
    )
    return list_page(session, q, paging, queries.PURCHASE_SORTS, "eta", s.PurchaseOut)


@router.post("/purchase-shipments", response_model=s.PurchaseOut, status_code=201)
def create_purchase(body: s.PurchaseIn, session: DB, scope: LogisticsEditor) -> s.PurchaseOut:
    """A purchase shipment: the supplier must be a supply option of the material."""
    row = purchases.create_purchase(session, scope, body)
    return s.PurchaseOut.model_validate(row, from_attributes=True)


@router.get("/purchase-shipments/{shipment_id}", response_model=s.PurchaseOut)
def get_purchase(shipment_id: ShipmentId, session: DB, scope: LogisticsReader) -> s.PurchaseOut:
    row = purchases.get_purchase(session, scope, shipment_id)
    return s.PurchaseOut.model_validate(row, from_attributes=True)


@router.post("/purchase-shipments/{shipment_id}/status", response_model=s.PurchaseOut)
def advance_purchase(
    shipment_id: ShipmentId, body: s.StatusChange, session: DB, scope: LogisticsEditor
) -> s.PurchaseOut:
    """Dispatched, held at a checkpoint, or delivered (which appends a stock receipt)."""
    row = deliver_purchase(session, scope, shipment_id, body)
    return s.PurchaseOut.model_validate(row, from_attributes=True)


@router.get("/customer-shipments", response_model=Page[s.CustomerOut])
def list_customer_shipments(
    session: DB,
    scope: LogisticsReader,
    paging: Paging,
    status: ShipmentStatus | None = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Outbound shipments against orders. Sort by planned_on (default), id or order_id."""
    q = queries.customer_shipments(scope, status=status, order_id=order_id)
    return list_page(session, q, paging, queries.CUSTOMER_SORTS, "planned_on", s.CustomerOut)


@router.post("/customer-shipments", response_model=s.CustomerOut, status_code=201)
def create_customer_shipment(
    body: s.CustomerIn, session: DB, scope: LogisticsEditor
) -> s.CustomerOut:
    """A shipment against an order (never more than the order's quantity in all)."""
    row = customers.create_customer_shipment(session, scope, body)
    return s.CustomerOut.model_validate(row, from_attributes=True)


@router.get("/customer-shipments/{shipment_id}", response_model=s.CustomerOut)
def get_customer_shipment(
    shipment_id: ShipmentId, session: DB, scope: LogisticsReader
) -> s.CustomerOut:
    row = customers.find_customer_shipment(session, scope, shipment_id)
    if row is None:
        raise NotFound(f"no customer shipment '{shipment_id}'", field="shipment_id")
    return s.CustomerOut.model_validate(row, from_attributes=True)


@router.post("/customer-shipments/{shipment_id}/status", response_model=s.CustomerOut)
def advance_customer_shipment(
    shipment_id: ShipmentId, body: s.StatusChange, session: DB, scope: LogisticsEditor
) -> s.CustomerOut:
    """Dispatch (only goods made and not yet shipped), hold at a checkpoint, deliver."""
    row = dispatch_customer_shipment(session, scope, shipment_id, body)
    return s.CustomerOut.model_validate(row, from_attributes=True)


def _pass_out(p: TransportPass, today: dt.date, scope: EnterpriseScope) -> s.PassOut:
    """A pass as the caller may see it: the driver's name only for the roles that
    handle passes (``scope.sees_drivers``)."""
    return s.PassOut(
        id=p.id,
        vehicle=p.vehicle,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        driver=p.driver if scope.sees_drivers else None,
        issued_by=p.issued_by,
        shipment_id=p.shipment_id,
        valid_today=p.valid_from <= today <= p.valid_until,
        updated_at=p.updated_at,
    )


@router.get("/transport-passes", response_model=Page[s.PassOut])
def list_passes(
    session: DB,
    scope: LogisticsReader,
    paging: Paging,
    valid_on: Annotated[Day | None, Query(description="Only passes valid that day.")] = None,
) -> Response:
    """Transport passes. Sort by valid_until (default), id or vehicle."""
    q = queries.passes(scope, valid_on)
    rows, total = fetch_page(session, q, paging, queries.PASS_SORTS, "valid_until")
    today = clock.today()
    return page_of([_pass_out(p, today, scope) for p in rows], total, paging)


@router.post("/transport-passes", response_model=s.PassOut, status_code=201)
def create_pass(body: s.PassIn, session: DB, scope: LogisticsEditor) -> s.PassOut:
    row = passes.create_pass(session, scope, body)
    return _pass_out(row, clock.today(), scope)


@router.get("/transport-passes/{pass_id}", response_model=s.PassOut)
def get_pass(pass_id: PassId, session: DB, scope: LogisticsReader) -> s.PassOut:
    return _pass_out(passes.get_pass(session, scope, pass_id), clock.today(), scope)
