"""The government's pages in a real browser (as tests/console/test_browser.py: Debian's
Chromium under Playwright, the app served by uvicorn on SQLite, axe-core on each page):
an officer signs in, lands on the government's home, opens the queue and accepts a
difficulty."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher

from keepline import db
from keepline.accounts import service as accounts
from keepline.api import create_app
from keepline.difficulties import service as difficulties
from keepline.difficulties.models import DifficultyCategory
from keepline.difficulties.schemas import DifficultyIn
from keepline.scope import EnterpriseScope
from tests.console.test_browser import CHROMIUM, SHOTS, _axe, _free_port, _page, sync_api
from tests.government.api_world import USERS, build
from tests.government.world import PASSWORD, XUZHOU

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def gov_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Both cities on SQLite with a Xuzhou difficulty waiting, served by uvicorn."""
    home = tmp_path_factory.mktemp("govhome")
    mp = pytest.MonkeyPatch()
    mp.setenv("KEEPLINE_HOME", str(home))
    mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    url = f"sqlite:///{home / 'keepline.db'}"
    db.reset_engines()
    build(url)
    with db.session_scope(url) as s:
        row = difficulties.submit(
            s,
            EnterpriseScope(XUZHOU, "test"),
            DifficultyIn(category=DifficultyCategory.logistics, text="trucks held at the toll"),
        )
        d_id = row.id
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield {"base": f"http://127.0.0.1:{port}", "url": url, "difficulty": d_id}
    finally:
        server.should_exit = True
        thread.join(10)
        db.reset_engines()
        mp.undo()


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
