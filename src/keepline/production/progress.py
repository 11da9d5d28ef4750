"""Flow: customers' orders with their progress from the shipments against them.

Above ``production.service`` (the orders) and ``logistics.customers`` (the shipments)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline.logistics import customers
from keepline.production import service as production
from keepline.production.schemas import OrderOut
from keepline.recordkit import enterprise
from keepline.scope import EnterpriseScope


def order_progress(session: Session, scope: EnterpriseScope, as_of: dt.date) -> list[OrderOut]:
    """Each order with its units planned in shipments not yet dispatched, on the road
    (dispatched or held), delivered, and remaining (ordered minus dispatched and
    delivered); its state is done, open or overdue."""
    enterprise(session, scope.enterprise_id)
    by_order = customers.by_order_and_state(session, scope)
    out = []
    for o in production.orders(session, scope):
        sh = by_order[o.id]
        remaining = max(0.0, o.qty - sh["dispatched"] - sh["delivered"])
        state = "done" if remaining <= 1e-9 else ("overdue" if as_of > o.due else "open")
        out.append(
            OrderOut(
                **o.values(without=("enterprise_id", "position", "penalty_per_unit_day")),
                **{k: sh[k] for k in ("planned", "dispatched", "delivered")},
                remaining=remaining,
                state=state,
            )
        )
    return out
