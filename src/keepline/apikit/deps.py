"""FastAPI dependencies: the database session, the caller, their role and tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
from fastapi import Depends, Request
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

    Opening the session does no I/O (it takes a connection at its first query, in the
    route's worker thread), so it happens on the event loop; only the commit or rollback
    and the close go to a worker thread, as one hop. Every thread hop costs ~0.1 ms of
    CPU and a wake-up, and a read used to take seven of them.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_end, session, False)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_end, session, True)


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
