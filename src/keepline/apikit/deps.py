"""FastAPI plumbing every router shares: the per-request session and the route class.

Who the caller is and what they may do is ``apikit.auth``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from keepline.errors import InputError, quote


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
        self.query_names = frozenset(
            name for f in get_flat_params(self.dependant) for name in (f.alias, f.name)
        )

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, behind a check that every query parameter is one the
        route declares: a misspelt or renamed one (``?date=`` for ``?day=``) is a 422
        naming it, not silently ignored."""
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            unknown = [k for k in request.query_params if k not in self.query_names]
            if unknown:
                known = ", ".join(sorted(self.query_names & _query_names(self))) or "none"
                err = InputError(
                    [
                        f"{quote(k)}: unknown query parameter (this route takes: {known})"
                        for k in unknown
                    ]
                )
                err.field = unknown[0][:64]
                raise err
            return await handler(request)

        return checked


def _query_names(route: APIRoute) -> set[str]:
    return {
        f.alias for f in get_flat_params(route.dependant) if isinstance(f.field_info, params.Query)
    }


# At most this many requests hold a session (and so a pooled connection) at once; the
# rest wait without a worker thread. Without the bound, threads waiting for a connection
# can take every worker thread while the requests holding connections wait for a thread
# to finish on: a stall until the pool times out. SQLAlchemy's default pool holds 15.
MAX_SESSIONS = 10
DB = Annotated[Session, Depends(get_session, scope="function", max_concurrency=MAX_SESSIONS)]
