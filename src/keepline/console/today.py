"""Today: the plant's day at a glance, every number a link to the list behind it.

Each part comes from the service or query the API uses for the same list: the roster's
verdicts (``people.work_today``), who has declared (``health.queries``), open cases
(``containment.queries``), zone states (``containment.zone_states``), screening rounds
and their coverage (``screening``), days of cover (``materials.outlook``) and the newest
plan's orders at risk (``production.service``). The page only counts and arranges them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from keepline import clock
from keepline.apikit.deps import DB
from keepline.console import web
from keepline.console.auth import PageReader
from keepline.console.i18n import Language
from keepline.console.web import PREFIX, ConsoleRoute
from keepline.containment import queries as containment_queries
from keepline.containment import zone_states
from keepline.containment.models import Case
from keepline.continuity.record import StoredPlanResult
from keepline.materials import outlook
from keepline.people import work_today
from keepline.plans import runs as plan_runs
from keepline.production import service as production
from keepline.scope import EnterpriseScope
from keepline.screening import coverage as screening_coverage
from keepline.screening import queries as screening_queries
from keepline.screening.models import Round

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
URGENT_PRIORITIES = ("front-line", "livelihood")
CHART_MATERIALS = 12  # the materials with the fewest days of cover, in the chart
ROUNDS_SHOWN = 5
CLOSED = ("restricted", "locked", "disinfecting")


def link(path: str, **params: Any) -> str:
    """A console URL with the parameters that are set."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{PREFIX}{path}" + (f"?{query}" if query else "")


@dataclass
class Cell:
    """One zone × shift of today's roster."""

    zone: str
    shift: str
    active: int = 0
    declared: int = 0
    not_cleared: int = 0

    @property
    def missing(self) -> int:
        return self.active - self.declared

    def links(self) -> dict[str, str]:
        z, s = self.zone, self.shift
        return dict(
            active=link("/workers", zone=z, shift=s),
            declared=link("/declared", zone=z, shift=s),
            missing=link("/missing", zone=z, shift=s),
            not_cleared=link("/workers", zone=z, shift=s, cleared="false"),
        )


@dataclass
class Day:
    cells: list[Cell] = field(default_factory=list)
    total: Cell = field(default_factory=lambda: Cell("", ""))


def roster_day(session: Session, scope: EnterpriseScope) -> Day:
    """Declared, missing and not cleared (may not work today) by zone and shift."""
    out = Day()
    for zone, shift, active, declared, unfit in work_today.day_counts(session, scope):
        out.cells.append(Cell(zone, shift, active, int(declared or 0), int(unfit or 0)))
        out.total.active += active
        out.total.declared += int(declared or 0)
        out.total.not_cleared += int(unfit or 0)
    order = {z: i for i, z in enumerate(containment_queries.zone_ids(session, scope))}
    out.cells.sort(key=lambda c: (order.get(c.zone, len(order)), c.zone or "", c.shift or ""))
    return out


def open_cases(session: Session, scope: EnterpriseScope) -> list[Case]:
    q = containment_queries.cases(scope).where(Case.status == "open")
    return list(session.scalars(q.order_by(Case.confirmed_on.desc(), Case.id)))


def closed_zones(session: Session, scope: EnterpriseScope, lang: Language) -> list[dict[str, Any]]:
    names = containment_queries.zone_names(session, scope)
    out = []
    for zone, change in zone_states.zone_states(session, scope).items():
        if change is not None and change.state in CLOSED:
            name, name_zh = names.get(zone, (zone, None))
            shown = name_zh if lang.code == "zh_CN" and name_zh else name
            out.append(dict(zone=zone, name=shown, state=change.state, since=change.at))
    return out


def round_coverage(
    session: Session, scope: EnterpriseScope, round_id: int
) -> list[screening_coverage.Coverage]:
    """A round's coverage (``GET /screening/rounds/{id}/coverage``), read over its whole
    roster and tubes: kept per version of the record (Today and the round's page)."""
    compute = partial(screening_coverage.coverage, session, scope, round_id)
    return web.kept(session, scope, clock.today(), f"coverage:{round_id}", compute)


def rounds(session: Session, scope: EnterpriseScope) -> list[dict[str, Any]]:
    """The newest rounds; with coverage totals for the roles that see health data."""
    q = screening_queries.rounds(scope)
    newest = session.scalars(q.order_by(Round.day.desc(), Round.id.desc()).limit(ROUNDS_SHOWN))
    out = []
    for r in newest:
        row: dict[str, Any] = dict(id=r.id, day=r.day, test_type=r.test_type, pool_size=r.pool_size)
        if scope.sees_personal_data:
            cov = round_coverage(session, scope, r.id)
            expected = sum(c.expected for c in cov)
            row.update(
                expected=expected,
                sampled=sum(c.sampled for c in cov),
                missed=sum(c.missed for c in cov),
                coverage=(sum(c.sampled for c in cov) / expected) if expected else None,
            )
        out.append(row)
    return out


