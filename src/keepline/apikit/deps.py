"""FastAPI dependencies: the database session, the caller, their role and tenant."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from keepline.accounts import service as accounts
from keepline.accounts.models import Role
from keepline.accounts.service import Caller, Unauthorized
from keepline.errors import KeeplineError

SESSION_COOKIE = "keepline_session"
_bearer = HTTPBearer(auto_error=False, description="The token from POST /auth/login.")


class Forbidden(KeeplineError):
    """The caller's role may not do this (HTTP 403). Other tenants' data is 404 instead."""


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the route returns, else rolled back.

    Opening the session does no I/O (it takes a connection at its first query, in a
    worker thread), so it happens on the event loop. A read (``Route``, below) has
    committed in its own worker thread by the time it returns, which leaves nothing here
    but a close without I/O; otherwise the commit or rollback and the close go to a
    worker thread as one hop. Each hop costs ~0.1 ms of CPU and a wake-up, and a read
    used to take seven of them.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_end, session, False)
        raise
    if session.in_transaction():
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_end, session, True)
    else:
        session.close()


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _commit_on_return(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the signature (and globals) through this
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                value.commit()
        return result

    return run


class Route(APIRoute):
    """Every keepline route. A plain ``def`` GET route commits (ends) its read
    transaction in its own worker thread as it returns, so that ``get_session`` needs no
    further hop to a thread. Writes keep the commit after the response is built, so that
    a response that fails to build (a bug, a 500) still leaves nothing written.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        if methods == {"GET"} and not inspect.iscoroutinefunction(endpoint):
            endpoint = _commit_on_return(endpoint)
        super().__init__(path, endpoint, **kwargs)


# At most this many requests hold a session (and so a pooled connection) at once; the
# rest wait without a worker thread. Without the bound, threads waiting for a connection
# can take every worker thread while the requests holding connections wait for a thread
# to finish on: a stall until the pool times out. SQLAlchemy's default pool holds 15.
MAX_SESSIONS = 10
DB = Annotated[Session, Depends(get_session, scope="function", max_concurrency=MAX_SESSIONS)]


def request_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return credentials.credentials
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie
    raise Unauthorized("not logged in: send 'Authorization: Bearer <token>' from POST /auth/login")


def current_caller(
    request: Request,
    session: DB,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    caller = accounts.authenticate(session, request_token(request, credentials))
    request.state.caller = caller  # for the request log
    return caller


async def tenant_caller(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    """A caller who belongs to an enterprise; every enterprise route is scoped to it.

    ``async`` (as is the role check below) because it does no I/O: FastAPI runs a plain
    ``def`` dependency in a worker thread, and the hop costs more than the check.
    """
    if caller.enterprise_id is None:
        raise Forbidden("this account belongs to a jurisdiction, not an enterprise")
    return caller


Tenant = Annotated[Caller, Depends(tenant_caller)]


def roles(*allowed: Role) -> Callable[[Caller], Caller]:
    """A dependency that lets only ``allowed`` roles (of an enterprise) through."""

    async def check(caller: Tenant) -> Caller:
        if caller.role not in allowed:
            names = ", ".join(r.value for r in allowed)
            raise Forbidden(f"role '{caller.role.value}' may not do this (needs {names})")
        return caller

    return check


Admin = Annotated[Caller, Depends(roles(Role.admin))]
HealthStaff = Annotated[Caller, Depends(roles(Role.admin, Role.health_officer))]
HealthOfficer = Annotated[Caller, Depends(roles(Role.health_officer))]
