"""Routes: log in and out, who am I, the enterprise's users (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from keepline.accounts import queries, service
from keepline.accounts.auth import LoggedIn, UserAdmin
from keepline.accounts.models import Role, User
from keepline.accounts.schemas import (
    LoginIn,
    LoginOut,
    PasswordChange,
    PasswordChanged,
    UserCreate,
    UserOut,
    UserUpdate,
)
from keepline.apikit.auth import SESSION_COOKIE, Credentials, client_address, request_token
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, list_page
from keepline.errors import InputError

router = APIRouter(tags=["accounts"], route_class=Route)
# The failed-login counters and audit rows are written even though the answer is an error.
_KEEP_ON_ERROR = (service.Unauthorized, service.TooManyAttempts, InputError)
UserId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A user id.")]


@router.post(
    "/auth/login",
    response_model=LoginOut,
    responses={429: {"description": "Too many failed logins; retry after Retry-After s."}},
)
def login(body: LoginIn, session: DB, response: Response, request: Request) -> LoginOut:
    """Log in with e-mail and password: a bearer token, and the same token as a
    secure HttpOnly session cookie for the web console. Too many failed logins for the
    address or from the client answer 429 with ``Retry-After`` for a while."""
    try:
        token, user, expires = service.login(
            session, body.email, body.password, client_address(request)
        )
    except _KEEP_ON_ERROR:
        session.commit()
        raise
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(service.TOKEN_LIFETIME.total_seconds()),
        httponly=True,
        secure=True,
        samesite="strict",
    )
    return LoginOut(token=token, expires_at=expires, user=UserOut.model_validate(user))


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request,
    session: DB,
    response: Response,
    credentials: Credentials,
    caller: LoggedIn,
) -> Response:
    """End this login (the token stops working)."""
    service.logout(session, caller, request_token(request, credentials), client_address(request))
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE)
    return out


@router.post(
    "/auth/password",
    response_model=PasswordChanged,
    responses={429: {"description": "Too many failed logins; retry after Retry-After s."}},
)
def change_password(
    body: PasswordChange, session: DB, caller: LoggedIn, request: Request
) -> PasswordChanged:
    """Change your own password (give the current one): every other login of yours
    ends, this one stays."""
    try:
        ended = service.change_password(session, caller, body, client_address(request))
    except _KEEP_ON_ERROR:
        session.commit()
        raise
    return PasswordChanged(ended_sessions=ended)


@router.get("/auth/me", response_model=UserOut)
def me(session: DB, caller: LoggedIn) -> User:
    """The logged-in user."""
    return service.current_user(session, caller)


@router.get("/users", response_model=Page[UserOut])
def list_users(
    session: DB,
    scope: UserAdmin,
    paging: Paging,
    role: Annotated[Role | None, Query(description="Only this role.")] = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="E-mail contains.")] = None,
) -> Response:
    """The enterprise's users. Sort by id, email, role or created_at."""
    query = queries.users(scope, role=role, active=active, q=q)
    return list_page(session, query, paging, queries.USER_SORTS, "id", UserOut)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, session: DB, scope: UserAdmin) -> User:
    """Add a user to the caller's enterprise."""
    return service.add_user(session, scope, body)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, session: DB, scope: UserAdmin) -> User:
    return service.get_user(session, scope, user_id)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: UserId, body: UserUpdate, session: DB, scope: UserAdmin, caller: LoggedIn
) -> User:
    """Change a user's role, name, password or deactivate them. Deactivating ends their
    logins; a new password ends every login of theirs (but the caller's own)."""
    return service.update_user(session, scope, user_id, body, keep_session=caller.session_id)
