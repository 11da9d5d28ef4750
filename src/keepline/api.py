"""The HTTP API: ``create_app()`` mounts every capability's router on one FastAPI app.

Errors always answer ``{"error": {"code", "message", "field"}}`` (bulk imports add
``problems``: every bad row and field). Each request is logged as one JSON line.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from keepline import __version__, db, settings
from keepline.accounts import service as accounts
from keepline.accounts.api import router as accounts_router
from keepline.accounts.service import TooManyAttempts, Unauthorized
from keepline.apikit import ErrorOut
from keepline.apikit.auth import Forbidden
from keepline.apikit.deps import Route
from keepline.apikit.docs import install_docs
from keepline.apikit.headers import HttpMiddleware, SecurityHeaders, for_errors
from keepline.audit.api import router as audit_router
from keepline.console.router import install as install_console
from keepline.containment.api import router as containment_router
from keepline.difficulties.api import router as difficulties_router
from keepline.errors import InputError, KeeplineError, NotFound, shown_lines
from keepline.government.api import router as government_router
from keepline.health.api import router as health_router
from keepline.jobs.api import router as jobs_router
from keepline.jobs.kinds import KINDS
from keepline.jobs.runner import Runner
from keepline.logistics.api import router as logistics_router
from keepline.materials.api import router as materials_router
from keepline.people.api import router as people_router
from keepline.plans.api import router as plans_router
from keepline.production.api import router as production_router
from keepline.retention.api import router as retention_router
from keepline.screening.api import router as screening_router
from keepline.tabular import RowsError

log = logging.getLogger("keepline.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def error_body(
    status: int,
    message: str,
    field: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "code": code or _STATUS_CODES.get(status, "error"),
        "message": message,
        "field": field,
        **extra,
    }
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _loc_field(loc: tuple[Any, ...]) -> tuple[int | None, str | None]:
    """('body', 'declarations', 3, 'temperature_c') → row 4, field 'temperature_c'."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    row = next((p + 1 for p in parts if isinstance(p, int)), None)
    names = [str(p) for p in parts if not isinstance(p, int)]
    if row is not None and names and names[0] == "declarations":
        names = names[1:]
    field = ".".join(names) if names else (str(loc[-1]) if loc else None)
    return row, field


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(KeeplineError)
    def keepline_error(_request: Request, exc: KeeplineError) -> JSONResponse:
        if isinstance(exc, NotFound):
            return error_body(404, exc.message, exc.field)
        if isinstance(exc, Unauthorized):
            return error_body(401, exc.message)
        if isinstance(exc, Forbidden):
            return error_body(403, exc.message)
        if isinstance(exc, TooManyAttempts):
            return error_body(429, exc.message, headers={"Retry-After": str(exc.retry_after)})
        if isinstance(exc, RowsError):
            return error_body(
                422,
                "; ".join(exc.lines),
                exc.field,
                code="invalid_rows",
                file=exc.filename,
                problems=[p.as_dict() for p in exc.rows],
            )
        if isinstance(exc, InputError):
            field = exc.field or (exc.message.split(":", 1)[0] if ":" in exc.message else None)
            return error_body(422, "; ".join(exc.lines), field, problems=exc.problems)
        return error_body(400, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            row, field = _loc_field(tuple(e.get("loc", ())))
            msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append({"row": row, "field": field, "message": msg})
        first = problems[0] if problems else {"row": None, "field": None, "message": "invalid"}
        said = [
            f"{'row ' + str(p['row']) + ', ' if p['row'] else ''}{p['field']}: {p['message']}"
            for p in problems
        ]
        message = "; ".join(shown_lines(said or ["invalid"], InputError.MAX_SHOWN))
        return error_body(422, message, first["field"], code="invalid_request", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_body(exc.status_code, str(exc.detail))

    @app.exception_handler(DataError)
    def data_error(_request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value the schema let through (PostgreSQL: a NUL byte
        # in text, a number out of its column's range): the caller's input, not ours.
        log.warning("data error: %s", exc.orig)
        return error_body(422, "a value cannot be stored (e.g. a NUL character in text)")

    @app.exception_handler(IntegrityError)
    def integrity_error(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", exc.orig)
        return error_body(409, "the change conflicts with another one; try again")


class RequestLog(HttpMiddleware):
    """Log each request as one JSON line and tag the response with ``x-request-id``."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex[:16]
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_wrapper(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            # A bug: log it with its traceback here, on the event loop (a handler run in
            # a worker thread has no exception to log), and answer 500 without raising
            # further, so the server keeps the connection (Starlette's own 500 handler
            # re-raises, and uvicorn then drops the client's connection).
            log.error(
                "internal error", exc_info=exc, extra={"request_id": rid, "path": scope.get("path")}
            )
            if started:
                raise
            status = 500
            # Sent outside SecurityHeaders (RequestLog wraps it): add them here.
            response = error_body(500, "internal error", code="internal", headers=for_errors())
            await response(scope, receive, send_wrapper)
        finally:
            caller = scope.get("state", {}).get("caller")
            client = scope.get("client")
            log.info(
                "request",
                extra=dict(
                    request_id=rid,
                    method=scope.get("method"),
                    path=scope.get("path"),
                    status=status,
                    ms=round((time.perf_counter() - start) * 1000, 2),
                    user=caller.email if caller else None,
                    enterprise=caller.enterprise_id if caller else None,
                    client=client[0] if client else None,
                ),
            )


@asynccontextmanager
async def run_jobs(app: FastAPI) -> AsyncIterator[None]:
    """The background jobs' runner, for as long as the app serves (``jobs.runner``): it
    first fails the jobs a stopped server left running."""
    runner = Runner(app.state.sessionmaker, KINDS, workers=settings.job_workers())
    runner.start()
    app.state.jobs = runner
    try:
        yield
    finally:
        runner.stop()


def create_app(database_url: str | None = None) -> FastAPI:
    """The keepline API on ``database_url`` (default: the configured database)."""
    engine = db.get_engine(database_url)
    app = FastAPI(
        title="keepline",
        version=__version__,
        description=(
            "Keep a plant producing, safely, through an epidemic. Log in with "
            "POST /auth/login and send the token as 'Authorization: Bearer <token>'. "
            "Every route answers for the caller's enterprise only."
        ),
        docs_url=None,  # served from the package by install_docs: no CDN
        redoc_url=None,
        lifespan=run_jobs,
    )
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)
    _install_errors(app)

    install_docs(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    proxies = settings.trusted_proxies()
    if proxies:
        # Outermost, so the request log, the login counters and HSTS see the client's
        # address and scheme as the trusted proxy forwarded them.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    revision = db.current_revision(engine)  # migrated by get_engine(); fixed while we run
    accounts.dummy_hash()  # now, so a login with an unknown e-mail takes no longer than others

    app.router.route_class = Route  # /health too refuses unknown query parameters

    @app.get("/health", tags=["service"])
    def health() -> JSONResponse:
        """Liveness and the database: 200 when it answers, 503 when not."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # the point is to report any database failure
            log.error("health check failed: %s", exc)
            return error_body(503, "database unavailable", code="unavailable")
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "database": engine.dialect.name,
                "revision": revision,
            }
        )

    for router in (
        accounts_router,
        people_router,
        health_router,
        audit_router,
        screening_router,
        containment_router,
        retention_router,
    ):
        app.include_router(router)
    for router in (
        materials_router,
        logistics_router,
        production_router,
        government_router,
        difficulties_router,
    ):
        app.include_router(router)
    app.include_router(plans_router)
    app.include_router(jobs_router)
    install_console(app)  # the web console's pages under /console (not in the OpenAPI)
    _document_errors(app)
    return app


def _document_errors(app: FastAPI) -> None:
    """List in the OpenAPI the error answers each operation can give: 400 (a rule of
    the service) and 422 (bad input, an unknown query parameter) on every one, 401 and
    403 where a login is needed (the operation names a security scheme), 404 where the
    path names something."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(
            ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs", {})
        )
        schemas["ErrorOut"] = {
            k: v
            for k, v in ErrorOut.model_json_schema(
                ref_template="#/components/schemas/{model}"
            ).items()
            if k != "$defs"
        }
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, ops in spec.get("paths", {}).items():
            for op in ops.values():
                answers = {
                    "400": "Refused by a rule (the message says which).",
                    "422": "Invalid input: a field, or an unknown query parameter.",
                }
                if op.get("security"):
                    answers["401"] = "No valid token or session."
                    answers["403"] = "The caller's role may not do this."
                if "{" in path:
                    answers["404"] = "Not found in the caller's enterprise or jurisdiction."
                for status, description in answers.items():
                    op["responses"].setdefault(status, {"description": description, "content": ref})
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
