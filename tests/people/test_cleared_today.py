"""Issue 15 item 7: the roster's ``cleared`` says whether a worker may work today, by the
one rule screening and availability use: a worker in open isolation is not cleared,
whatever their declarations say. On the API world (XQ00001-XQ00040, all assembly/day)."""

from __future__ import annotations

import datetime as dt

from tests.worlds import World

HO = "A:health_officer"


def view(world: World, no: str, who: str) -> dict:  # type: ignore[type-arg]
    r = world.get(f"/workers/{no}", who=who)
    assert r.status_code == 200, r.text
    return r.json()


def roster_numbers(world: World, cleared: bool) -> tuple[int, list[str]]:
    r = world.get("/workers", who="A:viewer", params={"cleared": cleared, "limit": 100}).json()
    return r["total"], [w["employee_no"] for w in r["items"]]


def test_isolated_worker_is_not_cleared_for_any_role(world: World) -> None:
    eve = world.today - dt.timedelta(days=1)
    r = world.post("/cases", who=HO, json={"employee_no": "XQ00003", "confirmed_on": str(eve)})
    assert r.status_code == 201, r.text
    fever = {"day": str(eve), "temperature_c": 38.2, "health_code": "yellow"}
    for no in ("XQ00003", "XQ00005"):
        r = world.post("/declarations", who=HO, json={"employee_no": no, **fever})
        assert r.status_code == 200, r.text

    # The case: isolated (and flagged); XQ00005 flagged only; XQ00007 may work.
    ho3 = view(world, "XQ00003", HO)
    assert (ho3["cleared"], ho3["reasons"]) == (False, ["isolated", "not_cleared"])
    assert ho3["not_cleared_category"] == "health"
    assert view(world, "XQ00005", HO)["reasons"] == ["not_cleared"]
    assert view(world, "XQ00007", HO)["cleared"] is True
    # Every other role sees the verdict and a category, never the reasons.
    for who in ("A:viewer", "A:planner", "A:storekeeper"):
        w = view(world, "XQ00003", who)
        assert (w["cleared"], w["not_cleared_category"]) == (False, "health")
        assert "reasons" not in w and "flags" not in w
    assert roster_numbers(world, False) == (2, ["XQ00003", "XQ00005"])
    assert roster_numbers(world, True)[0] == 38

    # A health officer clears both declarations: XQ00005 may work again, the case may
    # not (open isolation).
    for no in ("XQ00003", "XQ00005"):
        r = world.post(f"/workers/{no}/clearance", who=HO, json={"reason": "afebrile"})
        assert r.status_code == 200, r.text
        assert r.json()["cleared"] is (no == "XQ00005")
    assert view(world, "XQ00003", HO)["reasons"] == ["isolated"]
    assert roster_numbers(world, False) == (1, ["XQ00003"])

    # Assembly locked today (no closed loop): nobody there may work; the lock is no
    # one's health data, so every role sees it as such.
    r = world.post("/zones/assembly/state", json={"state": "locked", "reason": "cases"})
    assert r.status_code == 200, r.text
    assert view(world, "XQ00007", "A:viewer")["not_cleared_category"] == "zone-locked"
    assert view(world, "XQ00003", HO)["reasons"] == ["isolated", "zone_locked"]
    assert view(world, "XQ00003", "A:viewer")["not_cleared_category"] == "health"
    assert roster_numbers(world, True) == (0, [])
