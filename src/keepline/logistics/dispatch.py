"""Flow: a customer shipment moves on; it may leave the plant only with finished goods
made (production's output) and not yet shipped.

Above ``logistics.customers`` and ``production.service`` (output)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from keepline.errors import msg
from keepline.logistics import customers
from keepline.logistics.models import CustomerShipment
from keepline.logistics.schemas import StatusChange
from keepline.production import service as production
from keepline.recordkit import bad
from keepline.scope import EnterpriseScope


def advance_customer_shipment(
    session: Session, scope: EnterpriseScope, sid: str, change: StatusChange
) -> CustomerShipment:
    """Dispatch (needs finished goods made and not yet shipped), hold, deliver."""
    move = customers.move(session, scope, sid, change)
    order = move.dispatching
    if order is not None:
        row, day = move.row, change.day
        # Made up to the day, less what has left in the product's other shipments.
        made = production.produced_total(session, scope, order.product_id, day)
        available = made - customers.shipped_out(session, scope, order.product_id, row.id)
        if row.qty > available + 1e-9:
            raise bad(
                "qty",
                msg(
                    "%(qty)s %(product)s to ship on %(day)s but only %(available)s made and not "
                    "yet shipped",
                    qty=format(row.qty, "g"),
                    product=order.product_id,
                    day=day.isoformat(),
                    available=format(max(available, 0), "g"),
                ),
            )
    return customers.save_move(session, scope, move)
