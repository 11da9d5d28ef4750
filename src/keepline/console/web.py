"""What every console page shares: templates, the request's language, CSRF, error pages.

Pages are rendered from ``templates/`` with the request's :class:`i18n.Language`.
Every form carries a CSRF token: the ``keepline_csrf`` cookie holds a random value per
browser session (replaced at sign-in), and the token is that value signed with the
server's secret (itsdangerous), checked on every POST from the form field
``csrf_token`` or, for htmx requests, the ``X-CSRF-Token`` header. The console's routes
use :class:`ConsoleRoute`, which turns the API's errors into pages: not signed in → the
sign-in page, another tenant's id → 404, a role that may not → 403.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from collections.abc import Callable, Collection, Coroutine, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast
from urllib.parse import quote as url_quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from keepline import settings
from keepline.accounts.service import TooManyAttempts, Unauthorized
from keepline.apikit.auth import Forbidden
from keepline.apikit.deps import Route
from keepline.audit import service as audit
from keepline.console.i18n import (
    LANG_COOKIE,
    LANGUAGE_NAMES,
    N_,
    FieldPart,
    Language,
    negotiate,
    schema_message,
)
from keepline.errors import InputError, KeeplineError, Msg, NotFound, msg
from keepline.scope import EnterpriseScope

PREFIX = "/console"
STATIC_URL = "/static/console"  # under /static/: cached, like the API docs' assets
TEMPLATES = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
CSRF_COOKIE = "keepline_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_MAX_AGE = 12 * 3600  # as long as a login
SECRET_ENV = "KEEPLINE_SECRET_KEY"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",)),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


ROLE_LABELS = {
    "admin": N_("administrator"),
    "health_officer": N_("health officer"),
    "planner": N_("planner"),
    "storekeeper": N_("storekeeper"),
    "viewer": N_("viewer"),
    "government_officer": N_("government officer"),
}


STATE_LABELS = {
    "open": N_("open"),
    "restricted": N_("restricted"),
    "locked": N_("locked"),
    "disinfecting": N_("disinfecting"),
    "reopened": N_("reopened"),
}
PRIORITY_LABELS = {
    "front-line": N_("front-line"),
    "livelihood": N_("livelihood"),
    "standard": N_("standard"),
}

TEST_LABELS = {"pcr": N_("PCR"), "antigen": N_("antigen")}

EMPLOYMENT_LABELS = {"active": N_("active"), "on-leave": N_("on leave"), "left": N_("left")}
YES_NO = (N_("yes"), N_("no"))
FLAG_LABELS = {
    "fever": N_("fever"),
    "symptoms": N_("symptoms"),
    "health-code": N_("health code"),
    "risk-travel": N_("risk-area travel"),
}


def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, flag)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def status_label(status: str) -> str:
    return EMPLOYMENT_LABELS.get(status, status)


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def priority_label(priority: str) -> str:
    return PRIORITY_LABELS.get(priority, priority)


def test_label(test_type: object) -> str:
    """A screening round's test (a ``TestType`` or its value) as a label."""
    value = str(getattr(test_type, "value", test_type))
    return TEST_LABELS.get(value, value)


def refusal(
    session: Session, exc: ValidationError | InputError, fields: Collection[str]
) -> dict[str, list[str]]:
    """A form's refusal (the schema's or the service's) by field; a service's refusal
    rolls back what it had begun, so nothing is written."""
    if isinstance(exc, InputError):
        session.rollback()
        return field_errors(exc.problems, fields)
    return field_errors(validation_lines(exc), fields)


def safe_next(target: str | None) -> str:
    """Where to go after signing in or switching language: a console path, never
    another site (``//host`` or a scheme)."""
    if target and target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"


def field_errors(problems: Iterable[str], fields: Iterable[str]) -> dict[str, list[str]]:
    """A refusal's lines (``"field: why"``) by the form's field they name; the others
    under ``""`` (shown above the form)."""
    known = set(fields)
    out: dict[str, list[str]] = {}
    for p in problems:
        name, _, rest = p.partition(":")
        key = name.strip() if name.strip() in known and rest else ""
        # A translatable line stays one (templates show it with ``tr``).
        part = FieldPart(p, key) if isinstance(p, Msg) else rest.strip()
        out.setdefault(key, []).append(part if key else p)
    return out


def validation_lines(exc: ValidationError) -> list[str]:
    """A rejected body's errors as ``"field: why"`` lines."""
    return [
        msg(
            "%(field)s: %(message)s",
            field=e["loc"][0] if e["loc"] else "",
            message=schema_message(e),
        )
        for e in exc.errors()
    ]


class CsrfRefused(KeeplineError):
    """A POST without a valid CSRF token (HTTP 403)."""


def secret_key() -> bytes:
    """The server's signing key: ``$KEEPLINE_SECRET_KEY``, else a random key made once
    and kept in ``$KEEPLINE_HOME/console.key`` (readable by the owner only), so that
    every worker process and every restart signs alike."""
    given = os.environ.get(SECRET_ENV)
    if given:
        return given.encode()
    path = settings.home() / "console.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def signer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(), salt=salt)


