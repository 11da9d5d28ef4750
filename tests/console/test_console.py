"""The console's pages over the real app and database: sign-in, CSRF, roles and tenancy
(the API's 403/404 rules as pages), Today's numbers, the roster import's preview, the
personal declaration link and the health officer's clearance."""

from __future__ import annotations

import io
import re
import time
from html import unescape

import openpyxl

from tests.console.pages import Browser, signed_in
from tests.worlds import World

HEALTH_ROLES = ("admin", "health_officer")
OTHER_ROLES = ("planner", "storekeeper", "viewer")


def _b_worker(world: World) -> tuple[str, str]:
    w = world.get("/workers", who="B:admin", params={"limit": 1}).json()["items"][0]
    return w["employee_no"], w["name"]


def _a_workers(world: World) -> list[dict]:
    return world.get("/workers", params={"limit": 1000}).json()["items"]


def test_sign_in_csrf_roles_and_tenancy(console_world: World) -> None:
    world = console_world
    anon = Browser(world)
    r = anon.get("/console/today", follow_redirects=False)
    assert (
        r.status_code == 303 and r.headers["location"] == "/console/login?next=%2Fconsole%2Ftoday"
    )
    page = anon.get("/console/login")
    assert '<html lang="zh-CN">' in page.text and "登录" in page.text
    # No token, or another browser's token: refused, and no login happens.
    r = anon.client.post(
        "/console/login", data={"email": "admin@a.example", "password": "x"}, follow_redirects=False
    )
    assert r.status_code == 403 and "keepline_session" not in r.headers.get("set-cookie", "")
    other = Browser(world)
    other.get("/console/login")
    r = anon.client.post(
        "/console/login",
        data={"email": "admin@a.example", "password": "x", "csrf_token": other.token},
        follow_redirects=False,
    )
    assert r.status_code == 403
    # A wrong password: the form again, the e-mail kept, the error said.
    r = anon.post("/console/login", {"email": "admin@a.example", "password": "wrong password!"})
    assert r.status_code == 401
    assert 'value="admin@a.example"' in r.text and "邮箱或密码错误" in r.text

    b_no, b_name = _b_worker(world)
    for role in (*HEALTH_ROLES, *OTHER_ROLES):
        b = signed_in(world, f"A:{role}")
        cookie = b.client.cookies.jar
        session = next(c for c in cookie if c.name == "keepline_session")
        assert session.has_nonstandard_attr("HttpOnly") and not session.secure  # plain HTTP
        today = b.get("/console/today")
        assert today.status_code == 200, today.text[:300]
        health = role in HEALTH_ROLES
        assert ('id="cases"' in today.text) is health, role
        assert (b.get("/console/clearance").status_code == 200) is health, role
        assert (b.get("/console/cases").status_code == 200) is health, role
        roster = b.get("/console/workers")
        assert roster.status_code == 200
        assert ("身份证号" in roster.text) is health, role  # the ID number column
        # Another tenant's worker is not found, whatever the role.
        r = b.get(f"/console/workers/{b_no}")
        assert r.status_code == 404 and b_name not in r.text
    officer = signed_in(world, "A:health_officer")
    r = officer.post(f"/console/clearance/{b_no}", {"reason": "checked by the clinic"})
    assert r.status_code == 404
    assert signed_in(world, "A:viewer").get("/console/badges").status_code == 403
    assert signed_in(world, "G:government_officer").get("/console/today").status_code == 403

    # Over TLS the session cookie is Secure; sign-out ends the login.
    tls = Browser(world)
    tls.client.base_url = "https://testserver"  # type: ignore[assignment]
    tls.sign_in("A:viewer")
    assert next(c for c in tls.client.cookies.jar if c.name == "keepline_session").secure
    v = signed_in(world, "A:viewer")
    token = v.client.cookies.get("keepline_session")
    v.get("/console/today")
    assert v.post("/console/logout").status_code == 303
    assert v.get("/console/today", follow_redirects=False).status_code == 303
    r = world.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def _tile(html: str, href: str) -> int:
    found = re.search(rf'href="{re.escape(href)}">([\d,]+)</a>', html)
    assert found, href
    return int(found.group(1).replace(",", ""))


