"""Sign in, sign out, the language switch, and the console's start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from keepline.accounts import service as accounts
from keepline.apikit.auth import SESSION_COOKIE, CurrentCaller, client_address
from keepline.apikit.deps import DB
from keepline.console import web
from keepline.console.i18n import LANG_COOKIE, LANGUAGES, N_
from keepline.console.web import PREFIX, ConsoleRoute, Csrf

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
LANG_MAX_AGE = 365 * 24 * 3600
BAD_LOGIN = N_("The e-mail or the password is wrong, or the account is not active.")
LOCKED = N_("Too many failed sign-ins: try again in a few minutes.")


@router.get(PREFIX)
@router.get(f"{PREFIX}/")
def start(request: Request, session: DB) -> Response:
    """Today's page for an enterprise's user, the government's home for an officer (it
    sends the others to sign in)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            if accounts.authenticate(session, token).jurisdiction is not None:
                return RedirectResponse(f"{PREFIX}/gov", status_code=303)
        except accounts.Unauthorized:
            pass  # an expired cookie: Today's page sends them to sign in
    return RedirectResponse(f"{PREFIX}/today", status_code=303)


@router.get(f"{PREFIX}/login")
def login_page(
    request: Request, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    return web.render(request, "login.html", dict(next=web.safe_next(next), email=""))


@router.post(f"{PREFIX}/login")
def login(
    request: Request,
    session: DB,
    _csrf: Csrf,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password (the accounts service: counters, locks and audit as the API's
    login); set the same session cookie as ``POST /auth/login`` and a fresh CSRF value."""
    try:
        token, _user, _expires = accounts.login(session, email, password, client_address(request))
    except (accounts.Unauthorized, accounts.TooManyAttempts) as exc:
        session.commit()  # the failed-login counters and the audit row stay
        error = LOCKED if isinstance(exc, accounts.TooManyAttempts) else BAD_LOGIN
        status = 429 if isinstance(exc, accounts.TooManyAttempts) else 401
        ctx = dict(next=web.safe_next(next), email=email, error=error)
        return web.render(request, "login.html", ctx, status)
    response = RedirectResponse(web.safe_next(next), status_code=303)
    lifetime = int(accounts.TOKEN_LIFETIME.total_seconds())
    web.set_cookie(request, response, SESSION_COOKIE, token, lifetime)
    web.set_cookie(request, response, web.CSRF_COOKIE, web.new_csrf_seed(), web.CSRF_MAX_AGE)
    return response


@router.post(f"{PREFIX}/logout")
def logout(request: Request, session: DB, _csrf: Csrf, caller: CurrentCaller) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    accounts.logout(session, caller, token, client_address(request))
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post(f"{PREFIX}/language")
def switch_language(
    request: Request,
    _csrf: Csrf,
    lang: Annotated[str, Form(max_length=10)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    response = RedirectResponse(web.safe_next(next), status_code=303)
    if lang in LANGUAGES:
        web.set_cookie(request, response, LANG_COOKIE, lang, LANG_MAX_AGE)
    return response
