"""Flow: the daily record at the end of a day, as the re-plan's engine
(``production.today``) needs it: stock, what has shipped and been made, purchases on the
way, supplier and region lockdowns, slow lanes.

Above ``materials.service``, ``logistics`` (customers, purchases, status, lanes) and
``production.service``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline.logistics import customers, lanes, purchases, status
from keepline.logistics.models import NodeState
from keepline.materials import service as materials
from keepline.production import service as production
from keepline.production import today as today_engine
from keepline.scope import EnterpriseScope


def gather_today(
    session: Session, scope: EnterpriseScope, start: dt.date
) -> today_engine.TodayState:
    """The daily record at the end of the day before ``start``."""
    closed = start - dt.timedelta(days=1)
    stock = materials.on_hand_all(session, scope, closed)
    shipped, by_product_out = customers.shipped_through(session, scope, closed)
    made = production.produced_by_product(session, scope, closed)
    finished = {p: max(0.0, float(q) - by_product_out.get(p, 0.0)) for p, q in made.items()}
    receipts = [
        today_engine.Receipt(sh.id, sh.material_id, sh.qty, sh.eta)
        for sh in purchases.list_purchases(session, scope, open_only=True, at_risk=False)
    ]
    # Lockdowns as recorded; a later entry for the same node overrides where they overlap,
    # which the day-by-day state handles: rebuild windows from each node's daily state.
    rows = status.list_statuses(session, scope)
    lockdowns = []
    for kind, node in sorted({(r.kind, r.node_id) for r in rows}):
        spans = sorted(
            {r.start for r in rows if r.kind == kind and r.node_id == node}
            | {
                r.end + dt.timedelta(days=1)
                for r in rows
                if r.kind == kind and r.node_id == node and r.end is not None
            }
        )
        for i, s0 in enumerate(spans):
            s1 = spans[i + 1] - dt.timedelta(days=1) if i + 1 < len(spans) else None
            cur = status.state_on(rows, kind, node, s0)
            if cur is not None and cur.state == NodeState.locked_down.value:
                lockdowns.append(today_engine.Lockdown(kind, node, s0, s1))
    slow = [
        today_engine.SlowLane(region, lt.transit_days, lt.start, lt.end)
        for region, lt in lanes.transits_by_region(session, scope)
    ]
    return today_engine.TodayState(
        start=start,
        stock=stock,
        shipped=shipped,
        finished_goods=finished,
        receipts=receipts,
        lockdowns=lockdowns,
        slow_lanes=slow,
    )
