"""Pages that page a long list and keep their costly figures per version of the record
(``console.web.kept``): a case's contacts and a round's pools, paged, are exactly the
API's list in the API's order; a write shows on the page at once (the next request).
Pages of 7 rows here, so the 40-worker world spans several pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from keepline.console import cases, screening
from tests.console.pages import signed_in
from tests.worlds import World

ROW = re.compile(r'<tr id="contact-([^"]+)">')
TUBE = re.compile(r"<tr><td>([^<]+)</td><td>")
PER_PAGE = 7


def _pages(b, path: str, rows: re.Pattern[str], after: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """Every row of every page of ``path`` (after ``after`` in it), in page order."""
    out: list[str] = []
    page = 1
    while True:
        r = b.get(path, params={"page": str(page)})
        assert r.status_code == 200, r.text[-2000:]
        found = rows.findall(r.text.split(after)[1] if after else r.text)
        assert len(found) <= PER_PAGE
        out += found
        if 'rel="next"' not in r.text:
            return out
        page += 1


def test_a_case_s_contacts_paged_as_the_api_finds_them(
    console_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = console_world
    monkeypatch.setattr(cases, "PAGE", PER_PAGE)
    ho = "A:health_officer"
    nos = [x["employee_no"] for x in w.get("/workers", params={"limit": 100}).json()["items"]]
    me, other = nos[3], nos[9]
    day = w.today
    body = {"employee_no": me, "confirmed_on": str(day), "sample_day": str(day)}
    r = w.post("/cases", who=ho, json=body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    b = signed_in(w, ho, lang="en")

    api = [c["employee_no"] for c in w.get(f"/cases/{cid}/contacts", who=ho).json()]
    assert len(api) > 2 * PER_PAGE  # the 39 others of the case's team
    shown = _pages(b, f"/console/cases/{cid}", ROW)
    assert shown == api
    first = b.get(f"/console/cases/{cid}")
    pages = -(-len(api) // PER_PAGE)
    assert f"Page 1 of {pages}" in first.text and f"same team ({len(api)})" in first.text
    assert ROW.findall(first.text)[0] != other

    # A write: the case and another worker in the same zone for 4 hours, yesterday.
    # Contacts by access events come first: the next request shows it (nothing kept).
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(8))
    stay = {"zone": "assembly", "time_in": str(start), "time_out": str(start.replace(hour=12))}
    events = [{"employee_no": n, **stay} for n in (me, other)]
    r = w.post("/access-events", who=ho, json={"events": events})
    assert r.status_code == 200, r.text
    after = b.get(f"/console/cases/{cid}")
    assert ROW.findall(after.text)[0] == other
    assert "shared a zone (access events) (1)" in after.text
    api = [c["employee_no"] for c in w.get(f"/cases/{cid}/contacts", who=ho).json()]
    assert _pages(b, f"/console/cases/{cid}", ROW) == api


def test_a_round_s_pools_paged_and_its_coverage_at_once(
    console_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = console_world
    monkeypatch.setattr(screening, "PAGE", PER_PAGE)
    ho = "A:health_officer"
    body = {"day": str(w.today), "zones": ["assembly"], "pool_size": 1}
    r = w.post("/screening/rounds", who=ho, json=body)
    assert r.status_code == 201, r.text
    rid = r.json()["round"]["id"] if "round" in r.json() else r.json()["id"]
    api = w.get(f"/screening/rounds/{rid}/samples", who=ho, params={"limit": 1000, "sort": "id"})
    tubes = [s["id"] for s in api.json()["items"]]
    assert len(tubes) > 2 * PER_PAGE
    b = signed_in(w, ho, lang="en")
    path = f"/console/screening/rounds/{rid}"
    assert _pages(b, path, TUBE, after='id="h-pools"') == tubes

    def swabbed() -> str:
        page = b.get(path).text.split('id="h-cov"')[1]
        return re.findall(r'<td class="num">([^<]*)</td>', page)[1]

    cov = w.get(f"{path.removeprefix('/console')}/coverage", who=ho).json()
    assert swabbed() == str(sum(c["sampled"] for c in cov)) == "0"
    r = w.post(f"/screening/samples/{tubes[0]}/collection", who=ho, json={})
    assert r.status_code == 200, r.text
    assert swabbed() == "1"  # the write shows at once


def test_the_materials_page_shows_the_outlook_kept_for_today_and_a_movement_at_once(
    console_world: World,
) -> None:
    """The materials page reads Today's kept outlook (one copy, keyed on the record's
    version): its on-hand figures are the API's, and a receipt shows at once."""
    w = console_world
    b = signed_in(w, "A:viewer", lang="en")
    assert b.get("/console/today").status_code == 200  # the outlook kept by Today

    def on_hand() -> dict[str, str]:
        text = b.get("/console/materials").text
        rows = re.findall(r'data-material="([^"]+)".*?<td class="num">([^<]*)</td>', text, re.S)
        return {m: v.split()[0].replace(",", "") for m, v in rows}

    api = {r["material_id"]: r for r in w.get("/stock/outlook").json()["cover"]}
    shown = on_hand()
    assert set(shown) == set(api) and len(api) > 3
    assert all(float(shown[m]) == round(api[m]["on_hand"], 2) for m in api), (shown, api)
    before = float(shown["swab"])
    move = {"material_id": "swab", "kind": "receipt", "day": str(w.today), "qty": 7}
    r = w.post("/stock/movements", who="A:storekeeper", json=move | {"unit": "pcs"})
    assert r.status_code == 201, r.text
    assert float(on_hand()["swab"]) == before + 7
