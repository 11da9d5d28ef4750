"""Purchase shipments: inbound from suppliers, on the road, held, delivered; what is due in.

Functions take ``(session, scope)``; every query is scoped to ``scope.enterprise_id``.
A delivery also writes a stock receipt: that is the flow in ``logistics.delivery``, which
moves a shipment with ``move`` and ``save_move`` around the receipt.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.errors import msg
from keepline.logistics import queries
from keepline.logistics.models import PurchaseShipment, ShipmentStatus
from keepline.logistics.schemas import PurchaseIn, StatusChange
from keepline.logistics.shipments import (
    audit_insert,
    check_transition,
    save_status,
    set_checkpoint,
)
from keepline.logistics.status import refresh_risk
from keepline.plant import models as pm
from keepline.recordkit import bad, dates_in_order, enterprise, missing, new_row, now, plant_row
from keepline.scope import EnterpriseScope


def get_purchase(session: Session, scope: EnterpriseScope, sid: str) -> PurchaseShipment:
    row = session.get(PurchaseShipment, (scope.enterprise_id, sid))
    if row is None:
        raise missing("id", f"no purchase shipment '{sid}'")
    return row


def create_purchase(session: Session, scope: EnterpriseScope, p: PurchaseIn) -> PurchaseShipment:
    eid = scope.enterprise_id
    empty = "a shipment needs an id (e.g. the purchase order number)"
    new_row(session, PurchaseShipment, eid, p.id, "purchase shipment", empty)
    mat = plant_row(session, pm.Material, eid, p.material_id, "material_id", "material")
    plant_row(session, pm.Supplier, eid, p.supplier_id, "supplier_id", "supplier")
    if session.get(pm.SupplyOption, (eid, p.material_id, p.supplier_id)) is None:
        raise bad(
            "supplier_id",
            msg(
                "'%(supplier)s' is not a supply option for %(material)s",
                supplier=p.supplier_id,
                material=mat.id,
            ),
        )
    if not (math.isfinite(p.qty) and p.qty > 0):
        raise bad("qty", msg("expected a quantity > 0, got %(qty)s", qty=format(p.qty, "g")))
    status = ShipmentStatus(p.status)
    if status not in (ShipmentStatus.planned, ShipmentStatus.dispatched):
        raise bad("status", msg("a new shipment is planned or dispatched"))
    if status == ShipmentStatus.dispatched and p.dispatched_on is None:
        raise bad("dispatched_on", msg("a dispatched shipment needs its dispatch date"))
    dates_in_order(("ordered_on", p.ordered_on), ("dispatched_on", p.dispatched_on))
    dates_in_order(("ordered_on", p.ordered_on), ("eta", p.eta))
    dates_in_order(("dispatched_on", p.dispatched_on), ("eta", p.eta))
    row = PurchaseShipment(
        enterprise_id=eid,
        id=p.id,
        material_id=p.material_id,
        supplier_id=p.supplier_id,
        qty=float(p.qty),
        ordered_on=p.ordered_on,
        eta=p.eta,
        dispatched_on=p.dispatched_on,
        delivered_on=None,
        status=status.value,
        checkpoint=None,
        at_risk=False,
        risk_reason=None,
        updated_at=now(),
    )
    audit_insert(session, scope, row, "purchase_shipments")
    refresh_risk(session, scope)
    return row


@dataclass
class PurchaseMove:
    """A purchase shipment moved on, checked and not yet saved."""

    row: PurchaseShipment
    before: dict[str, Any]
    status: ShipmentStatus
    received: pm.Material | None  # the material delivered (None: not a delivery)


def move(session: Session, scope: EnterpriseScope, sid: str, change: StatusChange) -> PurchaseMove:
    """Check and apply a move (dispatched, held at a checkpoint, delivered) to the shipment;
    ``save_move`` records it. Raises naming the bad field."""
    eid = scope.enterprise_id
    enterprise(session, eid)
    row = get_purchase(session, scope, sid)
    status = ShipmentStatus(change.status)
    day = change.day
    check_transition(row.status, status)
    before = row.values()
    dates_in_order(("ordered_on", row.ordered_on), ("day", day))
    if status == ShipmentStatus.dispatched and row.dispatched_on is None:
        row.dispatched_on = day
    dates_in_order(("dispatched_on", row.dispatched_on), ("day", day))
    set_checkpoint(row, status, change.checkpoint)
    if change.eta is not None:
        dates_in_order(("day", day), ("eta", change.eta))
        row.eta = change.eta
    received = None
    if status == ShipmentStatus.delivered:
        row.delivered_on = day
        received = session.get(pm.Material, (eid, row.material_id))
        if received is None:
            raise bad("material_id", f"material '{row.material_id}' is no longer in the plant")
    return PurchaseMove(row, before, status, received)


def save_move(session: Session, scope: EnterpriseScope, m: PurchaseMove) -> PurchaseShipment:
    """Save a checked move; a delivered shipment is no longer at risk. Audited."""
    row = m.row
    if m.status == ShipmentStatus.delivered:
        row.at_risk, row.risk_reason = False, None
    save_status(session, scope, row, m.status, m.before, "purchase_shipments")
    return row


def list_purchases(
    session: Session,
    scope: EnterpriseScope,
    *,
    open_only: bool = False,
    at_risk: bool | None = None,
) -> list[PurchaseShipment]:
    q = queries.purchases(scope, open_only=open_only, at_risk=at_risk)
    return list(session.scalars(q.order_by(PurchaseShipment.eta, PurchaseShipment.id)))


def ordered_pairs(session: Session, scope: EnterpriseScope) -> set[tuple[str, str]]:
    """(material, supplier) of every purchase shipment recorded (a supplier in use)."""
    return {
        (m, s)
        for m, s in session.execute(
            select(PurchaseShipment.material_id, PurchaseShipment.supplier_id).where(
                PurchaseShipment.enterprise_id == scope.enterprise_id
            )
        )
    }


def scheduled_receipts(
    session: Session, scope: EnterpriseScope, as_of: dt.date, horizon: int
) -> dict[str, np.ndarray]:
    """Open purchase shipments not at risk, by material and day of expected arrival from
    ``as_of`` (an overdue one counts on ``as_of``)."""
    out: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(horizon))
    for sh in list_purchases(session, scope, open_only=True, at_risk=False):
        d = max(0, (sh.eta - as_of).days)
        if d < horizon:
            arr = out[sh.material_id]
            arr[d] += sh.qty
    return dict(out)
