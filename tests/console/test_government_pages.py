"""The government's console pages over the real app (SQLite and PostgreSQL): an officer
signs in to the government's home, works the difficulty queue (accept: the state moves,
the step is audited; a refused step is shown next to its form), another city's
difficulty is the 404 page, an enterprise's account is 403 on the officer's pages and
sees only its own difficulties; visits, findings and rectification answers; both
languages on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from keepline import db
from keepline.accounts import service as accounts
from keepline.audit.models import AuditEntry
from tests.conftest import BACKENDS, PG_URL, _reset_postgres
from tests.console.pages import Browser
from tests.government.api_world import USERS, GovWorld, build
from tests.government.world import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=BACKENDS)
def gov_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[GovWorld, str]]:
    """Both cities and plants, a Zhengzhou difficulty, visit and finding (built once)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('govpages') / 'keepline.db'}"
    else:
        assert PG_URL
        url = PG_URL
        _reset_postgres(url)
    db.reset_engines()
    hasher = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024)
    try:
        w = build(url)
        with w.client:
            yield w, url
    finally:
        accounts._hasher = hasher
        db.reset_engines()


def _as(world: GovWorld, who: str, lang: str = "zh-CN") -> Browser:
    b = Browser(world, lang)  # type: ignore[arg-type]  # it needs only .client
    b.get("/console/login")
    r = b.post("/console/login", {"email": USERS[who], "password": PASSWORD})
    assert r.status_code == 303, r.text[:300]
    b.get("/console/login")
    return b


def _submit(b: Browser, text: str) -> int:
    b.get("/console/difficulties")
    r = b.post("/console/difficulties", {"category": "finance", "text": text})
    assert r.status_code == 303, r.text[:500]
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_officer_accepts_and_a_refused_step_is_shown(
    gov_world: tuple[GovWorld, str],
) -> None:
    world, url = gov_world
    ent = _as(world, "A:admin")
    # A refused form keeps what was typed, the error next to the field.
    r = ent.post("/console/difficulties", {"category": "no-such", "text": "loan for resin"})
    assert r.status_code == 422 and 'id="submit-error"' in r.text
    assert ">loan for resin</textarea>" in r.text and "aria-describedby=submit-error" in r.text
    d_id = _submit(ent, "a bridging loan for resin")
    officer = _as(world, "XZ")
    # The officer lands on the government's home.
    r = officer.client.get("/console/", follow_redirects=True)
    assert r.url.path == "/console/gov" and "待办诉求" in r.text
    queue = officer.get("/console/gov/difficulties", params={"state": "submitted"})
    assert queue.status_code == 200 and f'/console/gov/difficulties/{d_id}"' in queue.text
    assert "已提交" in queue.text and "受理时限" in queue.text
    page = officer.get(f"/console/gov/difficulties/{d_id}")
    assert f'action="/console/gov/difficulties/{d_id}/accept"' in page.text
    assert f'action="/console/gov/difficulties/{d_id}/resolve"' not in page.text
    # Without the CSRF token: refused, nothing moves.
    r = officer.client.post(f"/console/gov/difficulties/{d_id}/accept", data={"note": "x"})
    assert r.status_code == 403
    r = officer.post(f"/console/gov/difficulties/{d_id}/accept", {"note": "ours"})
    assert r.status_code == 303, r.text[:500]
    page = officer.get(f"/console/gov/difficulties/{d_id}")
    assert '<dd id="state">已受理</dd>' in page.text and "ours" in page.text
    with db.session_scope(url) as s:
        rows = s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "difficulties", AuditEntry.record_key == str(d_id)
            )
        ).all()
        assert [(a.action, a.reason, a.actor) for a in rows if a.action == "update"] == [
            ("update", "accepted", f"user:{USERS['XZ']}")
        ]
    # Accepting again is not allowed: the page again, the error by the forms, 422.
    r = officer.post(f"/console/gov/difficulties/{d_id}/accept", {"note": "again"})
    assert r.status_code == 422
    assert 'id="step-error"' in r.text and "此步骤被拒绝" in r.text
    # The service's refusal in the page's language (the API's JSON keeps the English).
    assert f"state：不能对困难诉求 {d_id} 执行 accept：它当前为 accepted" in r.text
    assert '<dd id="state">已受理</dd>' in r.text
    # The enterprise sees the step in its history, in English too.
    en = _as(world, "A:admin", "en")
    mine = en.get(f"/console/difficulties/{d_id}")
    assert "accepted" in mine.text and "History" in mine.text and "ours" in mine.text