def test_today_counts_link_to_their_lists(console_world: World) -> None:
    world = console_world
    workers = _a_workers(world)
    declared = [w["employee_no"] for w in workers[10:13]]
    for no, temp in zip(declared, (36.5, 36.6, 38.2), strict=True):
        r = world.post(
            "/declarations",
            json={"employee_no": no, "day": str(world.today), "temperature_c": temp},
        )
        assert r.status_code == 200, r.text
    r = world.post("/zones/assembly/state", json={"state": "restricted", "reason": "a case nearby"})
    assert r.status_code == 200, r.text
    kit = {"kit": "cfx-fam-vic", "targets": ["FAM", "VIC"], "internal_control": "Cy5"}
    r = world.post(
        "/screening/rounds",
        who="A:health_officer",
        json={"day": str(world.today), "zones": ["assembly"], "pool_size": 5, "assay": kit},
    )
    assert r.status_code == 201, r.text
    round_page = f"/console/screening/rounds/{r.json()['id']}"
    # The API's own lists are the outside count (other tests share this world).
    missing_total = world.get("/declarations/missing").json()["total"]
    held_total = world.get("/workers", params={"cleared": "false"}).json()["total"]
    assert held_total >= 1
    b = signed_in(world, "A:health_officer")
    html = b.get("/console/today").text
    assert _tile(html, "/console/missing") == missing_total
    assert _tile(html, "/console/workers?cleared=false") == held_total
    assert _tile(html, "/console/zones") == 1
    zones = signed_in(world, "A:viewer").get("/console/zones").text
    assert "a case nearby" in zones and "管控" in zones
    # The list behind the number holds exactly that many.
    missing = b.get("/console/missing").text
    assert declared[0] not in missing and workers[13]["employee_no"] in missing
    held = b.get("/console/workers?cleared=false").text
    assert declared[2] in held and declared[0] not in held
    # "Declared" links to who has declared; a write shows on Today at once (no cache).
    assert _tile(html, "/console/declared") == len(workers) - missing_total
    listed = b.get("/console/declared").text
    assert all(no in listed for no in declared) and workers[13]["employee_no"] not in listed
    late = {
        "employee_no": workers[13]["employee_no"],
        "day": str(world.today),
        "temperature_c": 36.6,
    }
    assert world.post("/declarations", json=late).status_code == 200
    again = b.get("/console/today").text
    assert _tile(again, "/console/declared") == len(workers) - missing_total + 1
    assert _tile(again, "/console/missing") == missing_total - 1
    # Every number of the roster's and the rounds' tables is a link to its list.
    for section in ("h-roster", "h-rounds"):
        part = html.split(f'aria-labelledby="{section}"')[1].split("</section>")[0]
        assert re.findall(r'<td class="num[^"]*">(?!<a )', part) == [], section
    assert html.count(f'href="{round_page}#h-cov"') == 4  # expected, sampled, missed, %
    # By zone and shift: the rows add up to the roster.
    cells = re.findall(r'href="/console/workers\?zone=([^"]+)">([\d,]+)</a>', html)
    assert sum(int(n) for q, n in cells if "cleared" not in q) == len(workers)
    # The chart's data is there for ECharts, and the HTMX/ECharts files are served.
    assert 'data-chart="cover-chart"' in html and '"type": "bar"' in html
    assert b.get("/static/console/vendor/echarts/echarts.min.js").status_code == 200
    assert b.get("/static/console/vendor/htmx/htmx.min.js").status_code == 200


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _workers_audited(world: World) -> int:
    return world.get("/audit", params={"limit": 1, "table": "workers"}).json()["total"]


