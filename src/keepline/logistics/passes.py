"""Transport passes: a vehicle's permit to move over dates, for a shipment or not.

Functions take ``(session, scope)``; every query is scoped to ``scope.enterprise_id``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline.errors import NotFound, msg
from keepline.logistics import queries
from keepline.logistics.models import CustomerShipment, PurchaseShipment, TransportPass
from keepline.logistics.schemas import PassIn
from keepline.logistics.shipments import audit_insert
from keepline.recordkit import bad, dates_in_order, new_row, now
from keepline.scope import EnterpriseScope


def create_pass(session: Session, scope: EnterpriseScope, p: PassIn) -> TransportPass:
    eid = scope.enterprise_id
    new_row(session, TransportPass, eid, p.id, "transport pass", "a pass needs its number")
    if not p.vehicle.strip():
        raise bad("vehicle", msg("a pass needs the vehicle's plate"))
    dates_in_order(("valid_from", p.valid_from), ("valid_until", p.valid_until))
    if (
        p.shipment_id
        and session.get(PurchaseShipment, (eid, p.shipment_id)) is None
        and session.get(CustomerShipment, (eid, p.shipment_id)) is None
    ):
        raise bad("shipment_id", msg("unknown shipment '%(id)s'", id=p.shipment_id))
    row = TransportPass(
        enterprise_id=eid,
        id=p.id,
        vehicle=p.vehicle.strip(),
        driver=p.driver,
        issued_by=p.issued_by,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        shipment_id=p.shipment_id,
        updated_at=now(),
    )
    audit_insert(session, scope, row, "transport_passes")
    return row


def list_passes(
    session: Session, scope: EnterpriseScope, valid_on: dt.date | None = None
) -> list[TransportPass]:
    q = queries.passes(scope, valid_on)
    return list(session.scalars(q.order_by(TransportPass.valid_until, TransportPass.id)))


def get_pass(session: Session, scope: EnterpriseScope, pid: str) -> TransportPass:
    row = session.get(TransportPass, (scope.enterprise_id, pid))
    if row is None:
        raise NotFound(f"no transport pass '{pid}'", field="id")
    return row
