"""Authentication and the caller's scope: the one place a request becomes a typed scope.

``current_caller`` checks the token (bearer header or the console's session cookie).
``authorize(*roles)`` makes the ``EnterpriseScope`` that every enterprise route passes to
its service, and ``govern(*roles)`` the ``JurisdictionScope`` of a government route. Each
package declares who may call what once, in its own ``auth.py``, from these two
builders; a router names those aliases and never a role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from keepline.accounts import service as accounts
from keepline.accounts.service import Caller, Unauthorized
from keepline.apikit.deps import DB
from keepline.errors import KeeplineError
from keepline.scope import ENTERPRISE_ROLES, EnterpriseScope, JurisdictionScope, Role

SESSION_COOKIE = "keepline_session"
bearer = HTTPBearer(auto_error=False, description="The token from POST /auth/login.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


class Forbidden(KeeplineError):
    """The caller's role may not do this (HTTP 403). Other tenants' data is 404 instead."""


def request_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return credentials.credentials
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie
    raise Unauthorized("not logged in: send 'Authorization: Bearer <token>' from POST /auth/login")


def client_address(request: Request) -> str:
    """The client's address, for the audit log and the failed-login counters: the
    connection's peer, or (with ``$KEEPLINE_TRUSTED_PROXIES``) the address a trusted
    proxy forwarded, which ``api.create_app`` puts in its place."""
    return request.client.host if request.client is not None else "-"


def current_caller(request: Request, session: DB, credentials: Credentials) -> Caller:
    caller = accounts.authenticate(session, request_token(request, credentials))
    request.state.caller = caller  # for the request log
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def _names(allowed: tuple[Role, ...]) -> str:
    return ", ".join(r.value for r in allowed)


def authorize(*allowed: Role) -> Callable[[Caller], Awaitable[EnterpriseScope]]:
    """A dependency: the caller's ``EnterpriseScope`` if their role is one of ``allowed``
    (every enterprise role when none is given); a jurisdiction's account is 403.

    ``async`` because it does no I/O: FastAPI runs a plain ``def`` dependency in a
    worker thread, and the hop costs more than the check.
    """
    roles = allowed or ENTERPRISE_ROLES

    async def check(caller: CurrentCaller) -> EnterpriseScope:
        if caller.enterprise_id is None:
            raise Forbidden("this account belongs to a jurisdiction, not an enterprise")
        if caller.role not in roles:
            raise Forbidden(f"role '{caller.role.value}' may not do this (needs {_names(roles)})")
        return EnterpriseScope(caller.enterprise_id, caller.actor, caller.role, caller.user_id)

    return check


def govern(*allowed: Role) -> Callable[[Caller], Awaitable[JurisdictionScope]]:
    """A dependency: the caller's ``JurisdictionScope`` (government accounts only)."""
    roles = allowed or (Role.government_officer,)

    async def check(caller: CurrentCaller) -> JurisdictionScope:
        if caller.jurisdiction is None:
            raise Forbidden("this account belongs to an enterprise, not a jurisdiction")
        if caller.role not in roles:
            raise Forbidden(f"role '{caller.role.value}' may not do this (needs {_names(roles)})")
        return JurisdictionScope(
            caller.jurisdiction, caller.actor, caller.role, None, caller.user_id
        )

    return check


# The aliases every package's auth.py builds on.
Member = Annotated[EnterpriseScope, Depends(authorize())]
"""Any user of the enterprise."""
Admin = Annotated[EnterpriseScope, Depends(authorize(Role.admin))]
HealthStaff = Annotated[EnterpriseScope, Depends(authorize(Role.admin, Role.health_officer))]
HealthOfficer = Annotated[EnterpriseScope, Depends(authorize(Role.health_officer))]
Officer = Annotated[JurisdictionScope, Depends(govern())]
"""Any user of the jurisdiction."""
