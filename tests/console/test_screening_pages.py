"""The screening pages: planning a round beside the pool size the record recommends,
the rounds and one round, and uploading a lab's results — all through the screening
services the API calls, on the console's shared two-tenant world (tenant A: the 40
workers of team asm-day-1 in assembly/day)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from keepline.db import session_scope
from keepline.screening.models import Round, Sample
from tests.console.pages import signed_in
from tests.screening_world import screening_b_ids
from tests.worlds import World

PLAN = "/console/screening/plan"
RESULTS = "/console/screening/results"
ROUND = re.compile(r"/console/screening/rounds/(\d+)")


def _count(world: World, model: type) -> int:
    with session_scope(world.url) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _csv(rows: list[str]) -> bytes:
    return ("sample_id,target,ct\n" + "\n".join(rows) + "\n").encode()


def _cfx_csv(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    """A Bio-Rad CFX 'Quantification Cq Results' CSV, as tests/screening/test_api.py:
    (well, fluor, content, sample, cq)."""
    head = ",Well,Fluor,Target,Content,Sample,Cq,Starting Quantity (SQ)\n"
    return (head + "".join(f",{w},{f},,{c},{s},{q},NaN\n" for w, f, c, s, q in rows)).encode()


def _tubes(world: World, rid: int) -> list[str]:
    rows = world.get(f"/screening/rounds/{rid}/sampling-list", who="A:health_officer").json()
    return list(dict.fromkeys(x["sample_id"] for x in rows))


def test_plan_refusal_recommendation_and_positive_upload(console_world: World) -> None:
    w = console_world
    b = signed_in(w, "A:health_officer", lang="en")
    # A pool of 7 is refused next to its field; nothing is written.
    before = _count(w, Round)
    page = b.get(PLAN)
    assert page.status_code == 200 and 'name="pool_size"' in page.text
    day = str(w.today)
    r = b.post(PLAN, {"day": day, "zones": "assembly", "pool_size": "7", "action": "plan"})
    assert r.status_code == 422
    err = re.search(r'<p class="error" id="pool_size-error"[^>]*>([^<]+)</p>', r.text)
    assert err and err.group(1) == "pool size 7 not allowed: choose 1, 5, 10 or 20", r.text[-3000:]
    assert 'aria-describedby="pool_size-error"' in r.text
    r = b.post(PLAN, {"day": day, "zones": "nowhere", "pool_size": "5", "action": "plan"})
    assert r.status_code == 422 and r.text.count("unknown zone &#39;nowhere&#39;") == 1
    assert 'id="zones-error"' in r.text
    # On a Chinese page the service's refusal reads in Chinese (the API keeps English).
    zh = signed_in(w, "A:health_officer")
    zh.get(PLAN)
    r = zh.post(PLAN, {"day": day, "zones": "nowhere", "pool_size": "5", "action": "plan"})
    assert r.status_code == 422
    err = re.search(r'<p class="error" id="zones-error"[^>]*>([^<]+)</p>', r.text)
    assert err and err.group(1).startswith("未知区域 &#39;nowhere&#39;（可用："), r.text[-3000:]
    body = {"day": day, "zones": ["nowhere"], "pool_size": 5}
    api = w.post("/screening/rounds", who="A:health_officer", json=body)
    assert api.status_code == 422 and "unknown zone 'nowhere'" in api.text, api.text
    assert _count(w, Round) == before

    # At an entered prevalence of 5 %, the record's rule recommends 5 (as the API test).
    rec = b.get(PLAN, params={"zone": "assembly", "prevalence": "5"})
    marked = re.findall(r'data-recommended="(\d+)"', rec.text)
    assert marked == ["5"], rec.text[-3000:]
    assert rec.text.count('class="recommended"') == 1
    # Dorfman at p = 0.05, k = 5: 1/5 + 1 − 0.95^5 = 0.4262 tests per person.
    assert f"{1 / 5 + 1 - 0.95**5:.3f}" in rec.text

    r = b.post(PLAN, {"day": day, "zones": "assembly", "pool_size": "5", "action": "plan"})
    assert r.status_code == 303, r.text[-2000:]
    rid = int(ROUND.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
    assert _count(w, Round) == before + 1
    page = b.get(f"/console/screening/rounds/{rid}")
    assert page.status_code == 200 and "sampling-list.csv" in page.text
    # planned before any result: no size recommended from the record, and it says so
    assert "data-recommended" not in page.text and "no screening result in assembly" in page.text
    tubes = _tubes(w, rid)
    assert len(tubes) == 8
    csv_ = b.get(f"/console/screening/rounds/{rid}/sampling-list.csv")
    assert csv_.text.count("\n") == 41  # header + 40 people, as the API's CSV
    assert "<html" in b.get(f"/console/screening/rounds/{rid}/sampling-list").text.lower()
    assert f'href="/console/screening/rounds/{rid}"' in b.get("/console/screening").text

    # The first pool positive: the page reports it; its 5 members may not work today.
    rows = [f"{tubes[0]},ORF1ab,29.5", f"{tubes[0]},N,30.25", f"{tubes[0]},IC,27"]
    for t in tubes[1:]:
        rows += [f"{t},ORF1ab,", f"{t},N,undetermined", f"{t},IC,26.5"]
    not_cleared = re.compile(r'cleared=false">(\d+)</a>')
    today_before = int(not_cleared.search(b.get("/console/today").text).group(1))  # type: ignore[union-attr]
    b.get(RESULTS)
    up = b.post(RESULTS, files={"file": ("plate.csv", _csv(rows))})
    assert up.status_code == 200, up.text[-2000:]
    assert re.search(r'<dd id="positives">1</dd>', up.text)
    members = w.get(f"/screening/samples/{tubes[0]}", who="A:health_officer").json()["members"]
    unfit = b.get("/console/workers", params={"cleared": "false"}).text
    assert len(members) == 5 and all(m in unfit for m in members)
    # Today: the 5 isolated count among those who may not work today.
    today_after = int(not_cleared.search(b.get("/console/today").text).group(1))  # type: ignore[union-attr]
    assert today_after == today_before + 5
    shown = b.get(f"/console/screening/rounds/{rid}").text
    assert tubes[0] in shown.split('id="h-pos"')[1].split("</section>")[0]
    # now 40 people tested, none positive on an individual test: p = 0, and Dorfman's
    # 1/k + 1 − (1 − p)^k = 1/k is least at the largest size allowed, 20
    assert re.findall(r'data-recommended="(\d+)"', shown) == ["20"]


def test_refused_plate_names_the_well_and_writes_nothing(console_world: World) -> None:
    w = console_world
    ho = "A:health_officer"
    kit = {"kit": "cfx-fam-vic", "targets": ["FAM", "VIC"], "internal_control": "Cy5"}
    r = w.post(
        "/screening/rounds",
        who=ho,
        json={"day": str(w.today), "zones": ["assembly"], "pool_size": 5, "assay": kit},
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    listing = w.get(f"/screening/rounds/{rid}/sampling-list", who=ho, params={"format": "csv"})
    tubes = _tubes(w, rid)
    rows = []
    for i, _ in enumerate(tubes, start=1):
        rows += [
            (f"A{i:02d}", "FAM", "Unkn", f"lab-{i}", "NaN"),
            (f"A{i:02d}", "VIC", "Unkn", f"lab-{i}", "NaN"),
            (f"A{i:02d}", "Cy5", "Unkn", f"lab-{i}", "27.0"),
        ]
    rows += [("H12", "FAM", "NTC", "water", "36.2")]
    b = signed_in(w, ho, lang="en")
    b.get(RESULTS)
    files = {"file": ("cfx.csv", _cfx_csv(rows)), "plate_map": ("list.csv", listing.content)}
    up = b.post(RESULTS, {"match": "well"}, files=files)
    assert up.status_code == 422
    assert "well H12" in up.text and "nothing has been written" in up.text
    assert all(w.get(f"/screening/samples/{t}", who=ho).json()["verdict"] is None for t in tubes)
    with session_scope(w.url) as s:
        resulted = s.scalar(
            select(func.count())
            .select_from(Sample)
            .where(Sample.round_id == rid, Sample.verdict.is_not(None))
        )
    assert resulted == 0


def test_tenancy_roles_and_languages(console_world: World) -> None:
    w = console_world
    ids = screening_b_ids(w.url)
    ho = signed_in(w, "A:health_officer")
    r = ho.get(f"/console/screening/rounds/{ids['round_id']}")
    # (in the page's main part: the CSRF token in the header may hold any two letters)
    assert r.status_code == 404 and "ZM" not in r.text.split("<main")[1]
    assert (
        ho.get(f"/console/screening/rounds/{ids['round_id']}/sampling-list.csv").status_code == 404
    )
    viewer = signed_in(w, "A:viewer")
    assert viewer.get("/console/screening").status_code == 200
    assert viewer.get(RESULTS).status_code == 403
    viewer.get("/console/screening")
    up = viewer.post(RESULTS, files={"file": ("plate.csv", _csv(["x,N,30"]))})
    assert up.status_code == 403
    assert viewer.get(PLAN).status_code == 403
    titles = {
        "zh-CN": ("<h1>筛查轮次</h1>", "<h1>安排一轮筛查</h1>", "<h1>上传筛查结果</h1>"),
        "en": (
            "<h1>Screening rounds</h1>",
            "<h1>Plan a screening round</h1>",
            "<h1>Upload screening results</h1>",
        ),
    }
    for lang, shown in titles.items():
        b = signed_in(w, "A:health_officer", lang=lang)
        for path, title in zip(("/console/screening", PLAN, RESULTS), shown, strict=True):
            page = b.get(path)
            assert page.status_code == 200 and title in page.text, (lang, path)
