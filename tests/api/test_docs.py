"""The API's own pages open with no internet: /docs and /redoc load only assets the app
serves itself, and / leads to them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from keepline.api import create_app

# src="..." / href="..." in a page: every asset it asks the browser for.
_REFS = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'k.db'}"
    return TestClient(create_app(url))


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        (
            "/docs",
            {
                "/static/vendor/swagger-ui/swagger-ui-bundle.js": "javascript",
                "/static/vendor/swagger-ui/swagger-ui.css": "text/css",
                "/static/vendor/swagger-ui/favicon-32x32.png": "image/png",
                "/static/swagger-init.js": "javascript",
            },
        ),
        (
            "/redoc",
            {
                "/static/vendor/redoc/redoc.standalone.js": "javascript",
                "/static/redoc-init.js": "javascript",
            },
        ),
    ],
)
def test_docs_pages_load_only_local_assets(
    client: TestClient, page: str, assets: dict[str, str]
) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "http://" not in html and "https://" not in html  # no CDN, no other host
    assert "<script>" not in html  # no inline script: a 'self'-only CSP must not block it
    refs = set(_REFS.findall(html))
    assert refs == set(assets)
    for ref, kind in assets.items():
        a = client.get(ref)
        assert a.status_code == 200, ref
        assert kind in a.headers["content-type"], (ref, a.headers["content-type"])
        assert len(a.content) > 100
    # the page's spec answers too
    spec_url = re.search(r'data-openapi-url="([^"]+)"', html)
    assert spec_url is not None
    assert client.get(spec_url.group(1)).json()["info"]["title"] == "keepline"


def test_start_page_leads_to_the_docs(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert 'href="/docs"' in r.text and 'href="/redoc"' in r.text
    assert "接口文档" in r.text and "API documentation" in r.text
    assert "https://" not in r.text and "http://" not in r.text
    assert client.get("/static/index.css").status_code == 200


def test_vendored_assets_carry_their_licences() -> None:
    vendor = Path(__file__).resolve().parents[2] / "src/keepline/apikit/static/vendor"
    assert "Apache License" in (vendor / "swagger-ui/LICENSE").read_text()
    assert "MIT" in (vendor / "redoc/LICENSE").read_text()
    assert (vendor / "VERSIONS").read_text().split() == [
        "swagger-ui-dist",
        "5.36.0",
        "redoc",
        "2.5.4",
    ]