def _import_ended(b: Browser, page: str, timeout: float = 60) -> str:
    """The import job's fragment once the job has ended (the polling stops)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        frag = b.get(f"{page}/progress").text
        if "hx-trigger" not in frag:
            return frag
        time.sleep(0.1)
    raise AssertionError(f"{page} did not end")


def test_roster_import_previews_every_bad_row_before_writing(console_world: World) -> None:
    world = console_world
    before = len(_a_workers(world))
    team = _a_workers(world)[0]["team"]
    bad = _xlsx(
        [
            ["工号", "姓名", "班组"],
            ["N001", "张三", team],
            ["N002", "李四", "no-such-team"],
            ["N003", "王五", team],
            ["bad no!", "赵六", team],
        ]
    )
    b = signed_in(world, "A:admin")
    b.get("/console/workers/import")
    audited = _workers_audited(world)
    files = {"file": ("roster.xlsx", bad)}
    r = b.post("/console/workers/import", files=files)
    # The upload goes to a job's page; its fragment, once the job has ended, lists them.
    assert r.status_code == 303, r.text[:300]
    r = _import_ended(b, r.headers["location"])
    # Each bad row and field, in the page's language (the service's messages translated).
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td>([^<]+)</td>", r)
    assert [(n, f) for n, f, _ in rows] == [("3", "班组"), ("5", "工号")]
    assert rows[0][2].startswith("未知班组 &#39;no-such-team&#39; （可用：asm-day-1, ")
    assert unescape(rows[1][2]) == "'bad no!'：只能包含字母、数字、'.'、'_' 或 '-'，最多 32 个字符"
    assert len(_a_workers(world)) == before
    assert _workers_audited(world) == audited
    en = signed_in(world, "A:admin", lang="en")
    en.get("/console/workers/import")
    r = en.post("/console/workers/import", files=files)
    text = _import_ended(en, r.headers["location"])
    rows = re.findall(r"<tr><td>(\d+)</td><td>([\w ]+)</td><td>([^<]+)</td>", text)
    assert [(n, f) for n, f, _ in rows] == [("3", "Team"), ("5", "Employee number")]
    assert rows[0][2].startswith("unknown team &#39;no-such-team&#39; (known: ")
    # A good file: the check writes nothing, the confirm writes it.
    good = _xlsx([["工号", "姓名", "班组"], ["N001", "张三", team]])
    r = b.post("/console/workers/import", files={"file": ("roster.xlsx", good)})
    page = r.headers["location"]
    assert "检查通过" in _import_ended(b, page)
    assert len(_a_workers(world)) == before
    b.get(page)  # the page (a reload) shows the preview with its confirm button
    r = b.post(f"{page}/confirm")
    assert r.status_code == 303, r.text[:500]
    assert "已导入" in _import_ended(b, r.headers["location"])
    assert world.get("/workers/N001").json()["name"] == "张三"
    # A viewer may not import.
    assert signed_in(world, "A:viewer").get("/console/workers/import").status_code == 403
    # The export: the viewer's has no ID numbers, the admin's has them.
    viewer_csv = signed_in(world, "A:viewer").get("/console/workers.csv").text
    admin_csv = b.get("/console/workers.csv").text
    assert "身份证号" not in viewer_csv and "身份证号" in admin_csv
    assert viewer_csv.startswith("\ufeff工号,姓名")


def test_a_worker_declares_through_their_link_and_is_cleared(console_world: World) -> None:
    world = console_world
    officer = signed_in(world, "A:health_officer")
    # The sheet is a read: no link issued by looking at it; its button issues them (POST).
    entries = len(world.get("/audit", params={"table": "declaration_links"}).json()["items"])
    sheet = officer.get("/console/badges").text
    assert 'href="http' not in sheet and 'id="issue"' in sheet
    assert officer.get("/console/badges").status_code == 200
    after = world.get("/audit", params={"table": "declaration_links"}).json()["items"]
    assert len(after) == entries == 0
    r = officer.post("/console/badges", {"page": "1"})
    assert r.status_code == 303 and r.headers["location"] == "/console/badges?page=1"
    sheet = officer.get(r.headers["location"]).text
    links = re.findall(r'href="https?://[^/]+(/console/d/[^"]+)"', sheet)
    assert len(links) == len(_a_workers(world))  # one per worker (one page)
    assert 'id="issue"' not in sheet
    # Without the form's CSRF token, nothing is issued.
    bare = officer.client.post("/console/badges", data={"page": "1"}, follow_redirects=False)
    assert bare.status_code == 403
    no = re.search(r"<strong>[^<]+</strong><br>([^ ]+) ·", sheet).group(1)  # type: ignore[union-attr]
    phone = Browser(world)  # nobody signed in
    form = phone.get(links[0])
    assert form.status_code == 200 and "每日健康申报" in form.text and no in form.text
    # A wrong value: the form again, what was typed kept, the error beside the field.
    r = phone.post(
        links[0], {"temperature_c": "3x.5", "symptoms": ["cough"], "health_code": "green"}
    )
    assert r.status_code == 422
    assert 'value="3x.5"' in r.text and 'id="temperature_c-error"' in r.text
    assert 'value="cough" checked' in r.text
    r = phone.post(links[0], {"temperature_c": "38.2", "health_code": "green"})
    assert r.status_code == 200 and 'id="needs-clearance"' in r.text
    entries = world.get("/audit", params={"actor": f"worker:{no}"}).json()["items"]
    assert {e["table_name"] for e in entries} >= {"declarations", "clearances"}
    # The health officer's page lists them; a too-short reason is refused beside the field.
    page = officer.get("/console/clearance").text
    assert f'id="row-{no}"' in page
    r = officer.post(f"/console/clearance/{no}", {"reason": "ok"})
    assert r.status_code == 422 and f'id="reason-{no}-error"' in r.text and 'value="ok"' in r.text
    r = officer.post(f"/console/clearance/{no}", {"reason": "normal temperature at the clinic"})
    assert r.status_code == 303
    assert world.get(f"/workers/{no}").json()["cleared"] is True
    # An admin sees the page but may not clear (health officers only, as the API).
    admin = signed_in(world, "A:admin")
    admin.get("/console/clearance")
    assert (
        admin.post(f"/console/clearance/{no}", {"reason": "normal at the clinic"}).status_code
        == 403
    )
    # A new link ends the old one; a forged one is not found either.
    r = officer.post(f"/console/badges/{no}/revoke")
    assert r.status_code == 200
    new = re.search(r'href="https?://[^/]+(/console/d/[^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    assert phone.get(links[0]).status_code == 404
    assert phone.get(new).status_code == 200
    assert phone.get(links[0][:-3] + "abc").status_code == 404
    # Another enterprise's officer cannot issue links for this worker.
    assert signed_in(world, "B:admin").post(f"/console/badges/{no}/revoke").status_code == 404


def test_switching_language(console_world: World) -> None:
    world = console_world
    en = signed_in(world, "A:viewer", lang="en-US,en;q=0.9")
    assert "Sign out" in en.get("/console/today").text
    zh = signed_in(world, "A:viewer")
    page = zh.get("/console/workers").text
    assert "退出登录" in page and "Sign out" not in page
    r = zh.post("/console/language", {"lang": "en", "next": "/console/workers"})
    assert r.status_code == 303 and r.headers["location"] == "/console/workers"
    assert "Sign out" in zh.get("/console/workers").text
    r = zh.post("/console/language", {"lang": "en", "next": "https://evil.example/"})
    assert r.headers["location"] == "/console/"
