"""The API's own pages, served from the package so they open on a plant network with no
internet: ``/`` (a bilingual start page), ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc).

The browser assets are vendored from their npm releases under ``static/vendor`` by
``scripts/vendor_assets.sh`` (licences beside them). The pages load their start-up code
from files, not inline scripts, so they work under a Content-Security-Policy that allows
only 'self' scripts and styles.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static"
SWAGGER_URL = f"{STATIC_URL}/vendor/swagger-ui"
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _page(lang: str, title: str, head: str, body: str) -> str:
    """One of the API's own HTML pages (no inline script: the CSP allows only 'self')."""
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
{head}
</head>
<body>
{body}
</body>
</html>
"""


def _swagger_page(title: str, openapi_url: str) -> str:
    return _page(
        "en",
        f"{title} API — Swagger UI",
        f"""<link rel="icon" type="image/png" href="{SWAGGER_URL}/favicon-32x32.png">
<link rel="stylesheet" href="{SWAGGER_URL}/swagger-ui.css">""",
        f"""<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{SWAGGER_URL}/swagger-ui-bundle.js"></script>
<script src="{STATIC_URL}/swagger-init.js"></script>""",
    )


def _redoc_page(title: str, openapi_url: str) -> str:
    return _page(
        "en",
        f"{title} API — ReDoc",
        VIEWPORT,
        f"""<div id="redoc" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{STATIC_URL}/vendor/redoc/redoc.standalone.js"></script>
<script src="{STATIC_URL}/redoc-init.js"></script>""",
    )


def _start_page(title: str, version: str) -> str:
    return _page(
        "zh-CN",
        title,
        f"""{VIEWPORT}
<link rel="stylesheet" href="{STATIC_URL}/index.css">""",
        f"""<h1>{escape(title)} <small>{escape(version)}</small></h1>
<p>复工复产与疫情防控接口服务。<span class="en" lang="en">Keep a plant producing, safely,
through an epidemic: the API.</span></p>
<ul>
<li><a href="/docs">接口文档（可试用）</a> · <span class="en" lang="en">API documentation
(try it out)</span></li>
<li><a href="/redoc">接口参考</a> · <span class="en" lang="en">API reference</span></li>
<li><a href="/health">服务状态</a> · <span class="en" lang="en">Service status</span></li>
</ul>
<p>登录：<code>POST /auth/login</code>，然后在请求头中发送
<code>Authorization: Bearer &lt;token&gt;</code>。<br>
<span class="en" lang="en">Log in with <code>POST /auth/login</code>, then send
<code>Authorization: Bearer &lt;token&gt;</code>.</span></p>""",
    )


def install_docs(app: FastAPI) -> None:
    """Serve the start page, /docs and /redoc from the package (create the app with
    ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages are not mounted)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    openapi_url = app.openapi_url or "/openapi.json"
    swagger = _swagger_page(app.title, openapi_url)
    redoc = _redoc_page(app.title, openapi_url)
    start = _start_page(app.title, app.version)

    @app.get("/", include_in_schema=False)
    async def start_page() -> HTMLResponse:
        return HTMLResponse(start)

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger)

    @app.get("/redoc", include_in_schema=False)
    async def redoc_page() -> HTMLResponse:
        return HTMLResponse(redoc)
