"""The console in a real browser: Playwright driving Debian's Chromium against the app
served by uvicorn on a free port, on a temp SQLite database (once: not again on
PostgreSQL, the pages are the same). Each page visited is checked with axe-core (the
vendored copy) for serious or critical violations; screenshots go to out/screenshots/."""

from __future__ import annotations

import contextlib
import io
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import openpyxl
import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import func, select

from keepline import db
from keepline.accounts import service as accounts
from keepline.api import create_app
from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from keepline.screening import rounds
from tests.worlds import PASSWORD, A, build_world

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
T = TypeVar("T")
AXE = "/static/console/vendor/axe-core/axe.min.js"
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[str], T]
) -> Iterator[tuple[str, str, T]]:
    """A temp ``KEEPLINE_HOME`` whose SQLite database ``build(url)`` fills, served by
    uvicorn in a thread on a free port: (base URL, database URL, what ``build`` gave)."""
    home = tmp_path_factory.mktemp(name)
    mp = pytest.MonkeyPatch()
    mp.setenv("KEEPLINE_HOME", str(home))
    mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    url = f"sqlite:///{home / 'keepline.db'}"
    db.reset_engines()
    built = build(url)
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
        yield f"http://127.0.0.1:{port}", url, built
    finally:
        server.should_exit = True
        thread.join(10)
        db.reset_engines()
        mp.undo()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The two-tenant world on SQLite, served by uvicorn in a thread."""
    with serving(tmp_path_factory, "home", build_world) as (base, url, _):
        yield {"base": base, "url": url}


@pytest.fixture(scope="module")
def browser(served: dict[str, Any]) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


def _page(browser: Any, served: dict[str, Any], lang: str = "zh-CN", **kw: Any) -> Any:
    context = browser.new_context(base_url=served["base"], locale=lang, **kw)
    context.set_default_timeout(30_000)  # the machine running the suite may be busy
    return context.new_page()


def _sign_in(page: Any, role: str, enterprise: str = "a") -> None:
    page.goto("/console/login")
    page.get_by_label(re.compile("电子邮箱|E-mail")).fill(f"{role}@{enterprise}.example")
    page.get_by_label(re.compile("密码|Password")).fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/today"))


def _axe(page: Any) -> None:
    """No serious or critical accessibility violation on the page (axe-core)."""
    page.add_script_tag(url=AXE)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}:\n" + "\n".join(bad)


def test_each_role_sees_only_what_it_may(browser: Any, served: dict[str, Any]) -> None:
    for role in ("admin", "health_officer", "planner", "storekeeper", "viewer"):
        page = _page(browser, served)
        _sign_in(page, role)
        health = role in ("admin", "health_officer")
        nav = page.get_by_role("navigation", name="主菜单")
        assert (nav.get_by_role("link", name="未解除限制").count() == 1) is health, role
        assert (page.locator("#cases").count() == 1) is health, role
        if role == "health_officer":
            page.screenshot(path=str(SHOTS / "today-zh.png"), full_page=True)
            _axe(page)
        page.goto("/console/workers")
        assert (page.get_by_role("columnheader", name="身份证号").count() == 1) is health, role
        if role in ("health_officer", "viewer"):
            _axe(page)
            page.goto("/console/cases" if health else "/console/zones")
            _axe(page)
        response = page.goto("/console/clearance")
        assert response.status == (200 if health else 403), role
        page.context.close()


def test_a_worker_declares_a_fever_on_a_phone(browser: Any, served: dict[str, Any]) -> None:
    officer = _page(browser, served)
    _sign_in(officer, "health_officer")
    officer.goto("/console/badges")
    officer.locator("#issue button").click()  # the sheet is a read; links issued by POST
    officer.wait_for_url("**/console/badges?page=1")
    _axe(officer)
    first = officer.locator(".badge").first
    link = first.get_by_role("link").get_attribute("href")
    no = first.locator("p strong").evaluate("e => e.nextSibling.nextSibling.textContent").split()[0]
    phone = _page(
        browser,
        served,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        java_script_enabled=False,
    )
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "每日健康申报"
    # Nothing wider than the screen: the form fits 360 px.
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width
    phone.get_by_label("体温（°C）").fill("38.5")
    phone.get_by_label("咳嗽").check()
    phone.screenshot(path=str(SHOTS / "declare-phone-zh.png"), full_page=True)
    phone.get_by_role("button", name="提交申报").click()
    assert "在卫生专员解除限制之前" in phone.locator("#needs-clearance").inner_text()
    phone.screenshot(path=str(SHOTS / "declared-phone-zh.png"), full_page=True)
    phone.context.close()
    officer.goto("/console/clearance")
    row = officer.locator(f"#row-{no}")
    assert "发热" in row.inner_text() and "症状" in row.inner_text()
    officer.screenshot(path=str(SHOTS / "clearance-zh.png"), full_page=True)
    _axe(officer)
    # Cleared in place with htmx.
    row.get_by_label(f"解除 {no} 限制的原因").fill("normal temperature at the clinic")
    row.get_by_role("button", name="解除").click()
    officer.locator(f"#row-{no}", has_text="已解除限制").wait_for()
    officer.context.close()


def _xlsx(rows: list[list[object]], path: Path) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def test_a_roster_with_two_bad_rows_is_rejected(
    browser: Any, served: dict[str, Any], tmp_path: Path
) -> None:
    def count() -> int:
        with db.session_scope(served["url"]) as s:
            return int(
                s.scalar(select(func.count()).select_from(Worker).where(Worker.enterprise_id == A))
                or 0
            )

    before = count()
    page = _page(browser, served)
    _sign_in(page, "admin")
    page.goto("/console/workers/import")
    _axe(page)
    rows = [
        ["工号", "姓名", "班组"],
        ["N100", "甲", "assembly-a"],
        ["N101", "乙", "no-such-team"],
        ["N102", "丙", "assembly-a"],
        ["bad no!", "丁", "assembly-a"],
    ]
    page.get_by_label(re.compile("花名册文件")).set_input_files(
        str(_xlsx(rows, tmp_path / "roster.xlsx"))
    )
    page.get_by_role("button", name="检查文件").click()
    problems = page.locator("#problems tbody tr")
    problems.first.wait_for()
    named = [problems.nth(i).locator("td").first.inner_text() for i in range(problems.count())]
    assert "3" in named and "5" in named
    page.screenshot(path=str(SHOTS / "import-rejected-zh.png"), full_page=True)
    _axe(page)
    assert count() == before
    page.context.close()


def test_switching_language_changes_every_visible_string(
    browser: Any, served: dict[str, Any]
) -> None:
    page = _page(browser, served)
    _sign_in(page, "viewer")
    chrome = "header, h1, h2, th, label, button, .tile, p"
    zh = page.locator(chrome).all_inner_texts()
    assert any(CJK.search(t) for t in zh)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    en = page.locator(chrome).all_inner_texts()
    # Names are shown as entered (the plant's are ASCII ids here); every other string is
    # English now.
    # (but the button back to Chinese, which names its language in that language).
    en = [t.replace("中文", "") for t in en]
    assert not [t for t in en if CJK.search(t)], [t for t in en if CJK.search(t)][:5]
    page.screenshot(path=str(SHOTS / "today-en.png"), full_page=True)
    _axe(page)
    page.goto("/console/workers")
    assert page.get_by_role("columnheader", name="Employee number").count() == 1
    page.context.close()


def test_the_officer_plans_a_round_and_uploads_a_positive_pool(
    browser: Any,
    served: dict[str, Any],
    tmp_path: Path,
) -> None:
    """The screening pages: a round planned beside the recommended pool size (entered
    prevalence 5 %), then a result whose first pool is positive."""
    page = _page(browser, served)
    _sign_in(page, "health_officer")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="筛查").click()
    page.get_by_role("link", name="安排一轮筛查").click()
    page.get_by_label("assembly").check()
    page.get_by_label(re.compile("^阳性率")).fill("5")
    page.get_by_role("button", name="推荐混采人数").click()
    marked = page.locator("tr.recommended")
    assert marked.count() == 1 and marked.locator("td").first.inner_text() == "5"
    assert "推荐混采人数：5" in page.locator("#recommendation").inner_text()
    _axe(page)
    page.screenshot(path=str(SHOTS / "screening-plan-zh.png"), full_page=True)
    page.get_by_label(re.compile("^混采人数")).fill("5")
    page.get_by_role("button", name="安排本轮").click()
    page.wait_for_url(re.compile(r"/console/screening/rounds/\d+"))
    rid = int(re.search(r"/rounds/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    with db.session_scope(served["url"]) as s:
        tubes = [t.id for t in rounds.sample_results(s, EnterpriseScope(A, "test"), rid)]
    rows = [f"{tubes[0]},ORF1ab,29.5", f"{tubes[0]},N,30.25", f"{tubes[0]},IC,27"]
    for t in tubes[1:]:
        rows += [f"{t},ORF1ab,", f"{t},N,undetermined", f"{t},IC,26.5"]
    plate = tmp_path / "plate.csv"
    plate.write_text("sample_id,target,ct\n" + "\n".join(rows) + "\n")
    page.get_by_role("link", name="上传结果").click()
    page.get_by_label(re.compile("^结果文件")).set_input_files(str(plate))
    page.get_by_role("button", name="导入结果").click()
    assert page.locator("#positives").inner_text() == "1"
    _axe(page)
    page.screenshot(path=str(SHOTS / "screening-results-zh.png"), full_page=True)
    page.goto(f"/console/screening/rounds/{rid}")
    assert tubes[0] in page.locator("#round-positives").inner_text()
    _axe(page)
    page.context.close()