def test_tenancy_roles_and_both_languages(gov_world: tuple[GovWorld, str]) -> None:
    world, _ = gov_world
    zz_d, zz_visit = world.zz_difficulty, world.zz_visit
    officer = _as(world, "XZ")
    # Another city's difficulty, visit and finding: the 404 page, and no step on them.
    for path in (f"/console/gov/difficulties/{zz_d}", f"/console/gov/visits/{zz_visit}"):
        r = officer.get(path)
        assert r.status_code == 404, path
    r = officer.post(f"/console/gov/difficulties/{zz_d}/accept", {"note": "x"})
    assert r.status_code == 404
    assert officer.get("/console/gov/difficulties/99999999999").status_code == 422
    r = officer.post(f"/console/gov/findings/{world.zz_finding}/verify", {"note": "x"})
    assert r.status_code == 404
    # An enterprise's account may not open the officer's pages.
    b_admin = _as(world, "B:admin")
    for path in ("/console/gov", "/console/gov/difficulties", "/console/gov/visits"):
        assert b_admin.get(path).status_code == 403, path
    # ... and sees only its own difficulties; A's id is a 404 page for it.
    own = b_admin.get("/console/difficulties")
    assert f'/console/difficulties/{zz_d}"' in own.text
    a_id = _submit(_as(world, "A:admin"), "A's own")
    assert f'/console/difficulties/{a_id}"' not in b_admin.get("/console/difficulties").text
    assert b_admin.get(f"/console/difficulties/{a_id}").status_code == 404
    # An officer is 403 on the enterprise's pages.
    assert officer.get("/console/difficulties").status_code == 403
    # Every page in both languages (a Chinese string, an English one).
    zz = _as(world, "ZZ")
    pages = {
        zz: [
            ("/console/gov", "政府", "Government"),
            ("/console/gov/difficulties", "受理时限", "Accept by"),
            (f"/console/gov/difficulties/{zz_d}", "企业诉求", "What the enterprise asks"),
            ("/console/gov/difficulties/figures", "办结时长中位数", "Median hours to close"),
            ("/console/gov/visits", "走访人员", "Who visited"),
            (f"/console/gov/visits/{zz_visit}", "添加问题", "Add a finding"),
        ],
        b_admin: [
            ("/console/difficulties", "提交诉求", "Submit a difficulty"),
            (f"/console/difficulties/{zz_d}", "企业诉求", "History"),
            ("/console/rectifications", "整改任务", "Rectification tasks"),
        ],
    }
    for b, listed in pages.items():
        for path, zh, en in listed:
            r = b.get(path)
            assert r.status_code == 200 and zh in r.text, path
            b.client.headers["accept-language"] = "en"
            r = b.get(path)
            b.client.headers["accept-language"] = "zh-CN"
            assert r.status_code == 200 and en in r.text, path
            assert 'lang="en"' in r.text


def test_visit_findings_rectification_and_figures(gov_world: tuple[GovWorld, str]) -> None:
    world, _ = gov_world
    zz, b_admin = _as(world, "ZZ"), _as(world, "B:admin")
    v = world.zz_visit
    page = zz.get(f"/console/gov/visits/{v}")
    assert f'href="/gov/visits/{v}/briefing?format=html"' in page.text
    # Verifying a task not yet answered: refused next to it, nothing written.
    f_id = world.zz_finding
    r = zz.post(f"/console/gov/findings/{f_id}/verify", {"note": "ok"})
    assert r.status_code == 422 and 'role="alert"' in r.text
    # A finding added from the page reaches the enterprise's tasks; it answers; the
    # officer sends it back, then verifies the second answer.
    r = zz.post(
        f"/console/gov/visits/{v}/findings",
        {
            "text": "no spare masks",
            "category": "prevention",
            "severity": "high",
            "due_on": str(world.today),
        },
    )
    assert r.status_code == 303, r.text[:500]
    r = zz.post(
        f"/console/gov/visits/{v}/findings",
        {"text": "", "category": "prevention", "due_on": str(world.today)},
    )
    assert r.status_code == 422 and "text" in r.text
    tasks = b_admin.get("/console/rectifications")
    new_id = int(re.search(r'id="finding-(\d+)"><td>\d+</td><td>no spare masks', tasks.text)[1])
    assert (
        b_admin.post(f"/console/rectifications/{new_id}/answer", {"text": "bought 500"}).status_code
        == 303
    )
    r = zz.post(f"/console/gov/findings/{new_id}/send-back", {"note": "show the receipt"})
    assert r.status_code == 303
    tasks = b_admin.get("/console/rectifications")
    assert "show the receipt" in tasks.text and "已退回" in tasks.text
    b_admin.post(f"/console/rectifications/{new_id}/answer", {"text": "receipt attached"})
    assert zz.post(f"/console/gov/findings/{new_id}/verify", {"note": ""}).status_code == 303
    assert "已核实" in b_admin.get("/console/rectifications").text
    # The Zhengzhou difficulty through its life; the figures table counts it, closed.
    d = world.zz_difficulty
    for step, data in (("accept", {}), ("propose", {"note": "a second carrier"}), ("resolve", {})):
        r = zz.post(f"/console/gov/difficulties/{d}/{step}", {"note": "", **data})
        assert r.status_code == 303, (step, r.text[:500])
    r = b_admin.post(f"/console/difficulties/{d}/confirm", {"rating": "9"})
    assert r.status_code == 422 and "rating" in r.text
    r = b_admin.post(f"/console/difficulties/{d}/confirm", {"rating": "4", "note": "fast"})
    assert r.status_code == 303
    fig = zz.get("/console/gov/difficulties/figures").text
    row = re.search(r"<tr><th scope=\"row\">[^<]+</th>((?:<td>[^<]*</td>){3})", fig)
    assert row is not None
    # received 1, open 0, closed 1 (hand count: the only Zhengzhou difficulty).
    assert [c for c in re.findall(r"<td>([^<]*)</td>", row[1])] == ["1", "0", "1"]
