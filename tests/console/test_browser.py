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
from sqlalchemy import String, func, select

from keepline import clock, db
from keepline.accounts import service as accounts
from keepline.api import create_app
from keepline.containment.models import Case
from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from keepline.screening import planning, rounds, samples
from keepline.screening.schemas import RoundIn
from tests.conftest import shared_data
from tests.console.pages import held_on
from tests.screening.test_real_files import _stepone_expected, independent_wells
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


HEALTH_PAGES = (
    "/console/clearance",
    "/console/cases",
    "/console/badges",
    "/console/workers/import",
    "/console/screening/plan",
    "/console/screening/results",
)


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
        # The health staff's pages and forms: 403 for the other roles, as in the API.
        for path in HEALTH_PAGES:
            response = page.goto(path)
            assert response.status == (200 if health else 403), (role, path)
        page.goto("/console/zones")
        assert (page.locator("#change-state form").count() == 1) is health, role
        # The government's pages: never an enterprise's account.
        assert page.goto("/console/gov").status == 403, role
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
    # At 360 px Today's and the roster's wide tables scroll inside their own region, which
    # the keyboard reaches; the page itself is no wider than the screen.
    officer.set_viewport_size({"width": 360, "height": 740})
    for path in ("/console/today", "/console/workers"):
        officer.goto(path)
        width = officer.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
        assert officer.locator("div.scroll[role=region][tabindex='0'] > table").count() >= 1
        _axe(officer)
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
        ["N100", "甲", "asm-day-1"],
        ["N101", "乙", "no-such-team"],
        ["N102", "丙", "asm-day-2"],
        ["bad no!", "丁", "asm-day-1"],
    ]
    page.get_by_label(re.compile("花名册文件")).set_input_files(
        str(_xlsx(rows, tmp_path / "roster.xlsx"))
    )
    page.get_by_role("button", name="检查文件").click()
    problems = page.locator("#problems tbody tr")
    problems.first.wait_for()
    named = [problems.nth(i).locator("td").all_inner_texts() for i in range(problems.count())]
    # Exactly the two bad rows, each with its field (named in the page's language) and
    # value (row 1 is the header).
    assert [n[:2] for n in named] == [["3", "班组"], ["5", "工号"]], named
    assert "'no-such-team'" in named[0][2] and "'bad no!'" in named[1][2], named
    page.screenshot(path=str(SHOTS / "import-rejected-zh.png"), full_page=True)
    _axe(page)
    assert count() == before
    page.context.close()


# Every visible text node of the page (options of a closed list too), but those marked as
# shown as entered (``translate="no"``) or declared in another language (``lang``).
VISIBLE_TEXTS = """() => {
  const out = [];
  const own = document.documentElement.lang;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const text = walk.currentNode.textContent.trim();
    const e = walk.currentNode.parentElement;
    if (!text || !e || e.closest('script, style, [translate="no"]')) continue;
    const declared = e.closest('[lang]');
    if (declared && declared !== document.documentElement && declared.lang !== own) continue;
    if (e.tagName !== 'OPTION' && !e.checkVisibility({visibilityProperty: true})) continue;
    out.push(text);
  }
  return out;
}"""
NAME_COLUMNS = {"id", "name", "name_zh", "employee_no", "email", "unit", "collection_point"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
NEUTRAL = {"PCR", "Cq", "RDML", "CSV", "Excel", "QR", "Dorfman"}  # written alike in both


def _entered(url: str) -> list[str]:
    """Every name and id as entered (workers, zones, materials, tubes, users, …): shown
    as they are in both languages, so taken out of each text before it is compared."""
    out: set[str] = set()
    with db.session_scope(url) as s:
        for table in db.Base.metadata.sorted_tables:
            cols = [
                c
                for c in table.columns
                if isinstance(c.type, String) and (c.name in NAME_COLUMNS or c.name.endswith("_id"))
            ]
            if cols and table.name != "audit_log":
                for row in s.execute(select(*cols).distinct()):
                    out |= {v for v in row if isinstance(v, str) and v.strip()}
    return _entered_sorted(out)


def _untranslated(zh: list[str], en: list[str]) -> list[str]:
    """What did not change language between the two lists of a page's texts."""
    out = []
    same = sorted(set(zh) & set(en))
    if same:
        out.append(f"the same in both languages: {same[:8]}")
    left_zh = [t for t in en if CJK.search(t)]
    if left_zh:
        out.append(f"Chinese left in English: {left_zh[:8]}")
    left_en = [t for t in zh if any(w not in NEUTRAL for w in LATIN_WORD.findall(t))]
    if left_en:
        out.append(f"English left in Chinese: {left_en[:8]}")
    return out


def _entered_sorted(values: set[str] | list[str]) -> list[str]:
    return sorted(set(values), key=len, reverse=True)


def _own_words(texts: list[str], entered: list[str]) -> list[str]:
    """The texts with names and ids as entered, numbers and punctuation taken out; those
    with nothing left are dropped."""
    out = []
    for t in texts:
        for v in entered:
            if v in t:
                t = re.sub(rf"(?<![A-Za-z0-9]){re.escape(v)}(?![A-Za-z0-9])", " ", t)
        t = " ".join(
            w for w in re.split(r"[\s\d.,:;()·/%°+\-–—×#：，。、（）；！？「」《》'\"|?!]+", t) if w
        )
        if t and t not in NEUTRAL:
            out.append(t)
    return out


def _switch_and_compare(page: Any, url: str) -> None:
    """Switch the page from Chinese to English with the header's button and back: every
    visible text of one language must change. A text that reads the same in both, a
    Chinese character left in English or an English word left in Chinese fails (names
    and ids as entered aside)."""
    entered = _entered(url)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    zh = _own_words(page.evaluate(VISIBLE_TEXTS), entered)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    en = _own_words(page.evaluate(VISIBLE_TEXTS), entered)
    assert any(CJK.search(t) for t in zh) and len(en) >= 10, page.url
    problems = _untranslated(zh, en)
    assert not problems, f"{page.url}: " + "; ".join(problems)
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_switching_language_changes_every_visible_string(
    browser: Any, served: dict[str, Any]
) -> None:
    page = _page(browser, served)
    _sign_in(page, "viewer")
    _switch_and_compare(page, served["url"])
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "today-en.png"), full_page=True)
    _axe(page)
    page.goto("/console/workers")
    assert page.get_by_role("columnheader", name="Employee number").count() == 1
    page.context.close()


