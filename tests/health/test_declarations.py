"""Daily declarations: the flag rule, idempotence, replacement audited, missing list,
clearance by a health officer only, bad rows named, bulk and file imports."""

from __future__ import annotations

import datetime as dt

import pytest

from keepline.health.schemas import DeclarationIn
from keepline.health.service import flags_of
from tests.worlds import World


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"temperature_c": 37.2}, []),  # below the 37.3 °C line
        ({"temperature_c": 37.3}, ["fever"]),  # on it
        ({"temperature_c": 36.4, "symptoms": ["cough"]}, ["symptoms"]),
        ({"temperature_c": 36.4, "health_code": "yellow"}, ["health-code"]),
        ({"temperature_c": 36.4, "risk_travel": True}, ["risk-travel"]),
        ({"temperature_c": 36.4, "close_contact": True}, []),  # quarantine's business
        (
            {"temperature_c": 38.1, "health_code": "red", "symptoms": ["fever"]},
            ["fever", "symptoms", "health-code"],
        ),
    ],
)
def test_flag_rule(fields: dict, expected: list[str]) -> None:
    d = DeclarationIn.model_validate({"employee_no": "X", "day": "2026-01-05", **fields})
    assert flags_of(d) == expected


def _decl(world: World, no: str, **kw):  # type: ignore[no-untyped-def]
    body = {"employee_no": no, "day": str(world.today), "temperature_c": 36.5} | kw
    return world.post("/declarations", who="A:health_officer", json=body)


def test_one_a_day_idempotent_and_replacement_audited(world: World) -> None:
    assert _decl(world, "XQ00003").status_code == 200
    n_audit = world.get("/audit", params={"table": "declarations"}).json()["total"]
    assert n_audit == 1
    # The same declaration again changes nothing, not even the audit log.
    assert _decl(world, "XQ00003").status_code == 200
    assert world.get("/audit", params={"table": "declarations"}).json()["total"] == 1
    # A different one the same day replaces it, audited with before and after.
    r = _decl(world, "XQ00003", temperature_c=36.9)
    assert r.json()["temperature_c"] == 36.9
    log = world.get("/audit", params={"table": "declarations", "sort": "-id"}).json()
    assert log["total"] == 2
    top = log["items"][0]
    assert top["action"] == "update" and top["record_key"] == f"XQ00003/{world.today}"
    assert (top["before"]["temperature_c"], top["after"]["temperature_c"]) == (36.5, 36.9)
    assert world.get("/declarations", params={"employee_no": "XQ00003"}).json()["total"] == 1


def test_flagged_until_a_health_officer_clears(world: World) -> None:
    r = _decl(world, "XQ00004", temperature_c=38.2, symptoms=["cough"])
    assert r.json()["flags"] == ["fever", "symptoms"]
    w = world.get("/workers/XQ00004", who="A:planner").json()
    assert w["cleared"] is False and w["not_cleared_category"] == "health"
    # A normal declaration the next time does not clear them by itself.
    _decl(world, "XQ00004", temperature_c=36.5, symptoms=[])
    assert world.get("/workers/XQ00004").json()["cleared"] is False
    assert world.get("/workers", params={"cleared": False}).json()["total"] == 1
    assert world.get("/workers/summary").json()["teams"][0]["not_cleared"] == 1
    for who in ("A:admin", "A:planner", "A:viewer"):
        r = world.post("/workers/XQ00004/clearance", who=who, json={"reason": "PCR negative"})
        assert r.status_code == 403, who
    r = world.post(
        "/workers/XQ00004/clearance",
        who="A:health_officer",
        json={"reason": "PCR negative on day 2"},
    )
    assert r.status_code == 200
    w = r.json()
    assert w["cleared"] is True and w["cleared_by"] == "user:health_officer@a.example"
    assert w["clearance_reason"] == "PCR negative on day 2"
    entry = world.get("/audit", params={"table": "clearances", "sort": "-id"}).json()["items"][0]
    assert entry["reason"] == "PCR negative on day 2" and entry["before"]["cleared"] is False
    # Clearing someone who is not flagged is an error, not a silent no-op.
    again = world.post(
        "/workers/XQ00004/clearance", who="A:health_officer", json={"reason": "again"}
    )
    assert again.status_code == 422


