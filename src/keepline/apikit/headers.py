"""Security headers on every response (issue 15, item 15).

- ``X-Content-Type-Options: nosniff``: a browser takes a JSON or CSV answer for what it
  says it is, never a script or a page.
- ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``: no page may frame the
  console (clickjacking); the first for old browsers, the second for current ones.
- ``Content-Security-Policy``: the console is server-rendered with vendored assets, so
  everything comes from this origin (``default-src 'self'``), scripts only from files
  (no inline script, no ``eval``); styles from files and, inline, the ones the vendored
  Swagger UI and ReDoc insert as they run (styled-components; a style cannot run code,
  a script could); images may be ``data:`` URIs (Swagger UI's icons); no plugins, no
  ``<base>`` tricks, forms post only here.
- ``Referrer-Policy: no-referrer``: URLs (ids, filters) never leave in a Referer.
- ``Strict-Transport-Security`` when the request came over TLS (the scheme is ``https``,
  directly or as a trusted proxy forwarded it): browsers then refuse plain HTTP for a
  year. Never over plain HTTP, where it means nothing and could lock a test set-up out.
- ``Cache-Control: no-store`` on every response but the static assets under
  ``/static/`` (the vendored docs' scripts and styles) and those that set their own: API
  answers carry personal data, and the simple honest rule is that no cache (browser or
  proxy) keeps any of them.

A plain ASGI middleware, like ``api.RequestLog``: it adds microseconds, not a thread hop.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"  # files of the package (apikit's docs assets): no personal data
ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
)


def for_errors() -> dict[str, str]:
    """The headers for a response sent outside the middleware (Starlette answers an
    unexpected exception's 500 from its outermost layer, past every middleware)."""
    out = {name.decode(): value.decode() for name, value in ALWAYS}
    out["cache-control"] = "no-store"
    return out


class HttpMiddleware:
    """A plain ASGI middleware (not Starlette's BaseHTTPMiddleware: it costs microseconds)
    that handles HTTP requests in :meth:`http` and passes anything else (lifespan,
    websockets) straight to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class SecurityHeaders(HttpMiddleware):
    """Add the headers above to every HTTP response of ``app``."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        tls = scope.get("scheme") == "https"
        static = str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                extra = [h for h in ALWAYS if h[0] not in present]
                if b"cache-control" not in present and not static:
                    extra.append((b"cache-control", b"no-store"))
                if tls:
                    extra.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_wrapper)
