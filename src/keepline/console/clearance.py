"""The health officer's page: who is held by a declaration and not cleared, and clearing
them with a reason (``health.service.clear_worker``, as ``POST
/workers/{employee_no}/clearance``). With htmx the row is cleared in place; without,
the form posts and the page comes back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from keepline.apikit.deps import DB
from keepline.apikit.lists import ListParams, fetch_page
from keepline.apikit.params import EmployeeNo
from keepline.console import web
from keepline.console.auth import Clearer, HealthPage
from keepline.console.i18n import N_
from keepline.console.web import PREFIX, ConsoleRoute, Csrf
from keepline.health import queries
from keepline.health.schemas import ClearIn
from keepline.plans import recorded
from keepline.scope import EnterpriseScope

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE = 50
REASON_ERROR = N_("Give a reason of 3 to 500 characters.")


def _page(
    request: Request,
    session: Session,
    scope: EnterpriseScope,
    page: int,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    paging = ListParams(limit=PAGE, offset=(page - 1) * PAGE, sort="-flagged_on")
    rows, total = fetch_page(
        session, queries.not_cleared(scope), paging, queries.NOT_CLEARED_SORTS, "employee_no"
    )
    ctx = dict(
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        filters={},
        errors=errors or {},
        typed=typed or {},
        can_clear=scope.role.value == "health_officer",
        cleared=request.query_params.get("cleared"),
    )
    return web.render(request, "clearance.html", ctx, status)


@router.get(f"{PREFIX}/clearance")
def clearance_page(
    request: Request,
    session: DB,
    scope: HealthPage,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    cleared: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    return _page(request, session, scope, page)


@router.post(f"{PREFIX}/clearance/{{employee_no}}")
def clear(
    request: Request,
    session: DB,
    scope: Clearer,
    _csrf: Csrf,
    employee_no: EmployeeNo,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        body = ClearIn(reason=reason.strip())
    except ValidationError:
        lang = web.language(request)
        errors = {employee_no: lang.gettext(REASON_ERROR)}
        return _page(request, session, scope, 1, errors, {employee_no: reason}, 422)
    recorded.clear(session, scope, employee_no, body)
    if request.headers.get("hx-request") == "true":
        return web.render(request, "cleared_row.html", dict(employee_no=employee_no))
    return RedirectResponse(f"{PREFIX}/clearance?cleared={employee_no}", status_code=303)