def test_missing_declarations(world: World) -> None:
    for no in ("XQ00001", "XQ00002", "XQ00010"):
        _decl(world, no)
    yesterday = world.today - dt.timedelta(days=1)
    world.post(
        "/declarations",
        who="A:health_officer",
        json={"employee_no": "XQ00005", "day": str(yesterday), "temperature_c": 36.5},
    )
    page = world.get(
        "/declarations/missing", who="A:viewer", params={"day": str(world.today), "limit": 100}
    ).json()
    assert page["total"] == 37
    nos = {m["employee_no"] for m in page["items"]}
    assert {"XQ00001", "XQ00002", "XQ00010"}.isdisjoint(nos) and "XQ00005" in nos
    assert world.get("/declarations/missing", params={"day": str(yesterday)}).json()["total"] == 39
    assert set(page["items"][0]) == {"employee_no", "name", "team", "zone", "shift"}


def test_bad_rows_are_named_and_nothing_is_written(world: World) -> None:
    tomorrow = world.today + dt.timedelta(days=1)
    good = {"employee_no": "XQ00001", "day": str(world.today), "temperature_c": 36.5}
    r = world.post(
        "/declarations/bulk",
        json={
            "declarations": [
                good,
                good | {"employee_no": "ZM00001"},
                good | {"employee_no": "XQ00002", "day": str(tomorrow)},
            ]
        },
    )
    assert r.status_code == 422
    probs = {(p["row"], p["field"]) for p in r.json()["error"]["problems"]}
    assert probs == {(2, "employee_no"), (3, "day")}
    r = world.post(
        "/declarations/bulk", json={"declarations": [good, good | {"temperature_c": 52.0}]}
    )
    assert r.status_code == 422
    assert (
        r.json()["error"]["problems"][0]["row"] == 2
        and r.json()["error"]["field"] == "temperature_c"
    )
    r = world.post("/declarations/bulk", json={"declarations": [good, good]})
    assert r.status_code == 422 and "also on row 1" in r.json()["error"]["message"]
    assert world.get("/declarations").json()["total"] == 0
    r = world.post(
        "/declarations/bulk",
        params={"mode": "valid-rows"},
        json={"declarations": [good, good | {"employee_no": "nobody"}]},
    )
    assert (
        r.status_code == 200 and r.json()["inserted"] == 1 and r.json()["rejected"][0]["row"] == 2
    )


def test_bulk_of_a_whole_roster_over_days(world: World) -> None:
    days = [world.today - dt.timedelta(days=k) for k in range(5)]
    decls = [
        {
            "employee_no": f"XQ{n:05d}",
            "day": str(d),
            "temperature_c": 37.5 if (n == 7 and d == days[2]) else 36.6,
        }
        for d in days
        for n in range(1, 41)
    ]
    r = world.post("/declarations/bulk", json={"declarations": decls})
    assert r.status_code == 200, r.text[:300]
    assert r.json() == {
        "received": 200,
        "inserted": 200,
        "replaced": 0,
        "unchanged": 0,
        "flagged": 1,
        "rejected": [],
    }
    assert world.get("/declarations", params={"flagged": True}).json()["total"] == 1
    w = world.get("/workers/XQ00007").json()
    assert w["flags"] == ["fever"] and w["flagged_on"] == str(days[2])
    r = world.post("/declarations/bulk", json={"declarations": decls})
    assert r.json()["unchanged"] == 200
    assert world.get("/audit", params={"table": "declarations"}).json()["total"] == 200


def test_declarations_file(world: World) -> None:
    text = (
        "employee_no,day,temperature_c [°C],symptoms,health_code,risk_travel,close_contact\n"
        f"XQ00001,{world.today},36.6,,green,no,no\n"
        f"XQ00002,{world.today},36.8,cough;fatigue,green,否,是\n"
        f"XQ00003,{world.today},36.5,,purple,no,no\n"
        f"XQ00004,{world.today},hot,,green,maybe,no\n"
    )
    r = world.post("/declarations/import", files={"file": ("today.csv", text.encode())})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["file"] == "today.csv"
    assert {(p["row"], p["field"]) for p in err["problems"]} == {
        (4, "health_code"),
        (5, "temperature_c"),
        (5, "risk_travel"),
    }
    assert world.get("/declarations").json()["total"] == 0
    r = world.post(
        "/declarations/import",
        params={"mode": "valid-rows"},
        files={"file": ("today.csv", text.encode())},
    )
    assert r.status_code == 200
    assert (r.json()["received"], r.json()["inserted"], r.json()["flagged"]) == (4, 2, 1)
    d = world.get(f"/declarations/XQ00002/{world.today}").json()
    assert (
        d["symptoms"] == ["cough", "fatigue"]
        and d["close_contact"] is True
        and d["risk_travel"] is False
    )
