"""Output per line per day, order progress, stored plans and their comparison.

Functions take a session and the caller's enterprise id; every query is scoped to it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import NotFound
from keepline.plant import models as pm
from keepline.production import compare as compare_engine
from keepline.production.models import OutputRecord, StoredPlan
from keepline.recordkit import bad, enterprise, now, plant_row

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
    session.add(row)
    session.flush()
    audit.record(
        session,
        enterprise_id=eid,
        actor=actor,
        action="insert",
        table="output_records",
        key=str(row.id),
        after=row.values(),
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
    inputs: dict[str, Any],
    result: dict[str, Any],
) -> StoredPlan:
    row = StoredPlan(
        enterprise_id=eid,
        as_of=as_of,
        horizon_days=horizon_days,
        inputs=inputs,
        result=result,
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
            "orders_at_risk": result.get("orders_at_risk", []),
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
    return compare_engine.compare(old.id, old.inputs, old.result, new.id, new.inputs, new.result)


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
        for product, series in (plan.result.get("production") or {}).items():
            arr = np.zeros(horizon)
            tail = np.asarray(series[offset : offset + horizon], dtype=float)
            arr[: tail.size] = tail
            out[product] = arr
        return out, plan.id
    return None
