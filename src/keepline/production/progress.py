"""Flow: customers' orders with their progress from the shipments against them.

Above ``production.service`` (the orders) and ``logistics.customers`` (the shipments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from keepline.logistics import customers
from keepline.production import service as production
from keepline.recordkit import enterprise
from keepline.scope import EnterpriseScope


@dataclass(frozen=True)
class OrderProgress:
    id: str
    customer: str
    product_id: str
    priority: str
    due: dt.date
    qty: float
    planned: float  # in customer shipments not yet dispatched
    dispatched: float  # on the road (dispatched or held)
    delivered: float
    remaining: float  # ordered minus dispatched and delivered
    state: str  # 'done', 'open', 'overdue'


def order_progress(session: Session, scope: EnterpriseScope, as_of: dt.date) -> list[OrderProgress]:
    enterprise(session, scope.enterprise_id)
    by_order = customers.by_order_and_state(session, scope)
    out = []
    for o in production.orders(session, scope):
        sh = by_order[o.id]
        remaining = max(0.0, o.qty - sh["dispatched"] - sh["delivered"])
        state = "done" if remaining <= 1e-9 else ("overdue" if as_of > o.due else "open")
        out.append(
            OrderProgress(
                o.id,
                o.customer,
                o.product_id,
                o.priority,
                o.due,
                o.qty,
                sh["planned"],
                sh["dispatched"],
                sh["delivered"],
                remaining,
                state,
            )
        )
    return out
