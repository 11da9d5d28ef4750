"""Routes: output per line per day, order progress, stored plans and their comparison.

Every role of the enterprise reads; planners and admins record output and run plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, list_page, page_of
from keepline.continuity.record import StoredPlanResult
from keepline.fields import Day
from keepline.plans.activations import after_write
from keepline.plans.engine import Fact
from keepline.production import backflush, progress, queries, replan, service
from keepline.production import schemas as s
from keepline.production.auth import Planner, ProductionReader
from keepline.production.models import StoredPlan

router = APIRouter(tags=["production"], route_class=Route)
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Plan number.")]


@router.post("/output", response_model=s.OutputRecordOut, status_code=201)
def record_output(body: s.OutputIn, session: DB, scope: Planner) -> s.OutputRecordOut:
    """Units a line made on a day; ``backflush`` also issues the BOM from stock (refused,
    with nothing written, if any material would go negative)."""
    row = backflush.record_output(session, scope, body)
    return s.OutputRecordOut.model_validate(row, from_attributes=True)


@router.get("/output", response_model=Page[s.OutputRecordOut])
def list_output(
    session: DB,
    scope: ProductionReader,
    paging: Paging,
    start: Day | None = None,
    end: Day | None = None,
    line_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Output records. Sort by day (default), id or line_id."""
    q = queries.output(scope, start, end, line_id)
    return list_page(session, q, paging, queries.OUTPUT_SORTS, "day", s.OutputRecordOut)


@router.get("/output/daily", response_model=list[s.OutputDayOut])
def output_daily(
    session: DB, scope: ProductionReader, start: Day | None = None, end: Day | None = None
) -> list[s.OutputDayOut]:
    """Output per line per product per day, against the line's full rate."""
    rows = service.output_by_line_day(session, scope, start, end)
    return [s.OutputDayOut(**r.__dict__, share_of_rate=round(r.share_of_rate, 4)) for r in rows]


@router.get("/orders", response_model=list[s.OrderOut])
def orders(
    session: DB,
    scope: ProductionReader,
    as_of: Annotated[Day | None, Query(description="Default: today.")] = None,
) -> list[s.OrderOut]:
    """Customers' orders with priority class and progress from their shipments."""
    return progress.order_progress(session, scope, as_of or clock.today())


def _summary(p: StoredPlan) -> dict:  # type: ignore[type-arg]
    res = StoredPlanResult.from_json(p.result)
    return dict(
        **p.values(without=("enterprise_id", "inputs", "result")),
        orders_at_risk=list(res.orders_at_risk),
        backups=[b.to_json() for b in res.backups],
    )


@router.get("/plans", response_model=Page[s.PlanSummaryOut])
def list_plans(session: DB, scope: ProductionReader, paging: Paging) -> Response:
    """Stored plans, newest first by default (sort by id or as_of)."""
    q = queries.plans(scope)
    rows, total = fetch_page(session, q, paging, queries.PLAN_SORTS, "-id")
    return page_of([s.PlanSummaryOut(**_summary(p)) for p in rows], total, paging)


@router.post("/plans", response_model=s.PlanOut, status_code=201)
def create_plan(body: s.PlanRequest, session: DB, scope: Planner) -> s.PlanOut:
    """Re-plan from today: run the continuity planner from the state at the end of the day
    before ``as_of`` (stock, open purchase shipments not at risk, remaining order
    quantities, supplier and region lockdowns, lanes' transit days, the roster's cleared
    workers) and store the plan with its inputs."""
    p = replan.replan(session, scope, body.as_of or clock.today(), body.horizon_days)
    after_write(session, scope, p.as_of, {Fact.production_plan})
    return s.PlanOut(**_summary(p), inputs=p.inputs, result=p.result)


@router.get("/plans/{plan_id}", response_model=s.PlanOut)
def get_plan(plan_id: PlanId, session: DB, scope: ProductionReader) -> s.PlanOut:
    p = service.get_plan(session, scope, plan_id)
    return s.PlanOut(**_summary(p), inputs=p.inputs, result=p.result)


@router.get("/plans/{plan_id}/compare", response_model=s.ComparisonOut)
def compare(
    plan_id: PlanId,
    session: DB,
    scope: ProductionReader,
    against: Annotated[int | None, Query(ge=1, description="Default: the plan before.")] = None,
) -> s.ComparisonOut:
    """What changed since the plan before (yesterday's), and why."""
    c = service.compare_plans(session, scope, plan_id, against)
    return s.ComparisonOut(
        old_plan=c.old_plan,
        new_plan=c.new_plan,
        outcome=[s.ChangeOut(**x.__dict__) for x in c.outcome],
        causes=[s.ChangeOut(**x.__dict__) for x in c.causes],
        reasons=c.reasons,
        text=c.lines(),
    )
