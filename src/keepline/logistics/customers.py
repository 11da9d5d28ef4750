"""Customer shipments: outbound against orders, dispatched, held, delivered.

Functions take ``(session, scope)``; every query is scoped to ``scope.enterprise_id``.
A dispatch needs finished goods made and not yet shipped, which production records: that
check is the flow in ``logistics.dispatch``, around ``move`` and ``save_move``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.errors import msg
from keepline.logistics import queries
from keepline.logistics.models import CustomerShipment, ShipmentStatus
from keepline.logistics.schemas import CustomerIn, StatusChange
from keepline.logistics.shipments import (
    audit_insert,
    check_transition,
    save_status,
    set_checkpoint,
)
from keepline.plant import models as pm
from keepline.recordkit import bad, dates_in_order, enterprise, missing, new_row, now, plant_row
from keepline.scope import EnterpriseScope


def find_customer_shipment(
    session: Session, scope: EnterpriseScope, sid: str
) -> CustomerShipment | None:
    return session.get(CustomerShipment, (scope.enterprise_id, sid))


def _shipped_for_order(
    session: Session, scope: EnterpriseScope, order_id: str, exclude: str | None = None
) -> float:
    rows = session.scalars(
        select(CustomerShipment).where(
            CustomerShipment.enterprise_id == scope.enterprise_id,
            CustomerShipment.order_id == order_id,
        )
    )
    return sum(r.qty for r in rows if r.id != exclude)


def create_customer_shipment(
    session: Session, scope: EnterpriseScope, c: CustomerIn
) -> CustomerShipment:
    eid = scope.enterprise_id
    empty = "a shipment needs an id (e.g. the delivery note number)"
    new_row(session, CustomerShipment, eid, c.id, "customer shipment", empty)
    order = plant_row(session, pm.Order, eid, c.order_id, "order_id", "order")
    if not (math.isfinite(c.qty) and c.qty > 0):
        raise bad("qty", msg("expected a quantity > 0, got %(qty)s", qty=format(c.qty, "g")))
    booked = _shipped_for_order(session, scope, order.id)
    if booked + c.qty > order.qty + 1e-9:
        raise bad(
            "qty",
            msg(
                "%(qty)s more would exceed order %(order)s: %(ordered)s ordered, %(booked)s "
                "already in shipments",
                qty=format(c.qty, "g"),
                order=order.id,
                ordered=format(order.qty, "g"),
                booked=format(booked, "g"),
            ),
        )
    row = CustomerShipment(
        enterprise_id=eid,
        id=c.id,
        order_id=order.id,
        qty=float(c.qty),
        planned_on=c.planned_on,
        dispatched_on=None,
        delivered_on=None,
        status=ShipmentStatus.planned.value,
        checkpoint=None,
        updated_at=now(),
    )
    audit_insert(session, scope, row, "customer_shipments")
    return row


def shipped_out(session: Session, scope: EnterpriseScope, product_id: str, exclude: str) -> float:
    """Units of ``product_id`` that have left in dispatched shipments other than ``exclude``."""
    q = (
        select(CustomerShipment)
        .join(
            pm.Order,
            (pm.Order.enterprise_id == CustomerShipment.enterprise_id)
            & (pm.Order.id == CustomerShipment.order_id),
        )
        .where(
            CustomerShipment.enterprise_id == scope.enterprise_id,
            pm.Order.product_id == product_id,
            CustomerShipment.dispatched_on.is_not(None),
        )
    )
    left = 0.0
    for r in session.scalars(q):
        if r.id != exclude:
            left += r.qty
    return left


@dataclass
class CustomerMove:
    """A customer shipment moved on, checked and not yet saved."""

    row: CustomerShipment
    before: dict[str, Any]
    status: ShipmentStatus
    day: dt.date
    checkpoint: str | None
    dispatching: pm.Order | None  # leaves the plant with this move: the order it serves


def move(session: Session, scope: EnterpriseScope, sid: str, change: StatusChange) -> CustomerMove:
    """Check a move (dispatch, hold, deliver); ``save_move`` applies and records it."""
    eid = scope.enterprise_id
    enterprise(session, eid)
    row = find_customer_shipment(session, scope, sid)
    if row is None:
        raise missing("id", f"no customer shipment '{sid}'")
    status = ShipmentStatus(change.status)
    check_transition(row.status, status)
    before = row.values()
    order = None
    if row.dispatched_on is None and status in (
        ShipmentStatus.dispatched,
        ShipmentStatus.delivered,
    ):
        order = session.get(pm.Order, (eid, row.order_id))
        if order is None:
            raise bad("order_id", f"order '{row.order_id}' is no longer in the plant")
    return CustomerMove(row, before, status, change.day, change.checkpoint, order)


def save_move(session: Session, scope: EnterpriseScope, m: CustomerMove) -> CustomerShipment:
    row, status, day = m.row, m.status, m.day
    if m.dispatching is not None:
        row.dispatched_on = day
    dates_in_order(("dispatched_on", row.dispatched_on), ("day", day))
    set_checkpoint(row, status, m.checkpoint)
    if status == ShipmentStatus.delivered:
        row.delivered_on = day
    save_status(session, scope, row, status, m.before, "customer_shipments")
    return row


def list_customer_shipments(
    session: Session, scope: EnterpriseScope, order_id: str | None = None
) -> list[CustomerShipment]:
    q = queries.customer_shipments(scope, order_id=order_id)
    return list(session.scalars(q.order_by(CustomerShipment.planned_on, CustomerShipment.id)))


def by_order_and_state(session: Session, scope: EnterpriseScope) -> dict[str, dict[str, float]]:
    """Per order, units in shipments planned, on the road (dispatched or held), delivered."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in session.scalars(
        select(CustomerShipment).where(CustomerShipment.enterprise_id == scope.enterprise_id)
    ):
        key = {
            "planned": "planned",
            "dispatched": "dispatched",
            "held": "dispatched",
            "delivered": "delivered",
        }[s.status]
        out[s.order_id][key] += s.qty
    return out


def shipped_through(
    session: Session, scope: EnterpriseScope, day: dt.date
) -> tuple[dict[str, float], dict[str, float]]:
    """Units dispatched on or before ``day`` (whatever became of them since): per order,
    and per product of the order."""
    eid = scope.enterprise_id
    order_product = {
        o.id: o.product_id
        for o in session.scalars(select(pm.Order).where(pm.Order.enterprise_id == eid))
    }
    by_order: dict[str, float] = defaultdict(float)
    by_product: dict[str, float] = defaultdict(float)
    for sh in session.scalars(
        select(CustomerShipment).where(
            CustomerShipment.enterprise_id == eid,
            CustomerShipment.dispatched_on.is_not(None),
            CustomerShipment.dispatched_on <= day,
        )
    ):
        by_order[sh.order_id] += sh.qty
        by_product[order_product.get(sh.order_id, "")] += sh.qty
    return dict(by_order), dict(by_product)
