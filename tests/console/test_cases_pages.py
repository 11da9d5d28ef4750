"""The cases and zones pages' actions: opening a case, a case's contacts and their
quarantine, and a zone's state — each through the containment service the API calls,
on the console's shared two-tenant world (tenant A: the 40 workers of team asm-day-1 in
assembly/day), on SQLite and PostgreSQL. Expected counts are worked out from the roster
table here, not from the service."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from keepline.audit.models import AuditEntry
from keepline.containment.models import Case, Restriction, ZoneStateChange
from keepline.db import session_scope
from keepline.people.models import Worker
from keepline.screening.models import Sample
from tests.console.pages import held_on, signed_in
from tests.screening_world import B_ONLY_ZONE, screening_b_ids
from tests.worlds import A, World

CASE = re.compile(r"/console/cases/(\d+)")


def _count(world: World, model: type, *where: object) -> int:
    with session_scope(world.url) as s:
        q = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(s.scalar(q) or 0)


def _workers(world: World) -> list[tuple[str, str, str, str]]:
    """Tenant A's roster: (employee number, team, zone, shift), by number."""
    with session_scope(world.url) as s:
        rows = s.execute(
            select(Worker.employee_no, Worker.team_id, Worker.zone_id, Worker.shift_id)
            .where(Worker.enterprise_id == A)
            .order_by(Worker.employee_no)
        ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error"[^>]*>([^<]+)</p>', html)
    assert found, html[-3000:]
    return found.group(1)


def test_a_pool_positive_waits_for_its_retest_and_the_retest_opens_the_case(
    console_world: World,
) -> None:
    """A pooled round: the positive pool's members are isolated and retested alone (no
    case yet, and the round says so); the positive retest opens the case, linked from
    the round's positives. (First in the module: the next test quarantines the team.)"""
    w = console_world
    ho = "A:health_officer"
    r = w.post(
        "/screening/rounds",
        who=ho,
        json={"day": str(w.today), "zones": ["assembly"], "pool_size": 5},
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    rows = w.get(f"/screening/rounds/{rid}/sampling-list", who=ho).json()
    tubes = list(dict.fromkeys(x["sample_id"] for x in rows))
    lines = [f"{tubes[0]},ORF1ab,29.5", f"{tubes[0]},N,30.25", f"{tubes[0]},IC,27"]
    lines += [f"{t},{g},{c}" for t in tubes[1:] for g, c in (("ORF1ab", ""), ("N", ""), ("IC", 26))]
    b = signed_in(w, ho, lang="en")
    b.get("/console/screening/results")
    data = ("sample_id,target,ct\n" + "\n".join(lines) + "\n").encode()
    up = b.post("/console/screening/results", files={"file": ("pools.csv", data)})
    assert up.status_code == 200 and '<dd id="new-cases">0</dd>' in up.text, up.text[-2000:]
    page = b.get(f"/console/screening/rounds/{rid}").text
    row = re.search(rf'<tr id="positive-{tubes[0]}">(.*?)</tr>', page, re.S)
    assert (
        row and "each is retested alone" in row.group(1) and "/console/cases/" not in row.group(1)
    )

    with session_scope(w.url) as s:
        retests = (
            s.execute(
                select(Sample.id)
                .where(Sample.round_id == rid, Sample.kind == "retest")
                .order_by(Sample.id)
            )
            .scalars()
            .all()
        )
    assert len(retests) == 5  # one per member of the positive pool
    first = w.get(f"/screening/samples/{retests[0]}", who=ho).json()["members"]
    lines = [f"{retests[0]},ORF1ab,31", f"{retests[0]},N,32", f"{retests[0]},IC,27"]
    lines += [
        f"{t},{g},{c}" for t in retests[1:] for g, c in (("ORF1ab", ""), ("N", ""), ("IC", 26))
    ]
    b.get("/console/screening/results")
    data = ("sample_id,target,ct\n" + "\n".join(lines) + "\n").encode()
    up = b.post("/console/screening/results", files={"file": ("retests.csv", data)})
    assert up.status_code == 200 and re.search(r'<dd id="new-cases"><a [^>]+>1</a>', up.text)
    with session_scope(w.url) as s:
        (case,) = s.scalars(select(Case).where(Case.sample_id == retests[0])).all()
    assert [case.employee_no] == first
    page = b.get(f"/console/screening/rounds/{rid}").text
    row = re.search(rf'<tr id="positive-{retests[0]}">(.*?)</tr>', page, re.S)
    assert row and f'href="/console/cases/{case.id}"' in row.group(1) and "retest" in row.group(1)


def test_a_case_is_opened_its_team_quarantined_and_today_shows_it(console_world: World) -> None:
    w = console_world
    b = signed_in(w, "A:health_officer", lang="en")
    roster = _workers(w)
    no, team = roster[5][0], roster[5][1]
    cases_before = _count(w, Case)
    page = b.get("/console/cases")
    assert page.status_code == 200 and 'name="employee_no"' in page.text

    # Refusals: next to their field, what was typed kept, nothing written.
    r = b.post("/console/cases", {"employee_no": "NOBODY-9", "confirmed_on": str(w.today)})
    assert r.status_code == 404
    assert _error(r.text, "employee_no") == "worker &#39;NOBODY-9&#39; not found"
    assert 'value="NOBODY-9"' in r.text and 'aria-describedby="employee_no-error"' in r.text
    day = w.today
    late_onset = {
        "employee_no": no,
        "confirmed_on": str(day),
        "onset_day": str(day + dt.timedelta(days=5)),
    }
    r = b.post("/console/cases", late_onset)
    assert r.status_code == 422
    assert _error(r.text, "confirmed_on") == "before the sample or symptom onset"
    assert f'value="{day + dt.timedelta(days=5)}"' in r.text
    r = b.post("/console/cases", {"employee_no": no, "confirmed_on": "7 Dec"})
    assert r.status_code == 422 and _error(r.text, "confirmed_on") == "not a date: &#39;7 Dec&#39;"
    assert _count(w, Case) == cases_before

    # Opened: the worker isolated from the day confirmed, audited.
    sample_day = day - dt.timedelta(days=1)
    r = b.post(
        "/console/cases",
        {"employee_no": no, "confirmed_on": str(day), "sample_day": str(sample_day)},
    )
    assert r.status_code == 303, r.text[-2000:]
    cid = int(CASE.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
    with session_scope(w.url) as s:
        case = s.get(Case, cid)
        assert case is not None and case.employee_no == no
        # two days before the sample: 9th edition's infectious window
        assert case.infectious_from == sample_day - dt.timedelta(days=2)
        (iso,) = s.scalars(select(Restriction).where(Restriction.case_id == cid)).all()
        assert (iso.employee_no, iso.kind, iso.start_day) == (no, "isolation", day)
        audited = s.execute(
            select(AuditEntry.table_name, AuditEntry.record_key, AuditEntry.actor).where(
                AuditEntry.table_name.in_(["cases", "restrictions"])
            )
        ).all()
    keys = {(t, k) for t, k, who in audited if "health_officer" in who}
    assert {("cases", str(cid)), ("restrictions", str(iso.id))} <= keys, audited[-3:]

    # The case page: contacts from the roster (same team) counted by hand.
    page = b.get(f"/console/cases/{cid}")
    assert page.status_code == 200
    teammates = [r[0] for r in roster if r[1] == team and r[0] != no]
    assert len(teammates) >= 2
    assert page.text.count('<tr id="contact-') == len(
        {r[0] for r in roster if r[0] != no and (r[1] == team or (r[2], r[3]) == roster[5][2:])}
    )
    assert f"same team ({len(teammates)})" in page.text

    # Quarantine refused without a reason or a way: both said, nothing written.
    quarantined = Restriction.kind == "quarantine"
    before = _count(w, Restriction, quarantined)
    r = b.post(f"/console/cases/{cid}/quarantine", {"days": "7", "reason": ""})
    assert r.status_code == 422
    assert _error(r.text, "how").startswith("choose at least one way")
    assert _error(r.text, "reason") == "say why the contacts are quarantined"
    r = b.post(
        f"/console/cases/{cid}/quarantine",
        {"how": "team", "days": "90", "reason": "team of a case"},
    )
    assert r.status_code == 422 and "60" in _error(r.text, "days")
    assert 'value="team of a case"' in r.text and 'value="team" checked' in r.text
    assert _count(w, Restriction, quarantined) == before

    # Already isolated or quarantined on the first day: skipped (worked out here).
    busy = held_on(w.url, A, day)
    expected = [t for t in teammates if t not in busy]
    r = b.post(
        f"/console/cases/{cid}/quarantine",
        {"how": "team", "days": "7", "start_day": str(day), "reason": "team of a case"},
    )
    assert r.status_code == 303, r.text[-2000:]
    assert r.headers["location"].endswith(f"?quarantined={len(expected)}#contacts")
    with session_scope(w.url) as s:
        got = s.scalars(select(Restriction).where(Restriction.case_id == cid, quarantined)).all()
        assert sorted(x.employee_no for x in got) == sorted(expected)
        assert {x.end_day for x in got} == {day + dt.timedelta(days=6)}
        assert all(
            x.note.startswith("contact by team") and x.note.endswith(": team of a case")
            for x in got
        )
    page = b.get(f"/console/cases/{cid}?quarantined={len(expected)}")
    assert f"{len(expected)} contacts quarantined." in page.text
    kept = '<span translate="no">team of a case</span>'  # the reason as typed
    notes = re.findall(r"<td>(contact: same team[^<]*)<span", page.text)
    assert len(notes) == len(expected) and all(f"{n}{kept}</td>" in page.text for n in notes)
    # On a Chinese page the note's words are ours, translated; the reason stays as typed.
    zh = signed_in(w, "A:health_officer").get(f"/console/cases/{cid}").text
    notes = re.findall(r"<td>(接触方式：同班组[^<]*)<span", zh)
    assert len(notes) == len(expected) and all(n.endswith("：") for n in notes)
    assert zh.count(f"{kept}</td>") == len(expected)

    # Today: the open case, linked, with its contacts in quarantine.
    today = b.get("/console/today")
    row = re.search(rf'<tr id="case-{cid}">(.*?)</tr>', today.text, re.S)
    assert row and f'href="/console/cases/{cid}"' in row.group(1)
    assert f'#restrictions">{len(expected)}</a>' in row.group(1)


def test_a_zone_state_changes_with_a_reason(console_world: World) -> None:
    w = console_world
    b = signed_in(w, "A:health_officer", lang="en")
    page = b.get("/console/zones?zone=assembly")
    assert page.status_code == 200 and '<option value="assembly" selected>' in page.text
    before = _count(w, ZoneStateChange)
    r = b.post("/console/zones/state", {"zone": "assembly", "state": "disinfecting", "reason": "x"})
    assert r.status_code == 422
    assert _error(r.text, "state").startswith("zone &#39;assembly&#39; is open; it can go to")
    r = b.post("/console/zones/state", {"zone": "assembly", "state": "restricted", "reason": ""})
    assert r.status_code == 422 and "reason-error" in r.text
    r = b.post("/console/zones/state", {"zone": B_ONLY_ZONE, "state": "restricted", "reason": "x"})
    assert r.status_code == 404  # another tenant's zone
    assert _count(w, ZoneStateChange) == before
    r = b.post(
        "/console/zones/state",
        {"zone": "assembly", "state": "restricted", "reason": "a case in the team"},
    )
    assert r.status_code == 303
    with session_scope(w.url) as s:
        (ch,) = s.scalars(select(ZoneStateChange).where(ZoneStateChange.enterprise_id == A)).all()
        assert (ch.zone_id, ch.previous, ch.state, ch.reason) == (
            "assembly",
            "open",
            "restricted",
            "a case in the team",
        )
        assert s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.table_name == "zone_states")
        )
    page = b.get(r.headers["location"])
    assert "a case in the team" in page.text and 'id="changed"' in page.text
    assert "restricted" in b.get("/console/today").text.split('id="zones"')[1]


def test_roles_that_may_not_are_refused_and_another_tenants_case_is_404(
    console_world: World,
) -> None:
    w = console_world
    b_ids = screening_b_ids(w.url)
    with session_scope(w.url) as s:
        own = s.scalar(select(Case.id).where(Case.enterprise_id == A).limit(1))
    if own is None:  # this test alone: open one
        b = signed_in(w, "A:admin", lang="en")
        r = b.post(
            "/console/cases", {"employee_no": _workers(w)[0][0], "confirmed_on": str(w.today)}
        )
        own = int(CASE.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
    written = (_count(w, Case), _count(w, Restriction), _count(w, ZoneStateChange))
    for role in ("planner", "storekeeper", "viewer"):
        b = signed_in(w, f"A:{role}", lang="en")
        assert b.get(f"/console/cases/{own}").status_code == 403, role
        zones = b.get("/console/zones")
        assert zones.status_code == 200 and 'action="/console/zones/state"' not in zones.text
        b.get("/console/zones")  # a page's CSRF token: the refusal is the role's
        posts = [
            ("/console/cases", {"employee_no": "X", "confirmed_on": str(w.today)}),
            (f"/console/cases/{own}/quarantine", {"how": "team", "reason": "r"}),
            ("/console/zones/state", {"zone": "assembly", "state": "locked", "reason": "r"}),
        ]
        for path, data in posts:
            assert b.post(path, data).status_code == 403, (role, path)
    admin = signed_in(w, "A:admin", lang="en")
    other = b_ids["case_id"]
    assert admin.get(f"/console/cases/{other}").status_code == 404
    r = admin.post(f"/console/cases/{other}/quarantine", {"how": "team", "reason": "r"})
    assert r.status_code == 404
    # A POST without the form's token is refused.
    r = admin.client.post(f"/console/cases/{own}/quarantine", data={"how": "team", "reason": "r"})
    assert r.status_code == 403
    assert (_count(w, Case), _count(w, Restriction), _count(w, ZoneStateChange)) == written
