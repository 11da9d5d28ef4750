"""Routes: log in and out, who am I, the enterprise's users (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from keepline.accounts import queries, service
from keepline.accounts.auth import LoggedIn, UserAdmin
from keepline.accounts.models import Role, User
from keepline.accounts.schemas import LoginIn, LoginOut, UserCreate, UserOut, UserUpdate
from keepline.apikit.auth import SESSION_COOKIE, Credentials, request_token
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, list_page

router = APIRouter(tags=["accounts"], route_class=Route)
UserId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A user id.")]


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, session: DB, response: Response, request: Request) -> LoginOut:
    """Log in with e-mail and password: a bearer token, and the same token as a
    secure HttpOnly session cookie for the web console."""
    token, user, expires = service.login(session, body.email, body.password)
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
    _caller: LoggedIn,
) -> Response:
    """End this login (the token stops working)."""
    service.logout(session, request_token(request, credentials))
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE)
    return out


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
def update_user(user_id: UserId, body: UserUpdate, session: DB, scope: UserAdmin) -> User:
    """Change a user's role, name, password or deactivate them (their logins end)."""
    return service.update_user(session, scope, user_id, body)
