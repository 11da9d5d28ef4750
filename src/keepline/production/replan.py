"""Flow: re-plan from today — run the continuity planner from the daily record at the end
of the day before, with the workers the daily record makes available, and store the plan
with its inputs.

Above ``production.gather`` (the state), ``containment.service`` (availability),
``logistics.lanes``, ``plant.service`` and ``production.service`` (stored plans)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.containment import service as containment
from keepline.continuity.plan import plan as run_plan
from keepline.logistics import lanes
from keepline.people.models import EmploymentStatus, Worker
from keepline.plant.service import export_plant
from keepline.production import today as today_engine
from keepline.production.gather import gather_today
from keepline.production.models import StoredPlan
from keepline.production.service import store_plan
from keepline.recordkit import bad, enterprise
from keepline.scope import EnterpriseScope
from keepline.workforce import Workforce, full_workforce


def roster_workforce(
    session: Session, scope: EnterpriseScope, start: dt.date, horizon: int
) -> Workforce | None:
    """Workers available per day from the daily record — roster, declarations' clearance,
    isolations, quarantines and zone states (``containment.service.workforce``) — over
    the planning horizon; ``None`` (everyone planned) when no roster is loaded."""
    active = session.scalar(
        select(func.count())
        .select_from(Worker)
        .where(
            Worker.enterprise_id == scope.enterprise_id,
            Worker.employment_status == EmploymentStatus.active.value,
        )
    )
    if not active:
        return None
    end = start + dt.timedelta(days=horizon - 1)
    return containment.workforce(session, scope.enterprise_id, start, end).workforce


def replan(
    session: Session, scope: EnterpriseScope, start: dt.date, horizon: int = 90
) -> StoredPlan:
    """Run the continuity planner from the state at the end of the day before ``start`` and
    store the plan with its inputs."""
    if not 7 <= horizon <= 366:
        raise bad("horizon_days", f"expected 7 to 366 days, got {horizon}")
    ent = enterprise(session, scope.enterprise_id)
    if start <= ent.horizon_start:
        raise bad(
            "as_of",
            f"{start.isoformat()}: re-plan from a day after the plant's start "
            f"{ent.horizon_start.isoformat()} (plan the plant file itself before)",
        )
    plant = export_plant(session, scope.enterprise_id)
    state = gather_today(session, scope, start)
    today, scenario = today_engine.plant_for_today(plant, state, horizon)
    workforce = roster_workforce(session, scope, start, horizon)
    if not today.orders:
        raise bad("as_of", f"no order has anything left to ship from {start.isoformat()}")
    result = run_plan(today, workforce, scenario, horizon)
    inputs = {
        "state_at_end_of": (start - dt.timedelta(days=1)).isoformat(),
        "stock": {m.id: m.on_hand for m in today.materials},
        "receipts": {
            m: sum(r.qty for r in state.receipts if r.material == m)
            for m in sorted({r.material for r in state.receipts})
        },
        "remaining": {o.id: o.qty for o in today.orders},
        "disruptions": [
            {
                "kind": d.kind.value,
                "id": d.id,
                "start": (start + dt.timedelta(days=d.start_day)).isoformat(),
                "end": (start + dt.timedelta(days=d.start_day + d.days - 1)).isoformat(),
            }
            for d in scenario.disruptions
            if not d.id.startswith("inbound-")
        ],
        "transit": lanes.transit_by_region(session, scope, start),
        "workers": float(
            (
                workforce.available
                if workforce is not None
                else full_workforce(today, horizon).available
            ).sum()
        ),
        "workforce_from": (
            "daily record (roster, clearance, isolation, quarantine, zone states)"
            if workforce is not None
            else "plan file"
        ),
    }
    per_day = result.output_per_day()
    product_ids = list(result.inp.product_ids)
    # The LP's own fill by the due date, before rounding to whole units (the bound).
    inp, lp_ship = result.inp, result.lp.schedule.ship
    lp_fill = {
        oid: float(lp_ship[o, : max(int(inp.order_due[o]), 0) + 1].sum())
        for o, oid in enumerate(inp.order_ids)
    }
    out = {
        "orders": {
            o.order: {
                "priority": o.priority,
                "due": o.due.isoformat(),
                "qty": o.qty,
                "fill_by_due": o.shipped_by_due,
                "lp_fill_by_due": lp_fill.get(o.order, 0.0),
                "late_units": o.units_late + o.units_unshipped,
                "at_risk": bool(o.at_risk),
            }
            for o in result.orders
        },
        "orders_at_risk": [o.order for o in result.orders if o.at_risk],
        "backups": [
            {
                "material": b["material"],
                "supplier": b["supplier"],
                "activate_on": b.get("activate_by"),
            }
            for b in result.backups()
            if not str(b["supplier"]).startswith("inbound-")
        ],
        "production": {p: [float(x) for x in per_day[i]] for i, p in enumerate(product_ids)},
        "reasons": list(result.explanations),
        "weighted_lateness": result.weighted_lateness(),
        "lp_bound": result.lp_bound(),
        "violations": list(result.violations),
    }
    return store_plan(session, scope, start, horizon, inputs, out)
