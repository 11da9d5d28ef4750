"""The list queries of logistics: one ``select`` per list, scoped to the caller's
enterprise, with the columns a list may be sorted by. The routers page them
(``apikit.lists.fetch_page``); the services run them whole."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from keepline.db import columns
from keepline.logistics.models import (
    OPEN,
    CustomerShipment,
    NodeStatus,
    PurchaseShipment,
    ShipmentStatus,
    StatusKind,
    TransportPass,
)
from keepline.scope import EnterpriseScope

STATUS_SORTS = columns(NodeStatus, "id", "start", "node_id")
PURCHASE_SORTS = columns(PurchaseShipment, "eta", "id", "ordered_on")
CUSTOMER_SORTS = columns(CustomerShipment, "planned_on", "id", "order_id")
PASS_SORTS = columns(TransportPass, "valid_until", "id", "vehicle")


def statuses(
    scope: EnterpriseScope, kind: StatusKind | None = None, node_id: str | None = None
) -> Select[NodeStatus]:
    q = select(NodeStatus).where(NodeStatus.enterprise_id == scope.enterprise_id)
    if kind:
        q = q.where(NodeStatus.kind == StatusKind(kind).value)
    if node_id:
        q = q.where(NodeStatus.node_id == node_id)
    return q


def purchases(
    scope: EnterpriseScope,
    *,
    status: ShipmentStatus | None = None,
    open_only: bool = False,
    at_risk: bool | None = None,
    material_id: str | None = None,
    supplier_id: str | None = None,
) -> Select[PurchaseShipment]:
    q = select(PurchaseShipment).where(PurchaseShipment.enterprise_id == scope.enterprise_id)
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
    return q


def customer_shipments(
    scope: EnterpriseScope, *, status: ShipmentStatus | None = None, order_id: str | None = None
) -> Select[CustomerShipment]:
    q = select(CustomerShipment).where(CustomerShipment.enterprise_id == scope.enterprise_id)
    if status:
        q = q.where(CustomerShipment.status == status.value)
    if order_id:
        q = q.where(CustomerShipment.order_id == order_id)
    return q


def passes(scope: EnterpriseScope, valid_on: dt.date | None = None) -> Select[TransportPass]:
    q = select(TransportPass).where(TransportPass.enterprise_id == scope.enterprise_id)
    if valid_on is not None:
        q = q.where(TransportPass.valid_from <= valid_on, TransportPass.valid_until >= valid_on)
    return q
