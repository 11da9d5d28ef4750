"""Flow: re-plan from today — run the continuity planner from the daily record at the end
of the day before, with the workers the daily record makes available, and store the plan
with its inputs.

Above ``production.gather`` (the state), ``containment.workforce`` (availability),
``logistics.lanes``, ``plant.service`` and ``production.service`` (stored plans)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.containment.workforce import available
from keepline.continuity.plan import plan as run_plan
from keepline.errors import msg
from keepline.logistics import lanes
from keepline.people.models import Worker, employed_on
from keepline.plant.service import export_plant
from keepline.production import compare as compare_engine
from keepline.production import today as today_engine
from keepline.production.gather import gather_today
from keepline.production.models import StoredPlan
from keepline.production.service import store_plan
from keepline.recordkit import bad, enterprise
from keepline.scope import EnterpriseScope
from keepline.workforce import Workforce, full_workforce

# The stages a re-plan reports to its ``progress`` (the console's job page shows them).
STAGE_GATHER = "reading the day's record"
STAGE_PLAN = "planning"
STAGE_STORE = "storing the plan"


def _silent(_fraction: float, _stage: str) -> None:
    return None


def roster_workforce(
    session: Session, scope: EnterpriseScope, start: dt.date, horizon: int
) -> Workforce | None:
    """Workers available per day from the daily record — roster, declarations' clearance,
    isolations, quarantines and zone states (``containment.workforce.available``) — over
    the planning horizon; ``None`` (everyone planned) when no roster is loaded."""
    active = session.scalar(
        select(func.count())
        .select_from(Worker)
        .where(
            Worker.enterprise_id == scope.enterprise_id,
            employed_on(start),
        )
    )
    if not active:
        return None
    end = start + dt.timedelta(days=horizon - 1)
    return available(session, scope, start, end).workforce


def replan(
    session: Session,
    scope: EnterpriseScope,
    start: dt.date,
    horizon: int = 90,
    progress: Callable[[float, str], None] = _silent,
) -> StoredPlan:
    """Run the continuity planner from the state at the end of the day before ``start`` and
    store the plan with its inputs; ``progress(fraction, stage)`` hears of each stage."""
    if not 7 <= horizon <= 366:
        raise bad("horizon_days", msg("expected 7 to 366 days, got %(days)s", days=horizon))
    ent = enterprise(session, scope.enterprise_id)
    if start <= ent.horizon_start:
        raise bad(
            "as_of",
            msg(
                "%(day)s: re-plan from a day after the plant's start %(start)s (plan the plant "
                "file itself before)",
                day=start.isoformat(),
                start=ent.horizon_start.isoformat(),
            ),
        )
    progress(0.05, STAGE_GATHER)
    plant = export_plant(session, scope.enterprise_id)
    state = gather_today(session, scope, start)
    today, scenario = today_engine.plant_for_today(plant, state, horizon)
    workforce = roster_workforce(session, scope, start, horizon)
    if not today.orders:
        raise bad(
            "as_of",
            msg("no order has anything left to ship from %(day)s", day=start.isoformat()),
        )
    progress(0.3, STAGE_PLAN)
    result = run_plan(today, workforce, scenario, horizon)
    progress(0.9, STAGE_STORE)
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
        transit=lanes.transit_by_region(session, scope, start),
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
    return store_plan(session, scope, start, horizon, inputs, kept.stored())
