"""Routes: supplier and region status, lanes, purchase and customer shipments, passes.

Every role of the enterprise reads; admins, storekeepers and planners record."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select

from keepline import clock
from keepline.accounts.models import Role
from keepline.accounts.service import Caller
from keepline.apikit.auth import Tenant, roles
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of
from keepline.errors import NotFound
from keepline.logistics import schemas as s
from keepline.logistics import service
from keepline.logistics.models import (
    OPEN,
    CustomerShipment,
    NodeStatus,
    PurchaseShipment,
    ShipmentStatus,
    StatusKind,
    TransportPass,
)

router = APIRouter(tags=["logistics"], route_class=Route)
Logistics = Annotated[Caller, Depends(roles(Role.admin, Role.storekeeper, Role.planner))]
AsOf = Annotated[dt.date | None, Query(description="Day (default: today, plant time).")]
ShipmentId = Annotated[str, Path(min_length=1, max_length=64, description="Shipment number.")]
LaneId = Annotated[str, Path(min_length=1, max_length=64, description="Lane id.")]
PassId = Annotated[str, Path(min_length=1, max_length=64, description="Pass number.")]


def _page(model, rows, total, paging):  # type: ignore[no-untyped-def]
    return page_of([model.model_validate(r, from_attributes=True) for r in rows], total, paging)


@router.get("/statuses", response_model=Page[s.StatusOut])
def list_statuses(
    session: DB,
    caller: Tenant,
    paging: Paging,
    kind: StatusKind | None = None,
    node_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Recorded supplier and region states. Sort by id (default), start, node_id."""
    q = select(NodeStatus).where(NodeStatus.enterprise_id == caller.enterprise_id)
    if kind:
        q = q.where(NodeStatus.kind == kind.value)
    if node_id:
        q = q.where(NodeStatus.node_id == node_id)
    cols = {"id": NodeStatus.id, "start": NodeStatus.start, "node_id": NodeStatus.node_id}
    rows, total = fetch_page(session, q, paging, cols, "id")
    return _page(s.StatusOut, rows, total, paging)


@router.post("/statuses", response_model=s.StatusOut, status_code=201)
def set_status(body: s.StatusIn, session: DB, caller: Logistics) -> s.StatusOut:
    """Record a supplier's or a region's state over dates. A lockdown marks the open
    purchase shipments of the suppliers it touches at risk."""
    row = service.set_status(
        session,
        caller.enterprise_id,
        caller.actor,  # type: ignore[arg-type]
        service.StatusIn(**body.model_dump()),
    )
    return s.StatusOut.model_validate(row, from_attributes=True)


@router.get("/suppliers", response_model=list[s.SupplierStateOut])
def supplier_states(session: DB, caller: Tenant, as_of: AsOf = None) -> list[s.SupplierStateOut]:
    """Every supplier's state on ``as_of`` (the worse of its own and its region's), with
    its open and at-risk purchase shipments."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    opened, risky = Counter(), Counter()
    for sh in service.list_purchases(session, eid, open_only=True):
        opened[sh.supplier_id] += 1
        risky[sh.supplier_id] += sh.at_risk
    return [
        s.SupplierStateOut(
            **st.__dict__,
            open_shipments=opened[st.supplier_id],
            at_risk_shipments=risky[st.supplier_id],
        )
        for st in service.supplier_states(session, eid, as_of or clock.today()).values()
    ]


@router.get("/lanes", response_model=list[s.LaneOut])
def lanes(session: DB, caller: Tenant, as_of: AsOf = None) -> list[s.LaneOut]:
    """Lanes into the plant with their transit days on ``as_of``."""
    rows = service.lanes_on(session, caller.enterprise_id, as_of or clock.today())  # type: ignore[arg-type]
    return [s.LaneOut(**r.__dict__) for r in rows]


@router.post("/lanes/{lane_id}/transit", response_model=list[s.LaneOut], status_code=201)
def set_lane_transit(
    lane_id: LaneId, body: s.LaneTransitIn, session: DB, caller: Logistics
) -> list[s.LaneOut]:
    """Record a lane's transit days over dates (checkpoints, detours)."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    from keepline.plant import models as pm

    if session.get(pm.Lane, (eid, lane_id)) is None:
        raise NotFound(f"no lane '{lane_id}'", field="lane_id")
    service.set_lane_transit(
        session, eid, caller.actor, lane_id, body.transit_days, body.start, body.end, body.note
    )
    return [s.LaneOut(**r.__dict__) for r in service.lanes_on(session, eid, body.start)]


