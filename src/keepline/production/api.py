"""Routes: output per line per day, order progress, stored plans and their comparison.

Every role of the enterprise reads; planners and admins record output and run plans."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select

from keepline import clock
from keepline.accounts.models import Role
from keepline.accounts.service import Caller
from keepline.apikit.auth import Tenant, roles
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of
from keepline.continuity.record import StoredPlanResult
from keepline.production import schemas as s
from keepline.production import service
from keepline.production.models import OutputRecord, StoredPlan

router = APIRouter(tags=["production"], route_class=Route)
Planner = Annotated[Caller, Depends(roles(Role.admin, Role.planner))]
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Plan number.")]


@router.post("/output", response_model=s.OutputRecordOut, status_code=201)
def record_output(body: s.OutputIn, session: DB, caller: Planner) -> s.OutputRecordOut:
    """Units a line made on a day; ``backflush`` also issues the BOM from stock (refused,
    with nothing written, if any material would go negative)."""
    row = service.record_output(
        session,
        caller.enterprise_id,
        caller.actor,  # type: ignore[arg-type]
        service.OutputIn(**body.model_dump()),
    )
    return s.OutputRecordOut.model_validate(row, from_attributes=True)


@router.get("/output", response_model=Page[s.OutputRecordOut])
def list_output(
    session: DB,
    caller: Tenant,
    paging: Paging,
    start: dt.date | None = None,
    end: dt.date | None = None,
    line_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Output records. Sort by day (default), id or line_id."""
    q = select(OutputRecord).where(OutputRecord.enterprise_id == caller.enterprise_id)
    if start:
        q = q.where(OutputRecord.day >= start)
    if end:
        q = q.where(OutputRecord.day <= end)
    if line_id:
        q = q.where(OutputRecord.line_id == line_id)
    cols = {"day": OutputRecord.day, "id": OutputRecord.id, "line_id": OutputRecord.line_id}
    rows, total = fetch_page(session, q, paging, cols, "day")
    items = [s.OutputRecordOut.model_validate(r, from_attributes=True) for r in rows]
    return page_of(items, total, paging)


@router.get("/output/daily", response_model=list[s.OutputDayOut])
def output_daily(
    session: DB, caller: Tenant, start: dt.date | None = None, end: dt.date | None = None
) -> list[s.OutputDayOut]:
    """Output per line per product per day, against the line's full rate."""
    rows = service.output_by_line_day(session, caller.enterprise_id, start, end)  # type: ignore[arg-type]
    return [s.OutputDayOut(**r.__dict__, share_of_rate=round(r.share_of_rate, 4)) for r in rows]


@router.get("/orders", response_model=list[s.OrderOut])
def orders(
    session: DB,
    caller: Tenant,
    as_of: Annotated[dt.date | None, Query(description="Default: today.")] = None,
) -> list[s.OrderOut]:
    """Customers' orders with priority class and progress from their shipments."""
    rows = service.order_progress(session, caller.enterprise_id, as_of or clock.today())  # type: ignore[arg-type]
    return [s.OrderOut(**r.__dict__) for r in rows]


def _summary(p: StoredPlan) -> dict:  # type: ignore[type-arg]
    res = StoredPlanResult.from_json(p.result)
    return dict(
        id=p.id,
        as_of=p.as_of,
        horizon_days=p.horizon_days,
        actor=p.actor,
        created_at=p.created_at,
        orders_at_risk=list(res.orders_at_risk),
        backups=[b.to_json() for b in res.backups],
    )


@router.get("/plans", response_model=Page[s.PlanSummaryOut])
def list_plans(session: DB, caller: Tenant, paging: Paging) -> Response:
    """Stored plans, newest first by default (sort by id or as_of)."""
    q = select(StoredPlan).where(StoredPlan.enterprise_id == caller.enterprise_id)
    cols = {"id": StoredPlan.id, "as_of": StoredPlan.as_of}
    rows, total = fetch_page(session, q, paging, cols, "-id")
    return page_of([s.PlanSummaryOut(**_summary(p)) for p in rows], total, paging)


@router.post("/plans", response_model=s.PlanOut, status_code=201)
def create_plan(body: s.PlanRequest, session: DB, caller: Planner) -> s.PlanOut:
    """Re-plan from today: run the continuity planner from the state at the end of the day
    before ``as_of`` (stock, open purchase shipments not at risk, remaining order
    quantities, supplier and region lockdowns, lanes' transit days, the roster's cleared
    workers) and store the plan with its inputs."""
    p = service.replan(
        session,
        caller.enterprise_id,
        caller.actor,  # type: ignore[arg-type]
        body.as_of or clock.today(),
        body.horizon_days,
    )
    return s.PlanOut(**_summary(p), inputs=p.inputs, result=p.result)


@router.get("/plans/{plan_id}", response_model=s.PlanOut)
def get_plan(plan_id: PlanId, session: DB, caller: Tenant) -> s.PlanOut:
    p = service.get_plan(session, caller.enterprise_id, plan_id)  # type: ignore[arg-type]
    return s.PlanOut(**_summary(p), inputs=p.inputs, result=p.result)


@router.get("/plans/{plan_id}/compare", response_model=s.ComparisonOut)
def compare(
    plan_id: PlanId,
    session: DB,
    caller: Tenant,
    against: Annotated[int | None, Query(ge=1, description="Default: the plan before.")] = None,
) -> s.ComparisonOut:
    """What changed since the plan before (yesterday's), and why."""
    c = service.compare_plans(session, caller.enterprise_id, plan_id, against)  # type: ignore[arg-type]
    return s.ComparisonOut(
        old_plan=c.old_plan,
        new_plan=c.new_plan,
        outcome=[s.ChangeOut(**x.__dict__) for x in c.outcome],
        causes=[s.ChangeOut(**x.__dict__) for x in c.causes],
        reasons=c.reasons,
        text=c.lines(),
    )