def test_the_language_check_catches_what_stays_the_same() -> None:
    """The check fails on an English word left in Chinese, a Chinese one left in
    English and a text the same in both; names and ids as entered pass (a check that
    cannot fail proves nothing)."""
    entered = _entered_sorted(["XZ0001", "assembly", "张三"])
    zh = _own_words(["今天", "病例 3 · XZ0001", "assembly", "张三", "pcr", "类型：single"], entered)
    en = _own_words(["Today", "Case 3 · XZ0001", "assembly", "张三", "pcr", "头"], entered)
    assert zh == ["今天", "病例", "pcr", "类型 single"] and en == ["Today", "Case", "pcr", "头"]
    assert _untranslated(zh, en) == [
        "the same in both languages: ['pcr']",
        "Chinese left in English: ['头']",
        "English left in Chinese: ['pcr', '类型 single']",
    ]
    assert _untranslated(["今天", "病例"], ["Today", "Case"]) == []


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


# The lab's kit for the StepOne file (tests/screening/test_real_files.py): RNase P at
# Ct ≤ 28.9 in at least 2 of 3 replicate wells. The plan form does not offer a kit, so
# the round is planned with it through the screening service, as the lab's set-up.
STEPONE_KIT = {
    "kit": "rnasep-triplicate",
    "targets": ["RNase P"],
    "internal_control": None,
    "positive_max_ct": 28.9,
    "replicates": "2-of-3",
}