PURCHASE_SORTS = {
    "eta": PurchaseShipment.eta,
    "id": PurchaseShipment.id,
    "ordered_on": PurchaseShipment.ordered_on,
}


@router.get("/purchase-shipments", response_model=Page[s.PurchaseOut])
def list_purchases(
    session: DB,
    caller: Tenant,
    paging: Paging,
    status: ShipmentStatus | None = None,
    open_only: bool = False,
    at_risk: bool | None = None,
    material_id: Annotated[str | None, Query(max_length=64)] = None,
    supplier_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Inbound shipments. Sort by eta (default), id or ordered_on."""
    q = select(PurchaseShipment).where(PurchaseShipment.enterprise_id == caller.enterprise_id)
    if status:
        q = q.where(PurchaseShipment.status == status.value)
    if open_only:
        q = q.where(PurchaseShipment.status.in_([x.value for x in OPEN]))
    if at_risk is not None:
        q = q.where(PurchaseShipment.at_risk.is_(at_risk))
    if material_id:
        q = q.where(PurchaseShipment.material_id == material_id)
    if supplier_id:
        q = q.where(PurchaseShipment.supplier_id == supplier_id)
    rows, total = fetch_page(session, q, paging, PURCHASE_SORTS, "eta")
    return _page(s.PurchaseOut, rows, total, paging)


@router.post("/purchase-shipments", response_model=s.PurchaseOut, status_code=201)
def create_purchase(body: s.PurchaseIn, session: DB, caller: Logistics) -> s.PurchaseOut:
    """A purchase shipment: the supplier must be a supply option of the material."""
    row = service.create_purchase(
        session,
        caller.enterprise_id,
        caller.actor,  # type: ignore[arg-type]
        service.PurchaseIn(**body.model_dump()),
    )
    return s.PurchaseOut.model_validate(row, from_attributes=True)


@router.get("/purchase-shipments/{shipment_id}", response_model=s.PurchaseOut)
def get_purchase(shipment_id: ShipmentId, session: DB, caller: Tenant) -> s.PurchaseOut:
    row = service._purchase(session, caller.enterprise_id, shipment_id)  # type: ignore[arg-type]
    return s.PurchaseOut.model_validate(row, from_attributes=True)


@router.post("/purchase-shipments/{shipment_id}/status", response_model=s.PurchaseOut)
def advance_purchase(
    shipment_id: ShipmentId, body: s.StatusChange, session: DB, caller: Logistics
) -> s.PurchaseOut:
    """Dispatched, held at a checkpoint, or delivered (which appends a stock receipt)."""
    row = service.advance_purchase(
        session,
        caller.enterprise_id,
        caller.actor,
        shipment_id,  # type: ignore[arg-type]
        body.status,
        body.day,
        body.checkpoint,
        body.eta,
    )
    return s.PurchaseOut.model_validate(row, from_attributes=True)


CUSTOMER_SORTS = {
    "planned_on": CustomerShipment.planned_on,
    "id": CustomerShipment.id,
    "order_id": CustomerShipment.order_id,
}


@router.get("/customer-shipments", response_model=Page[s.CustomerOut])
def list_customer_shipments(
    session: DB,
    caller: Tenant,
    paging: Paging,
    status: ShipmentStatus | None = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Outbound shipments against orders. Sort by planned_on (default), id or order_id."""
    q = select(CustomerShipment).where(CustomerShipment.enterprise_id == caller.enterprise_id)
    if status:
        q = q.where(CustomerShipment.status == status.value)
    if order_id:
        q = q.where(CustomerShipment.order_id == order_id)
    rows, total = fetch_page(session, q, paging, CUSTOMER_SORTS, "planned_on")
    return _page(s.CustomerOut, rows, total, paging)


@router.post("/customer-shipments", response_model=s.CustomerOut, status_code=201)
def create_customer_shipment(body: s.CustomerIn, session: DB, caller: Logistics) -> s.CustomerOut:
    """A shipment against an order (never more than the order's quantity in all)."""
    row = service.create_customer_shipment(
        session,
        caller.enterprise_id,
        caller.actor,  # type: ignore[arg-type]
        service.CustomerIn(**body.model_dump()),
    )
    return s.CustomerOut.model_validate(row, from_attributes=True)


@router.get("/customer-shipments/{shipment_id}", response_model=s.CustomerOut)
def get_customer_shipment(shipment_id: ShipmentId, session: DB, caller: Tenant) -> s.CustomerOut:
    row = session.get(CustomerShipment, (caller.enterprise_id, shipment_id))
    if row is None:
        raise NotFound(f"no customer shipment '{shipment_id}'", field="shipment_id")
    return s.CustomerOut.model_validate(row, from_attributes=True)


@router.post("/customer-shipments/{shipment_id}/status", response_model=s.CustomerOut)
def advance_customer_shipment(
    shipment_id: ShipmentId, body: s.StatusChange, session: DB, caller: Logistics
) -> s.CustomerOut:
    """Dispatch (only goods made and not yet shipped), hold at a checkpoint, deliver."""
    row = service.advance_customer_shipment(
        session,
        caller.enterprise_id,
        caller.actor,  # type: ignore[arg-type]
        shipment_id,
        body.status,
        body.day,
        body.checkpoint,
    )
    return s.CustomerOut.model_validate(row, from_attributes=True)


def _pass_out(p: TransportPass, today: dt.date) -> s.PassOut:
    return s.PassOut(
        id=p.id,
        vehicle=p.vehicle,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        driver=p.driver,
        issued_by=p.issued_by,
        shipment_id=p.shipment_id,
        valid_today=p.valid_from <= today <= p.valid_until,
        updated_at=p.updated_at,
    )


@router.get("/transport-passes", response_model=Page[s.PassOut])
def list_passes(
    session: DB,
    caller: Tenant,
    paging: Paging,
    valid_on: Annotated[dt.date | None, Query(description="Only passes valid that day.")] = None,
) -> Response:
    """Transport passes. Sort by valid_until (default), id or vehicle."""
    q = select(TransportPass).where(TransportPass.enterprise_id == caller.enterprise_id)
    if valid_on:
        q = q.where(TransportPass.valid_from <= valid_on, TransportPass.valid_until >= valid_on)
    cols = {
        "valid_until": TransportPass.valid_until,
        "id": TransportPass.id,
        "vehicle": TransportPass.vehicle,
    }
    rows, total = fetch_page(session, q, paging, cols, "valid_until")
    today = clock.today()
    return page_of([_pass_out(p, today) for p in rows], total, paging)


@router.post("/transport-passes", response_model=s.PassOut, status_code=201)
def create_pass(body: s.PassIn, session: DB, caller: Logistics) -> s.PassOut:
    row = service.create_pass(
        session,
        caller.enterprise_id,
        caller.actor,  # type: ignore[arg-type]
        service.PassIn(**body.model_dump()),
    )
    return _pass_out(row, clock.today())


@router.get("/transport-passes/{pass_id}", response_model=s.PassOut)
def get_pass(pass_id: PassId, session: DB, caller: Tenant) -> s.PassOut:
    return _pass_out(service.get_pass(session, caller.enterprise_id, pass_id), clock.today())  # type: ignore[arg-type]
