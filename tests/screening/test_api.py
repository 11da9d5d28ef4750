"""The HTTP API of screening and containment: the flow, roles, tenancy and bad input,
on the platform's two-tenant world (40 workers of Xuzhou team asm-day-1 in tenant A)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from keepline import clock
from keepline.accounts import service as accounts
from tests.screening_world import screening_b_ids
from tests.worlds import World, build_world


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = build_world(db_url)
    with w.client:
        yield w


def _csv(rows: list[str]) -> bytes:
    return ("sample_id,target,ct\n" + "\n".join(rows) + "\n").encode()


def test_round_results_isolation_and_availability(world: World) -> None:
    ho = "A:health_officer"
    r = world.post(
        "/screening/rounds",
        who=ho,
        json={"day": str(world.today), "zones": ["assembly"], "pool_size": 5},
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    rec = r.json()["recommendation"]  # no result yet to recommend a pool size from
    assert rec["size"] is None and rec["reason"].startswith("no screening result in assembly")
    lst = world.get(f"/screening/rounds/{rid}/sampling-list", who=ho).json()
    # The 40 workers (all of team asm-day-1, assembly/day) in 8 pools of 5.
    assert len(lst) == 40 and len({x["sample_id"] for x in lst}) == 8
    html = world.get(f"/screening/rounds/{rid}/sampling-list", who=ho, params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html") and "R" in html.text
    csv_ = world.get(f"/screening/rounds/{rid}/sampling-list", who=ho, params={"format": "csv"})
    assert csv_.text.count("\n") == 41

    tubes = sorted({x["sample_id"] for x in lst})
    rows = [f"{tubes[0]},ORF1ab,29.5", f"{tubes[0]},N,30.25", f"{tubes[0]},IC,27"]
    for t in tubes[1:]:
        rows += [f"{t},ORF1ab,", f"{t},N,undetermined", f"{t},IC,26.5"]
    up = world.post("/screening/results", who=ho, files={"file": ("plate.csv", _csv(rows))})
    assert up.status_code == 200, up.text
    body = up.json()
    assert body["verdicts"] == {"positive": 1, "negative": 7}
    assert (body["isolated"], body["retests"], body["cleared"]) == (5, 5, 35)
    again = world.post("/screening/results", who=ho, files={"file": ("plate.csv", _csv(rows))})
    assert again.json()["already_imported"] is True
    # the pool size to use: 40 tested, nobody positive yet on an individual test → 20
    ps = world.get("/screening/pool-size", who=ho, params={"zone": "assembly"})
    assert ps.status_code == 200, ps.text
    got = ps.json()
    assert (got["tested"], got["positives"], got["size"]) == (40, 0, 20)
    assert [o["size"] for o in got["options"]] == [1, 5, 10, 20]
    ps = world.get("/screening/pool-size", who=ho, params={"zone": "assembly", "prevalence": 0.05})
    assert ps.json()["size"] == 5 and ps.json()["source"] == "entered"
    assert world.get("/screening/pool-size", who="A:planner").status_code == 403
    bad = world.get("/screening/pool-size", who=ho, params={"prevalence": 2})
    assert bad.status_code == 422 and "prevalence" in bad.text

    pos = world.get(f"/screening/rounds/{rid}/samples", who=ho, params={"verdict": "positive"})
    item = pos.json()["items"][0]
    assert item["cts"] == {"ORF1ab": 29.5, "N": 30.25, "IC": 27.0} and len(item["members"]) == 5
    iso = world.get("/restrictions", who=ho, params={"active_on": str(world.today)}).json()
    assert iso["total"] == 5 and {x["reason"] for x in iso["items"]} == {"pool-positive"}

    # Availability from today: assembly/day assemblers 40 − 5 isolated = 35.
    av = world.get(
        "/availability",
        who="A:planner",
        params={"from": str(world.today), "to": str(world.today + dt.timedelta(days=2))},
    )
    assert av.status_code == 200, av.text
    a = av.json()
    z, s, k = a["zones"].index("assembly"), a["shifts"].index("day"), a["skills"].index("assembler")
    assert [d[z][s][k] for d in a["available"]] == [35, 35, 35]
    # People, each once: 35 at work in assembly/day, and all 35 of the 40 at work.
    assert [d[z][s] for d in a["people"]] == [35, 35, 35]
    assert [sum(map(sum, d)) for d in a["people"]] == [35, 35, 35] and a["workers"] == 40
    csv_av = world.get(
        "/availability", params={"from": str(world.today), "to": str(world.today), "format": "csv"}
    )
    assert csv_av.text.splitlines()[0] == "date,zone,shift,skill,available"

    # Every write is in the audit log.
    for table, n in (("screening_rounds", 1), ("screening_imports", 1), ("restrictions", 5)):
        assert world.get("/audit", params={"table": table}).json()["total"] == n, table
    assert world.get("/audit", params={"table": "screening_samples"}).json()["total"] == 8 + 8 + 5


def test_health_data_only_for_health_staff(world: World) -> None:
    rid = world.post(
        "/screening/rounds", json={"day": str(world.today), "zones": ["assembly"], "pool_size": 10}
    ).json()["id"]
    for who in ("A:planner", "A:viewer", "A:storekeeper"):
        for path in (
            f"/screening/rounds/{rid}/samples",
            "/cases",
            "/restrictions",
            f"/screening/rounds/{rid}/coverage",
        ):
            r = world.get(path, who=who)
            assert r.status_code == 403, (who, path, r.status_code)
            assert r.json()["error"]["code"] == "forbidden"
        # Not health data: rounds, zone states and availability.
        for path in ("/screening/rounds", "/zones/states", "/availability"):
            assert world.get(path, who=who).status_code == 200, (who, path)
    for who in ("A:admin", "A:health_officer"):
        assert world.get(f"/screening/rounds/{rid}/samples", who=who).status_code == 200


def test_other_tenant_ids_answer_404(world: World) -> None:
    ids = screening_b_ids(world.url)
    for path in (
        f"/screening/rounds/{ids['round_id']}",
        f"/screening/rounds/{ids['round_id']}/samples",
        f"/screening/rounds/{ids['round_id']}/coverage",
        f"/screening/samples/{ids['sample_id']}",
        f"/cases/{ids['case_id']}",
        f"/cases/{ids['case_id']}/contacts",
        f"/zones/{ids['zone_id']}/history",
    ):
        r = world.get(path)
        assert r.status_code == 404, (path, r.text)
        assert "ZM" not in r.text
    r = world.post(
        f"/restrictions/{ids['restriction_id']}/end", json={"end_day": "2026-12-20", "reason": "x"}
    )
    assert r.status_code == 404
    # B sees its own.
    assert world.get(f"/cases/{ids['case_id']}", who="B:admin").status_code == 200


def test_bad_input_is_4xx_naming_the_place_and_writes_nothing(world: World) -> None:
    ho = "A:health_officer"
    r = world.post(
        "/screening/rounds",
        who=ho,
        json={"day": str(world.today), "zones": ["assembly"], "pool_size": 30},
    )
    assert r.status_code == 422 and "national guidance" in r.json()["error"]["message"]
    r = world.post(
        "/screening/rounds",
        who=ho,
        json={
            "day": str(world.today),
            "zones": ["assembly"],
            "pool_size": 5,
            "pools": [
                {"pool_id": "L1", "members": ["XQ00001", "XQ00002"]},
                {"pool_id": "L2", "members": ["XQ00002"]},
            ],
        },
    )
    assert r.status_code == 422 and "overlapping pool memberships" in r.json()["error"]["message"]
    assert world.get("/screening/rounds").json()["total"] == 0
    r = world.post(
        "/screening/results", who=ho, files={"file": ("plate.rdml", b"<rdml xmlns='urn:x'/>")}
    )
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith(
        "plate.rdml: not RDML"
    )  # one line: no line number
    r = world.post(
        "/screening/results", who=ho, files={"file": ("p.csv", _csv(["R999-P00001,N,30"]))}
    )
    assert (
        r.status_code == 422
        and r.json()["error"]["message"] == "p.csv row 2: unknown sample 'R999-P00001'"
    )
    t = dt.datetime.combine(world.today, dt.time(8), tzinfo=clock.plant_tz())
    r = world.post(
        "/access-events",
        who=ho,
        json={
            "events": [
                {
                    "employee_no": "XQ00001",
                    "zone": "assembly",
                    "time_in": t.isoformat(),
                    "time_out": (t + dt.timedelta(hours=2)).isoformat(),
                },
                {
                    "employee_no": "XQ00002",
                    "zone": "assembly",
                    "time_in": t.isoformat(),
                    "time_out": (t - dt.timedelta(hours=1)).isoformat(),
                },
            ]
        },
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["problems"][0]["row"] == 2 and err["problems"][0]["field"] == "time_out"
    r = world.post("/zones/assembly/state", who=ho, json={"state": "disinfecting", "reason": "x"})
    assert r.status_code == 422 and "is open; it can go to" in r.json()["error"]["message"]
    assert world.get("/audit", params={"table": "access_events"}).json()["total"] == 0


def test_round_leaves_out_the_isolated_and_says_why(world: World) -> None:
    """Issue 14 item 1 through the API: the case confirmed yesterday is not pooled; the
    response and the printable list name them apart, with the reason."""
    ho = "A:health_officer"
    eve = world.today - dt.timedelta(days=1)
    r = world.post("/cases", who=ho, json={"employee_no": "XQ00003", "confirmed_on": str(eve)})
    assert r.status_code == 201, r.text
    r = world.post(
        "/screening/rounds",
        who=ho,
        json={"day": str(world.today), "zones": ["assembly"], "pool_size": 10},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert [(e["employee_no"], e["reasons"]) for e in body["excluded"]] == [
        ("XQ00003", ["isolated"])
    ]
    lst = world.get(f"/screening/rounds/{body['id']}/sampling-list", who=ho).json()
    # 40 − 1 = 39 people in 4 tubes (10, 10, 10, 9); XQ00003 in none.
    assert len(lst) == 39 and "XQ00003" not in {x["employee_no"] for x in lst}
    assert len({x["sample_id"] for x in lst}) == 4
    html = world.get(
        f"/screening/rounds/{body['id']}/sampling-list", who=ho, params={"format": "html"}
    ).text
    left = html[html.index("Not sampled in this round") :]
    assert "<td>XQ00003</td>" in left and "isolated 隔离" in left
    # Who is left out is health data: the round as every role reads it does not say.
    assert "excluded" not in world.get(f"/screening/rounds/{body['id']}", who="A:viewer").json()


def _cfx_csv(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    """A Bio-Rad CFX 'Quantification Cq Results' CSV (layout: see
    tests/screening/test_instrument_tables.py): (well, fluor, content, sample, cq)."""
    head = ",Well,Fluor,Target,Content,Sample,Cq,Starting Quantity (SQ)\n"
    return (head + "".join(f",{w},{f},,{c},{s},{q},NaN\n" for w, f, c, s, q in rows)).encode()


def test_instrument_export_with_the_sampling_list_as_plate_map(world: World) -> None:
    ho = "A:health_officer"
    kit = {
        "kit": "cfx-fam-vic",
        "targets": ["FAM", "VIC"],
        "internal_control": "Cy5",
        "replicates": "any",
    }
    r = world.post(
        "/screening/rounds",
        who=ho,
        json={"day": str(world.today), "zones": ["assembly"], "pool_size": 5, "assay": kit},
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    listing = world.get(f"/screening/rounds/{rid}/sampling-list", who=ho, params={"format": "csv"})
    tubes = list(
        dict.fromkeys(
            x["sample_id"]
            for x in world.get(f"/screening/rounds/{rid}/sampling-list", who=ho).json()
        )
    )
    assert len(tubes) == 8
    # The lab loaded the tubes in list order, A1 … A8, named them its own way, and ran
    # each well twice for FAM (wells A and B): replicates combined by "any".
    rows = []
    for i, _ in enumerate(tubes, start=1):
        fam = ("33.0", "NaN") if i == 1 else ("NaN", "NaN")
        rows += [
            (f"A{i:02d}", "FAM", "Unkn", f"lab-{i}", fam[0]),
            (f"A{i:02d}", "VIC", "Unkn", f"lab-{i}", "34.5" if i == 1 else "NaN"),
            (f"A{i:02d}", "Cy5", "Unkn", f"lab-{i}", "27.0"),
        ]
    rows += [("H12", "FAM", "NTC", "water", "NaN"), ("G12", "FAM", "Pos Ctrl", "pc", "25.1")]
    files = {
        "file": ("cfx.csv", _cfx_csv(rows)),
        "plate_map": ("list.csv", listing.content),
    }
    up = world.post("/screening/results", who=ho, files=files)
    assert up.status_code == 200, up.text
    body = up.json()
    assert body["linked_by"] == "well" and body["format"] == "biorad"
    assert body["verdicts"] == {"positive": 1, "negative": 7}
    assert body["controls_checked"] == 2
    assert [(c["kind"], c["ok"]) for c in body["controls"]] == [("ntc", True), ("pos", True)]
    res = world.get(f"/screening/samples/{tubes[0]}", who=ho).json()
    assert res["verdict"] == "positive"

    # Another plate whose NTC amplified: 422 naming the well, nothing stored.
    r = world.post(
        "/screening/rounds",
        who=ho,
        json={"day": str(world.today), "zones": ["assembly"], "pool_size": 5, "assay": kit},
    )
    rid2 = r.json()["id"]
    listing2 = world.get(
        f"/screening/rounds/{rid2}/sampling-list", who=ho, params={"format": "csv"}
    )
    tubes2 = {
        x["sample_id"] for x in world.get(f"/screening/rounds/{rid2}/sampling-list", who=ho).json()
    }
    assert len(tubes2) == 7  # the positive pool's 5 are isolated: 35 people left
    dirty = [x for x in rows if x[2] != "NTC" and x[0] != "A08"]
    dirty += [("H12", "FAM", "NTC", "water", "36.2")]
    files = {"file": ("cfx2.csv", _cfx_csv(dirty)), "plate_map": ("list2.csv", listing2.content)}
    up = world.post("/screening/results", who=ho, files=files, params={"match": "well"})
    assert up.status_code == 422
    msg = up.json()["error"]["message"]
    # Row 1 the header, 7 tubes × 3 rows (2-22), the positive control 23, the NTC 24.
    assert msg == (
        "cfx2.csv row 24, well H12 target 'FAM': plate invalid: ntc control FAM: Ct 36.2; "
        "kit 'cfx-fam-vic' allows none"
    )
    assert all(
        world.get(f"/screening/samples/{t}", who=ho).json()["verdict"] is None for t in tubes2
    )
