"""Output per line per day, order progress, stored plans and their comparison.

Functions take a session and the caller's enterprise id; every query is scoped to it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.continuity.record import StoredPlanResult
from keepline.errors import KeeplineError, NotFound
from keepline.plant import models as pm
from keepline.production import compare as compare_engine
from keepline.production import today as today_engine
from keepline.production.models import OutputRecord, StoredPlan
from keepline.recordkit import bad, enterprise, now, plant_row
from keepline.scope import EnterpriseScope
from keepline.workforce import Workforce, full_workforce

# -- output ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputIn:
    line_id: str
    product_id: str
    day: dt.date
    qty: float
    note: str = ""
    backflush: bool = False  # issue the BOM's materials from stock for this output


def record_output(session: Session, eid: str, actor: str, o: OutputIn) -> OutputRecord:
    """Record what a line made on a day; with ``backflush``, issue its materials too
    (every issue checked; nothing is written if any would leave stock negative)."""
    from keepline.materials import service as materials
    from keepline.materials.models import MovementKind

    ent = enterprise(session, eid)
    plant_row(session, pm.Line, eid, o.line_id, "line_id", "line")
    plant_row(session, pm.Product, eid, o.product_id, "product_id", "product")
    if session.get(pm.LineRate, (eid, o.line_id, o.product_id)) is None:
        raise bad("product_id", f"line {o.line_id} does not make {o.product_id}")
    if not (math.isfinite(o.qty) and o.qty > 0):
        raise bad("qty", f"expected a quantity > 0, got {o.qty:g}")
    if o.day < ent.horizon_start:
        raise bad(
            "day",
            f"{o.day.isoformat()} is before the plant's start {ent.horizon_start.isoformat()}",
        )
    row = OutputRecord(
        enterprise_id=eid,
        line_id=o.line_id,
        product_id=o.product_id,
        day=o.day,
        qty=float(o.qty),
        note=o.note.strip(),
        actor=actor,
        recorded_at=now(),
    )
    audit.add_row(
        session,
        row,
        enterprise_id=eid,
        actor=actor,
        table="output_records",
        values=lambda r: r.values(),
    )
    if o.backflush:
        for item in session.scalars(
            select(pm.BomItem)
            .where(pm.BomItem.enterprise_id == eid, pm.BomItem.product_id == o.product_id)
            .order_by(pm.BomItem.position)
        ):
            mat = session.get(pm.Material, (eid, item.material_id))
            assert mat is not None
            materials.record_movement(
                session,
                eid,
                actor,
                materials.MovementIn(
                    material_id=mat.id,
                    kind=MovementKind.issue,
                    day=o.day,
                    qty=item.qty_per_unit * o.qty,
                    unit=mat.unit,
                    reason=f"backflush: {o.qty:g} {o.product_id} on {o.line_id}",
                    ref=f"output:{row.id}",
                ),
            )
    return row


def produced_total(session: Session, eid: str, product_id: str, through: dt.date) -> float:
    return float(
        session.scalar(
            select(func.coalesce(func.sum(OutputRecord.qty), 0.0)).where(
                OutputRecord.enterprise_id == eid,
                OutputRecord.product_id == product_id,
                OutputRecord.day <= through,
            )
        )
        or 0.0
    )


@dataclass(frozen=True)
class OutputRow:
    day: dt.date
    line_id: str
    product_id: str
    qty: float
    rate_units_per_day: float  # the line's full rate for the product

    @property
    def share_of_rate(self) -> float:
        return self.qty / self.rate_units_per_day if self.rate_units_per_day else 0.0


def output_by_line_day(
    session: Session, eid: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[OutputRow]:
    if start and end and end < start:
        raise bad("end", f"{end.isoformat()} is before start {start.isoformat()}")
    q = (
        select(
            OutputRecord.day,
            OutputRecord.line_id,
            OutputRecord.product_id,
            func.sum(OutputRecord.qty),
        )
        .where(OutputRecord.enterprise_id == eid)
        .group_by(OutputRecord.day, OutputRecord.line_id, OutputRecord.product_id)
        .order_by(OutputRecord.day, OutputRecord.line_id, OutputRecord.product_id)
    )
    if start:
        q = q.where(OutputRecord.day >= start)
    if end:
        q = q.where(OutputRecord.day <= end)
    rates = {
        (r.line_id, r.product_id): r.units_per_day
        for r in session.scalars(select(pm.LineRate).where(pm.LineRate.enterprise_id == eid))
    }
    return [
        OutputRow(d, ln, p, float(q_), rates.get((ln, p), 0.0))
        for d, ln, p, q_ in session.execute(q).all()
    ]


# -- orders ----------------------------------------------------------------------------------


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


def order_progress(session: Session, eid: str, as_of: dt.date) -> list[OrderProgress]:
    from keepline.logistics.models import CustomerShipment

    enterprise(session, eid)
    by_order: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in session.scalars(select(CustomerShipment).where(CustomerShipment.enterprise_id == eid)):
        key = {
            "planned": "planned",
            "dispatched": "dispatched",
            "held": "dispatched",
            "delivered": "delivered",
        }[s.status]
        by_order[s.order_id][key] += s.qty
    out = []
    for o in session.scalars(
        select(pm.Order).where(pm.Order.enterprise_id == eid).order_by(pm.Order.position)
    ):
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


# -- stored plans -------------------------------------------------------------------------------


def store_plan(
    session: Session,
    eid: str,
    actor: str,
    as_of: dt.date,
    horizon_days: int,
    inputs: compare_engine.PlanInputs,
    result: StoredPlanResult,
) -> StoredPlan:
    row = StoredPlan(
        enterprise_id=eid,
        as_of=as_of,
        horizon_days=horizon_days,
        inputs=inputs.to_json(),
        result=result.to_json(),
        actor=actor,
        created_at=now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        enterprise_id=eid,
        actor=actor,
        action="insert",
        table="plans",
        key=str(row.id),
        after={
            "as_of": as_of,
            "horizon_days": horizon_days,
            "orders_at_risk": list(result.orders_at_risk),
        },
    )
    return row


def list_plans(session: Session, eid: str, limit: int = 50) -> list[StoredPlan]:
    return list(
        session.scalars(
            select(StoredPlan)
            .where(StoredPlan.enterprise_id == eid)
            .order_by(StoredPlan.id.desc())
            .limit(limit)
        )
    )


def get_plan(session: Session, eid: str, plan_id: int) -> StoredPlan:
    row = session.get(StoredPlan, plan_id)
    if row is None or row.enterprise_id != eid:
        raise NotFound(f"no plan {plan_id}", field="plan_id")
    return row


def previous_plan(session: Session, eid: str, plan: StoredPlan) -> StoredPlan | None:
    return session.scalars(
        select(StoredPlan)
        .where(StoredPlan.enterprise_id == eid, StoredPlan.id < plan.id)
        .order_by(StoredPlan.id.desc())
        .limit(1)
    ).first()


def compare_plans(
    session: Session, eid: str, plan_id: int, against: int | None = None
) -> compare_engine.Comparison:
    """What changed from plan ``against`` (default: the one before) to ``plan_id``, and why."""
    new = get_plan(session, eid, plan_id)
    old = (
        get_plan(session, eid, against) if against is not None else previous_plan(session, eid, new)
    )
    if old is None:
        raise bad("against", f"plan {plan_id} is the first plan; nothing to compare with")
    return compare_engine.compare(
        old.id,
        compare_engine.PlanInputs.from_json(old.inputs),
        StoredPlanResult.from_json(old.result),
        new.id,
        compare_engine.PlanInputs.from_json(new.inputs),
        StoredPlanResult.from_json(new.result),
    )


def latest_plan_production(
    session: Session, eid: str, as_of: dt.date, horizon: int
) -> tuple[dict[str, np.ndarray], int] | None:
    """Planned production per product per day from ``as_of``, from the newest plan whose
    days cover ``as_of``; ``None`` when there is none."""
    for plan in list_plans(session, eid, limit=5):
        offset = (as_of - plan.as_of).days
        if offset < 0 or offset >= plan.horizon_days:
            continue
        out = {}
        for product, series in StoredPlanResult.from_json(plan.result).production.items():
            arr = np.zeros(horizon)
            tail = np.asarray(series[offset : offset + horizon], dtype=float)
            arr[: tail.size] = tail
            out[product] = arr
        return out, plan.id
    return None


# -- re-plan from today ------------------------------------------------------------------------


def gather_today(session: Session, eid: str, start: dt.date) -> today_engine.TodayState:
    """The daily record at the end of the day before ``start``."""
    from keepline.logistics import service as logistics
    from keepline.logistics.models import CustomerShipment, LaneTransit, NodeState
    from keepline.materials import service as materials

    closed = start - dt.timedelta(days=1)
    stock = materials.on_hand_all(session, eid, closed)
    shipped: dict[str, float] = defaultdict(float)
    by_product_out: dict[str, float] = defaultdict(float)
    order_product = {
        o.id: o.product_id
        for o in session.scalars(select(pm.Order).where(pm.Order.enterprise_id == eid))
    }
    for sh in session.scalars(
        select(CustomerShipment).where(
            CustomerShipment.enterprise_id == eid,
            CustomerShipment.dispatched_on.is_not(None),
            CustomerShipment.dispatched_on <= closed,
        )
    ):
        shipped[sh.order_id] += sh.qty
        by_product_out[order_product.get(sh.order_id, "")] += sh.qty
    made = dict(
        session.execute(
            select(OutputRecord.product_id, func.sum(OutputRecord.qty))
            .where(OutputRecord.enterprise_id == eid, OutputRecord.day <= closed)
            .group_by(OutputRecord.product_id)
        ).all()
    )
    finished = {p: max(0.0, float(q) - by_product_out.get(p, 0.0)) for p, q in made.items()}
    receipts = [
        today_engine.Receipt(sh.id, sh.material_id, sh.qty, sh.eta)
        for sh in logistics.list_purchases(session, eid, open_only=True, at_risk=False)
    ]
    # Lockdowns as recorded; a later entry for the same node overrides where they overlap,
    # which the day-by-day state handles: rebuild windows from each node's daily state.
    rows = logistics.list_statuses(session, eid)
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
            cur = logistics.state_on(rows, kind, node, s0)
            if cur is not None and cur.state == NodeState.locked_down.value:
                lockdowns.append(today_engine.Lockdown(kind, node, s0, s1))
    slow = []
    regions = {
        ln.id: ln.from_region
        for ln in session.scalars(select(pm.Lane).where(pm.Lane.enterprise_id == eid))
    }
    for lt in session.scalars(
        select(LaneTransit).where(LaneTransit.enterprise_id == eid).order_by(LaneTransit.id)
    ):
        if lt.lane_id in regions:
            slow.append(
                today_engine.SlowLane(regions[lt.lane_id], lt.transit_days, lt.start, lt.end)
            )
    return today_engine.TodayState(
        start=start,
        stock=stock,
        shipped=dict(shipped),
        finished_goods=finished,
        receipts=receipts,
        lockdowns=lockdowns,
        slow_lanes=slow,
    )


def roster_workforce(session: Session, eid: str, start: dt.date, horizon: int) -> Workforce | None:
    """Workers available per day from the daily record — roster, declarations' clearance,
    isolations, quarantines and zone states (``containment.workforce.available``) — over
    the planning horizon; ``None`` (everyone planned) when no roster is loaded."""
    from keepline.containment.workforce import available
    from keepline.people.models import EmploymentStatus, Worker

    active = session.scalar(
        select(func.count())
        .select_from(Worker)
        .where(
            Worker.enterprise_id == eid,
            Worker.employment_status == EmploymentStatus.active.value,
        )
    )
    if not active:
        return None
    end = start + dt.timedelta(days=horizon - 1)
    return available(session, EnterpriseScope(eid, "replan"), start, end).workforce


def replan(session: Session, eid: str, actor: str, start: dt.date, horizon: int = 90) -> StoredPlan:
    """Run the continuity planner from the state at the end of the day before ``start`` and
    store the plan with its inputs."""
    from keepline.logistics import service as logistics
    from keepline.plant.service import export_plant

    try:
        from keepline.continuity.plan import plan as run_plan
    except ImportError:
        raise KeeplineError("the continuity planner is not installed in this build") from None
    if not 7 <= horizon <= 366:
        raise bad("horizon_days", f"expected 7 to 366 days, got {horizon}")
    ent = enterprise(session, eid)
    if start <= ent.horizon_start:
        raise bad(
            "as_of",
            f"{start.isoformat()}: re-plan from a day after the plant's start "
            f"{ent.horizon_start.isoformat()} (plan the plant file itself before)",
        )
    plant = export_plant(session, eid)
    state = gather_today(session, eid, start)
    today, scenario = today_engine.plant_for_today(plant, state, horizon)
    workforce = roster_workforce(session, eid, start, horizon)
    if not today.orders:
        raise bad("as_of", f"no order has anything left to ship from {start.isoformat()}")
    result = run_plan(today, workforce, scenario, horizon)
    inputs = compare_engine.PlanInputs(
        state_at_end_of=start - dt.timedelta(days=1),
        stock={m.id: m.on_hand for m in today.materials},
        receipts={
            m: sum(r.qty for r in state.receipts if r.material == m)
            for m in sorted({r.material for r in state.receipts})
        },
        remaining={o.id: o.qty for o in today.orders},
        disruptions=tuple(
            compare_engine.DownWindow(
                d.kind.value,
                d.id,
                start + dt.timedelta(days=d.start_day),
                start + dt.timedelta(days=d.start_day + d.days - 1),
            )
            for d in scenario.disruptions
            if not d.id.startswith("inbound-")
        ),
        transit=logistics.transit_by_region(session, eid, start),
        workers=float(
            (
                workforce.available
                if workforce is not None
                else full_workforce(today, horizon).available
            ).sum()
        ),
        workforce_from=(
            "daily record (roster, clearance, isolation, quarantine, zone states)"
            if workforce is not None
            else "plan file"
        ),
    )
    record = result.record()
    # the re-plan's stand-ins for receipts on the road (``today``) are no backups to activate
    kept = replace(
        record, backups=tuple(b for b in record.backups if not b.supplier.startswith("inbound-"))
    )
    return store_plan(session, eid, actor, start, horizon, inputs, kept.stored())
