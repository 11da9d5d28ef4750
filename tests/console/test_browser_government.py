"""The government's pages in a real browser (as tests/console/test_browser.py: Debian's
Chromium under Playwright, the app served by uvicorn on SQLite, axe-core on each page):
an officer signs in, lands on the government's home, opens the queue and accepts a
difficulty."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from keepline import db
from keepline.difficulties import service as difficulties
from keepline.difficulties.models import DifficultyCategory
from keepline.difficulties.schemas import DifficultyIn
from keepline.scope import EnterpriseScope
from tests.console.test_browser import CHROMIUM, SHOTS, _axe, _page, serving, sync_api
from tests.government.api_world import USERS, build
from tests.government.world import PASSWORD, XUZHOU

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]


def _cities_with_a_difficulty(url: str) -> int:
    build(url)
    with db.session_scope(url) as s:
        row = difficulties.submit(
            s,
            EnterpriseScope(XUZHOU, "test"),
            DifficultyIn(category=DifficultyCategory.logistics, text="trucks held at the toll"),
        )
        return row.id


@pytest.fixture(scope="module")
def gov_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Both cities on SQLite with a Xuzhou difficulty waiting, served by uvicorn."""
    with serving(tmp_path_factory, "govhome", _cities_with_a_difficulty) as (base, url, d_id):
        yield {"base": base, "url": url, "difficulty": d_id}


def test_an_officer_accepts_a_difficulty(gov_served: dict[str, Any]) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = _page(browser, gov_served)
        page.goto("/console/login")
        page.get_by_label(re.compile("电子邮箱|E-mail")).fill(USERS["XZ"])
        page.get_by_label(re.compile("密码|Password")).fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/console/gov$"))
        page.get_by_role("navigation", name="主菜单").get_by_role("link", name="诉求").click()
        page.wait_for_url(re.compile(r"/console/gov/difficulties"))
        _axe(page)
        d_id = gov_served["difficulty"]
        page.locator("#queue").get_by_role("link", name=str(d_id), exact=True).click()
        assert page.locator("#state").inner_text() == "已提交"
        page.get_by_label("备注").first.fill("受理 by the industry bureau")
        page.get_by_role("button", name="受理", exact=True).click()
        page.wait_for_url(re.compile(rf"/console/gov/difficulties/{d_id}$"))
        assert page.locator("#state").inner_text() == "已受理"
        assert "受理 by the industry bureau" in page.locator("#history").inner_text()
        page.screenshot(path=str(SHOTS / "gov-difficulty-zh.png"), full_page=True)
        _axe(page)
        browser.close()
