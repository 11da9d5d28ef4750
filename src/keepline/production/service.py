"""Output per line per day, stored plans and their comparison.

Functions take ``(session, scope)``; every query is scoped to ``scope.enterprise_id`` and
the audit log records ``scope.actor``. Flows above this module: ``production.backflush``
(output that issues its materials), ``production.progress`` (orders' progress from their
shipments), ``production.gather`` and ``production.replan`` (re-plan from today).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.continuity.record import StoredPlanResult
from keepline.errors import msg
from keepline.plant import models as pm
from keepline.plant.service import in_file_order
from keepline.production import compare as compare_engine
from keepline.production.models import OutputRecord, StoredPlan
from keepline.production.schemas import OutputIn
from keepline.recordkit import bad, enterprise, now, owned, plant_row
from keepline.scope import EnterpriseScope

# -- output ------------------------------------------------------------------------------


def record_output(session: Session, scope: EnterpriseScope, o: OutputIn) -> OutputRecord:
    """Record what a line made on a day (audited). ``o.backflush`` is not this function's:
    the flow ``production.backflush.record_output`` issues the materials too."""
    eid, actor = scope.enterprise_id, scope.actor
    ent = enterprise(session, eid)
    plant_row(session, pm.Line, eid, o.line_id, "line_id", "line")
    plant_row(session, pm.Product, eid, o.product_id, "product_id", "product")
    if session.get(pm.LineRate, (eid, o.line_id, o.product_id)) is None:
        raise bad(
            "product_id",
            msg("line %(line)s does not make %(product)s", line=o.line_id, product=o.product_id),
        )
    if not (math.isfinite(o.qty) and o.qty > 0):
        raise bad("qty", msg("expected a quantity > 0, got %(qty)s", qty=format(o.qty, "g")))
    if o.day < ent.horizon_start:
        raise bad(
            "day",
            msg(
                "%(day)s is before the plant's start %(start)s",
                day=o.day.isoformat(),
                start=ent.horizon_start.isoformat(),
            ),
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
    audit.add(session, scope, row, "output_records")
    return row


def bill_of_materials(
    session: Session, scope: EnterpriseScope, product_id: str
) -> list[pm.BomItem]:
    """The materials one unit of ``product_id`` takes, in the plant file's order."""
    return list(
        session.scalars(
            select(pm.BomItem)
            .where(
                pm.BomItem.enterprise_id == scope.enterprise_id,
                pm.BomItem.product_id == product_id,
            )
            .order_by(pm.BomItem.position)
        )
    )


def orders(session: Session, scope: EnterpriseScope) -> list[pm.Order]:
    """Customers' orders in the plant file's order."""
    return in_file_order(session, pm.Order, scope.enterprise_id)


def produced_total(
    session: Session, scope: EnterpriseScope, product_id: str, through: dt.date
) -> float:
    return float(
        session.scalar(
            select(func.coalesce(func.sum(OutputRecord.qty), 0.0)).where(
                OutputRecord.enterprise_id == scope.enterprise_id,
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


def produced_by_product(
    session: Session, scope: EnterpriseScope, through: dt.date
) -> dict[str, float]:
    """Units made of each product up to and including ``through``."""
    return {
        p: float(q)
        for p, q in session.execute(
            select(OutputRecord.product_id, func.sum(OutputRecord.qty))
            .where(OutputRecord.enterprise_id == scope.enterprise_id, OutputRecord.day <= through)
            .group_by(OutputRecord.product_id)
        ).all()
    }


def output_by_line_day(
    session: Session,
    scope: EnterpriseScope,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[OutputRow]:
    eid = scope.enterprise_id
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


# -- stored plans -------------------------------------------------------------------------------


def store_plan(
    session: Session,
    scope: EnterpriseScope,
    as_of: dt.date,
    horizon_days: int,
    inputs: compare_engine.PlanInputs,
    result: StoredPlanResult,
) -> StoredPlan:
    eid, actor = scope.enterprise_id, scope.actor
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
    audit.log(
        session,
        scope,
        "insert",
        "plans",
        str(row.id),
        after={
            "as_of": as_of,
            "horizon_days": horizon_days,
            "orders_at_risk": list(result.orders_at_risk),
        },
    )
    return row


def list_plans(session: Session, scope: EnterpriseScope, limit: int = 50) -> list[StoredPlan]:
    return list(
        session.scalars(
            select(StoredPlan)
            .where(StoredPlan.enterprise_id == scope.enterprise_id)
            .order_by(StoredPlan.id.desc())
            .limit(limit)
        )
    )


def get_plan(session: Session, scope: EnterpriseScope, plan_id: int) -> StoredPlan:
    return owned(session, scope, StoredPlan, plan_id, f"no plan {plan_id}", field="plan_id")


def previous_plan(session: Session, scope: EnterpriseScope, plan: StoredPlan) -> StoredPlan | None:
    return session.scalars(
        select(StoredPlan)
        .where(StoredPlan.enterprise_id == scope.enterprise_id, StoredPlan.id < plan.id)
        .order_by(StoredPlan.id.desc())
        .limit(1)
    ).first()


def compare_plans(
    session: Session, scope: EnterpriseScope, plan_id: int, against: int | None = None
) -> compare_engine.Comparison:
    """What changed from plan ``against`` (default: the one before) to ``plan_id``, and why."""
    new = get_plan(session, scope, plan_id)
    old = (
        get_plan(session, scope, against)
        if against is not None
        else previous_plan(session, scope, new)
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
    session: Session, scope: EnterpriseScope, as_of: dt.date, horizon: int
) -> tuple[dict[str, np.ndarray], int] | None:
    """Planned production per product per day from ``as_of``, from the newest plan whose
    days cover ``as_of``; ``None`` when there is none."""
    for plan in list_plans(session, scope, limit=5):
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
