"""The console's routes, mounted on the API's app by ``keepline.api.create_app``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.routing import Mount

from keepline.console import cases, clearance, declare, government, signin, today, web, workers
from keepline.console import jobs as job_pages
from keepline.console import logistics as logistics_pages
from keepline.console import materials as material_pages
from keepline.console import output as output_pages
from keepline.console import plans as plan_pages
from keepline.console import production_plan as production_plan_pages
from keepline.console import screening as screening_pages
from keepline.console.web import PREFIX, STATIC_DIR, STATIC_URL, ConsoleRoute
from keepline.errors import NotFound

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
for area in (signin, today, workers, declare, clearance, cases):
    router.include_router(area.router)
router.include_router(government.router)
router.include_router(plan_pages.router)
router.include_router(screening_pages.router)
for ops in (
    material_pages,
    logistics_pages,
    output_pages,
):  # issue 19: materials, logistics, output
    router.include_router(ops.router)
router.include_router(job_pages.router)  # issue 19: the assessment, background jobs
router.include_router(production_plan_pages.router)  # issue 19: the plan and re-plan from today


@router.get(PREFIX + "/{rest:path}")
def not_found(request: Request, rest: str) -> Response:
    """Any other console path: the 404 page (not the API's JSON)."""
    return web.error_page(request, NotFound(f"no page '{rest[:80]}'"))


def install(app: FastAPI) -> None:
    """Mount the console's pages and its static files (htmx, ECharts, styles)."""
    # Ahead of the API docs' ``/static`` mount, which would otherwise answer first.
    app.router.routes.insert(
        0, Mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="console-static")
    )
    app.include_router(router)