def test_a_positive_rdml_result_becomes_a_case_whose_team_is_quarantined(
    browser: Any, served: dict[str, Any], tmp_path: Path
) -> None:
    """The health officer uploads a real StepOne RDML file (unmodified, with the plate
    map naming the round's tubes); which of 'pop1' and 'pop2' is positive is worked out
    here from the file read independently (the kit's cut-off, Ct 28.9, sits inside
    pop1's spread). The individual positive opens a case;
    the officer opens it from the round, quarantines the contacts found by team with a
    reason, restricts the zone, and Today shows the case, its contacts in quarantine and
    the zone. In Chinese, axe-checked; each page the scenario adds switches language."""
    rdml = shared_data("rdml") / "stepone_std.rdml"
    scope = EnterpriseScope(A, "lab")
    with db.session_scope(served["url"]) as s:
        day = clock.today()
        body = RoundIn(day=day, zones=["assembly"], pool_size=1, assay=STEPONE_KIT)
        rid = planning.plan_round(s, scope, body).round.id
        tubes = sorted(t.id for t in rounds.sample_results(s, scope, rid))
        members = {t: [m.employee_no for m in samples.members_of(s, scope, t)] for t in tubes}
    # Which of the two is positive, worked out from the file read with ElementTree and
    # the kit applied by hand (tests/screening/test_real_files.py), not by keepline.
    verdicts = _stepone_expected(independent_wells(rdml), tubes[:2])
    (tube,) = [t for t, (v, _) in verdicts.items() if v == "positive"]
    (positive,) = members[tube]
    plate = tmp_path / "plate.csv"
    plate.write_text(f"sample_name,sample_id\npop1_RNase P,{tubes[0]}\npop2_RNase P,{tubes[1]}\n")

    page = _page(browser, served)
    _sign_in(page, "health_officer")
    page.goto(f"/console/screening/rounds/{rid}")
    page.get_by_role("link", name="上传结果").click()
    page.get_by_label(re.compile("^结果文件")).set_input_files(str(rdml))
    page.get_by_label(re.compile("^板位图")).set_input_files(str(plate))
    page.get_by_role("button", name="导入结果").click()
    assert page.locator("#positives").inner_text() == "1"
    assert page.locator("#new-cases").inner_text() == "1"
    _axe(page)
    page.screenshot(path=str(SHOTS / "rdml-imported-zh.png"), full_page=True)

    # The round shows the positive tube, its worker and the case it opened.
    page.goto(f"/console/screening/rounds/{rid}")
    row = page.locator(f"#positive-{tube}")
    assert positive in row.inner_text() and "单采" in row.inner_text()
    _switch_and_compare(page, served["url"])
    row.get_by_role("link", name=re.compile(r"^病例 \d+$")).click()
    page.wait_for_url(re.compile(r"/console/cases/\d+$"))
    cid = int(page.url.rsplit("/", 1)[1])
    with db.session_scope(served["url"]) as s:
        case = s.get(Case, cid)
        assert case is not None and (case.employee_no, case.sample_id) == (positive, tube)
        me = s.get(Worker, (A, positive))
        assert me is not None
        team = set(
            s.scalars(
                select(Worker.employee_no).where(
                    Worker.enterprise_id == A,
                    Worker.team_id == me.team_id,
                    Worker.employee_no != positive,
                )
            )
        )
    busy = held_on(served["url"], A, day)
    # The contacts found: the team at least, each named on the page.
    contacts = page.locator("#contacts tbody tr")
    assert contacts.count() >= len(team) > 0
    by_team = page.get_by_label(re.compile(rf"^\s*同班组 \({len(team)}\)$"))
    assert by_team.count() == 1
    _axe(page)
    by_team.check()
    page.get_by_label("理由", exact=True).fill("与确诊病例同班组")
    page.get_by_role("button", name="隔离观察", exact=True).click()
    page.wait_for_url(re.compile(rf"/console/cases/{cid}\?quarantined="))
    expected = len(team - busy)
    assert page.locator("#quarantined").inner_text() == f"已隔离观察 {expected} 名接触者。"
    page.screenshot(path=str(SHOTS / "case-quarantined-zh.png"), full_page=True)
    _switch_and_compare(page, served["url"])

    # The zone restricted, with a reason, from the case's page.
    page.get_by_role("link", name="更改病例所在区域的状态").click()
    page.wait_for_url(re.compile(r"/console/zones\?zone="))
    assert page.get_by_label("区域", exact=True).input_value() == "assembly"
    page.get_by_label("新状态").select_option("restricted")
    page.locator("#zone-reason").fill("班组出现确诊病例")
    page.get_by_role("button", name="更改状态").click()
    page.wait_for_url(re.compile(r"/console/zones\?changed="))
    assert "管控" in page.locator("#zone-assembly").inner_text()
    _axe(page)
    _switch_and_compare(page, served["url"])

    # Today: the open case with its contacts in quarantine, the zone, who may not work.
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="今日").click()
    case_row = page.locator(f"#case-{cid}")
    assert case_row.locator("td").nth(1).inner_text() == positive
    assert case_row.locator("td").last.inner_text() == str(expected)
    assert "管控" in page.locator("#zones").inner_text()
    unfit = int(page.locator(".tile", has_text="今日不可上岗").locator("a").inner_text())
    assert unfit >= expected + 1  # the case isolated, its team quarantined
    page.screenshot(path=str(SHOTS / "today-case-zh.png"), full_page=True)
    _axe(page)
    _switch_and_compare(page, served["url"])
    # The other pages the scenario passes through.
    for path in ("/console/cases", "/console/screening/results"):
        page.goto(path)
        _axe(page)
        _switch_and_compare(page, served["url"])
    page.context.close()