def cover_chart(rows: list[outlook.CoverRow], horizon: int, lang: Language) -> dict[str, Any]:
    """The ECharts option of a bar chart of days of cover (more than the horizon shown
    as the horizon), the fewest first, each bar a link to its row."""
    days = [
        min(r.days_of_cover, horizon) if math.isfinite(r.days_of_cover) else horizon for r in rows
    ]
    return {
        "aria": {"enabled": True},
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": lang.gettext("days of cover")},
        "yAxis": {"type": "category", "inverse": True, "data": [r.name for r in rows]},
        "series": [
            {
                "type": "bar",
                "data": [
                    {
                        "value": round(d, 1),
                        "itemStyle": {"color": "#a50e0e" if d < 7 else "#0b5394"},
                    }
                    for d in days
                ],
                "label": {"show": True, "position": "right"},
            }
        ],
        "links": [f"#material-{r.material_id}" for r in rows],
    }


def orders_at_risk(
    session: Session, scope: EnterpriseScope
) -> tuple[int | None, list[dict[str, Any]]]:
    """The newest plan's front-line and livelihood orders at risk (its id, the orders)."""
    plans = production.list_plans(session, scope, limit=1)
    if not plans:
        return None, []
    result = StoredPlanResult.from_json(plans[0].result)
    out = [
        dict(order=oid, **vars(o))
        for oid, o in result.orders.items()
        if o.at_risk and o.priority in URGENT_PRIORITIES
    ]
    out.sort(key=lambda o: (URGENT_PRIORITIES.index(o["priority"]), o["due"], o["order"]))
    return plans[0].id, out


def plan_tasks(session: Session, scope: EnterpriseScope) -> dict[str, int]:
    """The open emergency-plan tasks of the caller's role (the tasks page's list), and how
    many of them are overdue."""
    at = clock.now()
    rows = plan_runs.list_tasks(session, scope, role=scope.role.value)
    return dict(open=len(rows), overdue=sum(plan_runs.is_overdue(t, at) for t in rows))


@dataclass(frozen=True)
class Figures:
    """Today's costly figures: read over the whole roster, the stock ledger and the
    newest rounds' tubes."""

    roster: Day
    cover: outlook.Outlook
    rounds: list[dict[str, Any]]


def cover(session: Session, scope: EnterpriseScope, day: dt.date) -> outlook.Outlook:
    """The materials' outlook of ``day`` (``GET /stock/outlook``), kept per version of
    the record (``web.kept``): Today and the materials page share it."""
    return web.kept(session, scope, day, "cover", lambda: outlook.outlook(session, scope, day))


def figures(session: Session, scope: EnterpriseScope, day: dt.date) -> Figures:
    """The roster's counts, the materials' outlook and the newest rounds of ``day`` (with
    their coverage for the roles that see health data), each kept per version."""
    return Figures(
        web.kept(session, scope, day, "roster", lambda: roster_day(session, scope)),
        cover(session, scope, day),
        rounds(session, scope),
    )


@router.get(f"{PREFIX}/today")
def today_page(request: Request, session: DB, scope: PageReader) -> Response:
    lang = web.language(request)
    day = clock.today()
    found = figures(session, scope, day)
    cover = found.cover
    materials = sorted(cover.cover, key=lambda r: (r.days_of_cover, r.material_id))
    plan_id, at_risk = orders_at_risk(session, scope)
    health = scope.sees_personal_data
    cases = open_cases(session, scope) if health else []
    ctx = dict(
        day=day,
        roster=found.roster,
        cases=cases if health else None,
        quarantined=containment_queries.quarantined_by_case(
            session, scope, [c.id for c in cases], day
        ),
        zones=closed_zones(session, scope, lang),
        rounds=found.rounds,
        materials=materials,
        horizon=cover.horizon_days,
        chart=json.dumps(cover_chart(materials[:CHART_MATERIALS], cover.horizon_days, lang)),
        plan_id=plan_id,
        at_risk=at_risk,
        plan_tasks=plan_tasks(session, scope),
        health=health,
        link=link,
        isfinite=math.isfinite,
    )
    return web.render(request, "today.html", ctx)
