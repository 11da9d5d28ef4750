"""Cases and zones: the enterprise's cases (health staff, as ``GET /cases``) and every
zone's state with its history (every role, as ``GET /zones/states`` and
``GET /zones/{zone_id}/history``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.console import web
from keepline.console.auth import HealthPage, PageReader
from keepline.console.web import PREFIX, ConsoleRoute
from keepline.containment import queries, zone_states
from keepline.containment.models import Case

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE = 50


@router.get(f"{PREFIX}/cases")
def cases_page(
    request: Request,
    session: DB,
    scope: HealthPage,
    status: Annotated[str | None, Query(pattern="^(|open|closed)$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    q = queries.cases(scope)
    if status:
        q = q.where(Case.status == status)
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort="-confirmed_on")
    rows, total = fetch_page(session, q, paging, queries.CASE_SORTS, "-confirmed_on")
    ctx = dict(
        cases=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        filters={"status": status} if status else {},
        status=status or "",
    )
    return web.render(request, "cases.html", ctx)


@router.get(f"{PREFIX}/zones")
def zones_page(request: Request, session: DB, scope: PageReader) -> Response:
    lang = web.language(request)
    names = queries.zone_names(session, scope)

    def shown(zone: str) -> str:
        name, name_zh = names.get(zone, (zone, None))
        return name_zh if lang.code == "zh_CN" and name_zh else name

    states = zone_states.zone_states(session, scope)
    current = [
        dict(zone=z, name=shown(z), state=ch.state if ch else "open", since=ch.at if ch else None)
        for z, ch in states.items()
    ]
    history = [
        dict(name=shown(ch.zone_id), change=ch)
        for ch in reversed(zone_states.zone_history(session, scope))
    ]
    return web.render(request, "zones.html", dict(current=current, history=history))
