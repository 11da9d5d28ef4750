"""The production plan: the newest stored plan (or one chosen) as a chart of output by
line and day with the orders at risk marked on their due days, the orders at risk, and
"re-plan from today", which queues ``production.replan`` as a background job (the job's
page shows its progress, then links here to the new plan). Reads are the API's
(``production.service.get_plan``/``list_plans``); the job is ``POST /jobs``'s."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from keepline.apikit.deps import DB
from keepline.console import web
from keepline.console.auth import PageReader, Replanner
from keepline.console.i18n import N_, Language
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.continuity.record import StoredPlanResult
from keepline.jobs import kinds, service
from keepline.jobs.models import JobState
from keepline.production import service as production
from keepline.production.models import StoredPlan

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
BASE = f"{PREFIX}/production-plan"
RISK_COLOUR = "#a50e0e"
UNITS_BY_LINE = N_("units per day by line")
UNITS_BY_PRODUCT = N_("units per day by product")


def plan_chart(plan: StoredPlan, result: StoredPlanResult, lang: Language) -> dict[str, Any]:
    """The ECharts option: units per day stacked by line (by product for a plan stored
    before lines were kept), each order at risk a red line on its due day."""
    by_line = bool(result.production_by_line)
    series_of = result.production_by_line if by_line else result.production
    days = [plan.as_of + dt.timedelta(days=d) for d in range(plan.horizon_days)]
    labels = [d.isoformat() for d in days]
    risk = sorted(
        ((o.due, oid) for oid, o in result.orders.items() if o.at_risk and o.due in days),
    )
    series: list[dict[str, Any]] = [
        {
            "name": name,
            "type": "bar",
            "stack": "output",
            "data": [round(v, 1) for v in values[: plan.horizon_days]],
        }
        for name, values in series_of.items()
    ]
    if series:
        series[0]["markLine"] = {
            "symbol": "none",
            "lineStyle": {"color": RISK_COLOUR, "type": "dashed"},
            # the order's id on hover (many due days crowd the top); the table lists them
            "label": {"show": False, "formatter": "{b}", "color": RISK_COLOUR},
            "emphasis": {"label": {"show": True}},
            "data": [{"name": oid, "xAxis": due.isoformat()} for due, oid in risk],
        }
    return {
        "aria": {"enabled": True},
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {
            "type": "value",
            "name": lang.gettext(UNITS_BY_LINE if by_line else UNITS_BY_PRODUCT),
            "nameTextStyle": {"align": "left"},
        },
        "series": series,
    }


def _json(option: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/json">``: no ``</script>`` can close it."""
    return json.dumps(option, ensure_ascii=False).replace("<", "\\u003c")


@router.get(BASE)
def plan_page(
    request: Request,
    session: DB,
    scope: PageReader,
    plan: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The plan (the newest by default), its chart and orders at risk, and the latest
    re-plan job when one is under way."""
    lang = web.language(request)
    if plan is not None:
        row: StoredPlan | None = production.get_plan(session, scope, plan)
    else:
        plans = production.list_plans(session, scope, limit=1)
        row = plans[0] if plans else None
    result = StoredPlanResult.from_json(row.result) if row is not None else None
    at_risk = (
        sorted(
            (dict(order=oid, **vars(o)) for oid, o in result.orders.items() if o.at_risk),
            key=lambda o: (o["due"], o["order"]),
        )
        if result is not None
        else []
    )
    last = service.latest(session, scope, "replan")
    busy = last is not None and last.state in (JobState.queued.value, JobState.running.value)
    ctx = dict(
        plan=row,
        result=result,
        chart=_json(plan_chart(row, result, lang)) if row is not None and result else None,
        by_line=bool(result and result.production_by_line),
        at_risk=at_risk,
        replan_job=last if busy else None,
        can_replan=scope.role in kinds.KINDS["replan"].roles,
        base=BASE,
    )
    return web.render(request, "production_plan.html", ctx)


@router.post(f"{BASE}/replan")
def replan_from_today(request: Request, session: DB, scope: Replanner, _csrf: Csrf) -> Response:
    """Queue the re-plan from today (the API's defaults: today, 90 days) and show its job."""
    job = service.submit(session, scope, "replan", kinds.checked("replan", {}))
    return RedirectResponse(f"{PREFIX}/jobs/{job.id}", status_code=303)