def language(request: Request) -> Language:
    return Language(
        negotiate(request.headers.get("accept-language"), request.cookies.get(LANG_COOKIE))
    )


def csrf_seed(request: Request) -> str:
    """This browser's CSRF value: the cookie's, or a new one (set on the response by
    :func:`render`)."""
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or len(seed) > 64:
        seed = getattr(request.state, "csrf_seed", None) or new_csrf_seed()
        request.state.csrf_seed = seed
    return seed


def new_csrf_seed() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(request: Request) -> str:
    return str(signer("csrf").dumps(csrf_seed(request)))


def check_csrf(request: Request, form: Mapping[str, Any]) -> None:
    """Refuse (403) a POST whose token is missing, forged, expired or another browser's."""
    token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    seed = request.cookies.get(CSRF_COOKIE) or ""
    try:
        value = signer("csrf").loads(str(token), max_age=CSRF_MAX_AGE)
    except BadSignature:
        raise CsrfRefused("the form has expired or did not come from this site") from None
    if not seed or not hmac.compare_digest(str(value), seed):
        raise CsrfRefused("the form has expired or did not come from this site")


def secure_cookies(request: Request) -> bool:
    """Cookies are ``Secure`` when the request came over TLS (directly or through a
    trusted proxy): a plant network without TLS can still sign in."""
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=secure_cookies(request),
        samesite="strict" if name != LANG_COOKIE else "lax",
        path="/",
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """``template`` in the request's language with ``context`` (and the caller, the CSRF
    token and the formatters every page uses)."""
    lang = language(request)
    ctx: dict[str, Any] = dict(
        request=request,
        lang=lang,
        languages=LANGUAGE_NAMES,
        csrf_token=csrf_token(request),
        caller=getattr(request.state, "caller", None),
        role_label=role_label,
        state_label=state_label,
        status_label=status_label,
        flag_label=flag_label,
        priority_label=priority_label,
        test_label=test_label,
        prefix=PREFIX,
        static=STATIC_URL,
        path=request.url.path,
        query=request.url.query,
        **lang.helpers(),
    )
    ctx.update(context or {})
    html = env.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    if not request.cookies.get(CSRF_COOKIE):
        set_cookie(request, response, CSRF_COOKIE, csrf_seed(request), CSRF_MAX_AGE)
    return response


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{PREFIX}/login?next={url_quote(target, safe='')}", status_code=303)


def error_text(request: Request, exc: KeeplineError) -> str:
    """A service's error in the request's language (one line a problem); the API's JSON
    keeps the English."""
    return "\n".join(language(request).error(exc))


def error_page(request: Request, exc: Exception) -> Response:
    """The page for an error raised by a console route or its dependencies."""
    if isinstance(exc, Unauthorized):
        return sign_in_redirect(request)
    if isinstance(exc, NotFound):
        status, title = 404, N_("Not found")
    elif isinstance(exc, Forbidden | CsrfRefused):
        status, title = 403, N_("Not allowed")
    elif isinstance(exc, TooManyAttempts):
        status, title = 429, N_("Too many attempts")
    elif isinstance(exc, RequestValidationError):
        status, title = 422, N_("Invalid request")
    else:
        status, title = 400, N_("Refused")
    message = error_text(request, exc) if isinstance(exc, KeeplineError) else ""
    return render(request, "error.html", dict(status=status, title=title, message=message), status)


async def csrf_checked(request: Request) -> None:
    """A dependency of every console POST: the form's (or htmx's header's) CSRF token.
    Starlette keeps the parsed form, so the route's own ``Form`` fields read it again
    for free."""
    form = await request.form()
    check_csrf(request, form)


Csrf = Annotated[None, Depends(csrf_checked)]


class ConsoleRoute(Route):
    """A console route: the API's ``Route`` (unknown query parameters refused), with its
    errors answered as pages rather than JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def paged(request: Request) -> Response:
            try:
                return await handler(request)
            except (KeeplineError, RequestValidationError) as exc:
                return error_page(request, exc)

        return paged


T = TypeVar("T")
KEPT_PARTS = 64
"""At most this many figures kept per enterprise and version (more: computed, not kept)."""
# Per enterprise: (day, version) → the pages' costly figures by name, each computed when
# first asked for. Keyed on the enterprise's version in the database (raised by every
# committed write, ``audit.service.version``), so a write shows at once in every server
# process, and nothing else has to invalidate it. One cache for every page.
_kept: dict[str, tuple[tuple[dt.date, int], dict[str, Any]]] = {}


def kept(
    session: Session, scope: EnterpriseScope, day: dt.date, part: str, compute: Callable[[], T]
) -> T:
    """``compute()``, kept per version of the enterprise's record under ``part`` (the
    version read first: what is computed after it is at least as new)."""
    key = (day, audit.version(session, scope))
    entry = _kept.get(scope.enterprise_id)
    if entry is None or entry[0] != key:
        entry = _kept[scope.enterprise_id] = (key, {})
    if part in entry[1]:
        return cast(T, entry[1][part])
    found = compute()
    if len(entry[1]) < KEPT_PARTS:
        entry[1][part] = found
    return found
