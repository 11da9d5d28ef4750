"""Re-plan from the daily record: the day of operations on the Zhengzhou plant, then the
chip supplier's region (Shenzhen, 440300) locks down; the re-plan activates the backups and
the orders at risk are those worked out by hand below.

State at the end of 2026-12-01 (see tests.daily_record.run_day): chips 94,100 (the
opening 60,000 + PO-101's 40,000 − 5,900 used by the four lines); LCDs 84,500 (90,000 −
5,500 meters); LCD purchase PO-102 from Shenzhen at risk, so not counted on. Remaining
to make from 2026-12-02 (day 0; due days counted from it), after 1,500 gas meters shipped
and the finished 4,000 water meters and 400 controllers allocated to the most urgent
orders:

    livelihood  ZZ-G-102 gas   28,500 due day 23   penalty 8/unit-day
                ZZ-W-101 water 56,000 due day 29   5
                ZZ-H-103 water 20,000 due day 39   5
                KF-W-104 water 30,000 due day 49   5
                LY-G-105 gas   25,000 due day 60   8
    standard    HN-AG-106 agri 19,600 due day 75   2
                RE-DV-108 gas  20,000 due day 80   1
                EX-SA-107 water 80,000 due day 85  1

Every meter and controller takes one chip; every meter one LCD. Lines make 4,000 water,
1,500 gas and 400 controllers a day — never the limit here (e.g. G-102 needs 19 of its 24
gas-line days).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from keepline.containment import restrictions as cs
from keepline.containment.schemas import RestrictionIn
from keepline.db import session_scope
from keepline.logistics import status
from keepline.logistics.models import NodeState, StatusKind
from keepline.logistics.schemas import StatusIn
from keepline.people import service as people
from keepline.people.generate import roster_rows
from keepline.plant.yamlio import load_yaml
from keepline.production import service as ps
from keepline.production.replan import replan, roster_workforce
from keepline.tabular import read_table, write_csv
from tests.conftest import ZHENGZHOU
from tests.daily_record import PLANNER, ApiWorld, day, run_day, scope

LIVELIHOOD = ["ZZ-W-101", "ZZ-G-102", "ZZ-H-103", "KF-W-104", "LY-G-105"]
STANDARD = ["HN-AG-106", "EX-SA-107", "RE-DV-108"]


def lock(s: Session, region: str) -> None:
    status.set_status(
        s,
        scope(PLANNER),
        StatusIn(kind=StatusKind.region, node_id=region, state=NodeState.locked_down, start=day(1)),
    )


@pytest.fixture
def after_the_day(zz: Session) -> Session:
    run_day(zz)
    return zz


def test_shenzhen_locked_the_backups_carry_every_order(after_the_day: Session) -> None:
    s = after_the_day
    lock(s, "440300")
    plan = replan(s, scope(PLANNER), day(1), horizon=90)
    res = plan.result
    assert plan.inputs["stock"]["mcu-chip"] == 94_100
    assert plan.inputs["remaining"]["ZZ-W-101"] == 56_000
    assert "lcd-display" not in plan.inputs["receipts"]  # PO-102 is at risk
    # Chips: xian-semi can dispatch from day 7 (activation) + 6 (lead) = 13 and they arrive
    # 2 days later, 4,000 a day from day 15. Supply by day t ≥ 15: 94,100 + 4,000 (t − 14).
    # Cumulative need at each deadline, most urgent first, against that supply:
    #   day 23: 28,500            ≤ 94,100 + 36,000 = 130,100
    #   day 29: 28,500 + 56,000 = 84,500   ≤ 154,100
    #   day 39: 104,500 ≤ 194,100;  day 49: 134,500 ≤ 234,100;  day 60: 159,500 ≤ 278,100
    #   day 75: + 19,600 = 179,100 ≤ 338,100; day 80: 199,100 ≤ 358,100;
    #   day 85: 279,100 ≤ 378,100
    # LCDs (meters only): kunshan-lcd from day 7 + 4 + 2 = 13, 4,000 a day:
    #   day 29: 84,500 ≤ 84,500 + 4,000 x 17;  day 85: 259,500 ≤ 84,500 + 4,000 x 73 = 376,500
    # Without the backups: chips 94,100 < 279,100 and LCDs 84,500 < 259,500 needed. So both
    # backups are activated, and no order is at risk.
    backups = {(b["material"], b["supplier"]) for b in res["backups"]}
    assert backups == {("mcu-chip", "xian-semi"), ("lcd-display", "kunshan-lcd")}
    assert all(b["activate_on"] == "2026-12-02" for b in res["backups"])
    assert res["lp_bound"] == pytest.approx(0, abs=1e-6)
    for oid, o in res["orders"].items():
        assert o["lp_fill_by_due"] == pytest.approx(o["qty"]), oid
        # The whole-unit plan may lose a unit to rounding (the planner's separate step);
        # more than that would contradict the arithmetic above.
        assert o["fill_by_due"] >= o["qty"] - 1, oid
    assert set(res["orders_at_risk"]) <= {
        oid for oid, o in res["orders"].items() if o["qty"] - o["fill_by_due"] <= 1
    }
    assert res["violations"] == []


def test_xian_locked_too_the_chips_go_to_the_costliest_lateness(after_the_day: Session) -> None:
    s = after_the_day
    lock(s, "440300")
    first = replan(s, scope(PLANNER), day(1), horizon=90)
    lock(s, "610100")  # Xi'an: the chip backup is gone
    plan = replan(s, scope(PLANNER), day(1), horizon=90)
    res = plan.result
    # Only the 94,100 chips in stock for the whole horizon. Each chip makes one unit; a
    # unit not shipped costs penalty x (90 − due) unit-days, shipping it on time saves that:
    #   ZZ-G-102 8 x 67 = 536 > ZZ-W-101 5 x 61 = 305 > ZZ-H-103 5 x 51 = 255
    #   > LY-G-105 8 x 30 = 240 > KF-W-104 5 x 41 = 205; standard orders come after all
    #   livelihood (priority is strict).
    # Unit weights: the chips go down that list: G-102 28,500 + W-101 56,000 = 84,500,
    # the last 9,600 to H-103 (short 10,400). At risk: H-103, LY-G-105, KF-W-104 and the
    # three standard orders.
    orders = res["orders"]
    for oid, filled in (("ZZ-G-102", 28_500), ("ZZ-W-101", 56_000), ("ZZ-H-103", 9_600)):
        assert orders[oid]["lp_fill_by_due"] == pytest.approx(filled, abs=1e-3), oid
        assert orders[oid]["fill_by_due"] == pytest.approx(filled, abs=1), oid
    for oid in ("KF-W-104", "LY-G-105", *STANDARD):
        assert orders[oid]["lp_fill_by_due"] == pytest.approx(0, abs=1e-3), oid
    assert sorted(res["orders_at_risk"]) == sorted(["ZZ-H-103", "KF-W-104", "LY-G-105", *STANDARD])
    assert ("mcu-chip", "xian-semi") not in {(b["material"], b["supplier"]) for b in res["backups"]}
    # What changed since the first plan, and why.
    cmp = ps.compare_plans(s, scope(PLANNER), plan.id)
    assert cmp.old_plan == first.id
    texts = "\n".join(cmp.lines())
    assert "order ZZ-H-103 now at risk" in texts
    assert "region 610100 down from 2026-12-02" in texts
    assert "backup xian-semi for mcu-chip no longer needed" in texts


def test_post_plans_and_compare(api: ApiWorld) -> None:
    with session_scope(api.url) as s:
        run_day(s)
    r = api.post("/plans", "zz:planner", json={"as_of": "2026-12-02", "horizon_days": 90})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["orders_at_risk"] == [] or first["orders_at_risk"] == ["EX-SA-107"]
    assert api.post("/plans", "zz:viewer", json={"as_of": "2026-12-02"}).status_code == 403
    r = api.post(
        "/statuses",
        "zz:planner",
        json={"kind": "region", "node_id": "440300", "state": "locked-down", "start": "2026-12-02"},
    )
    assert r.status_code == 201
    second = api.post("/plans", "zz:planner", json={"as_of": "2026-12-02"}).json()
    backups = {b["supplier"] for b in second["backups"]}
    assert {"xian-semi", "kunshan-lcd"} <= backups
    cmp = api.get(f"/plans/{second['id']}/compare", "zz:viewer").json()
    assert cmp["old_plan"] == first["id"]
    assert any("activate backup xian-semi for mcu-chip" in t for t in cmp["text"])
    assert any("region 440300 down from 2026-12-02" in t for t in cmp["text"])
    # The other tenant sees neither plan.
    assert api.get(f"/plans/{second['id']}", "xz:admin").status_code == 404
    assert api.get("/plans", "xz:admin").json()["total"] == 0


def test_replan_workforce_comes_from_the_daily_record(zz: Session) -> None:
    """With a roster loaded, the re-plan's workers are those the daily record makes
    available: quarantining the 50 workers of team wa-day-2 (water assembly, day shift)
    for 7 days from day 0 removes exactly 50 assemblers there on days 0-6 and none after.
    Planned water-assembly day-shift assemblers: wa-day-1 100 + wa-day-2 50 = 150."""
    plant = load_yaml(ZHENGZHOU)
    rows = roster_rows(plant, seed=1)
    table = read_table("r.csv", write_csv(people.COLUMNS, rows).encode())
    people.import_roster(zz, scope(), table)
    start = day(1)
    team = [r for r in rows if r["team"] == "wa-day-2"]
    assert len(team) == 50
    for r in team:
        cs.add_restriction(
            zz,
            scope(),
            RestrictionIn(
                employee_no=r["employee_no"],
                kind="quarantine",
                reason="close-contact",
                start_day=start,
                end_rule="days:7",
            ),
        )
    zz.flush()
    wf = roster_workforce(zz, scope(), start, 10)
    assert wf is not None
    z, s, k = wf.index("water-assembly", "day", "assembler")
    assert wf.available[:7, z, s, k].tolist() == [100.0] * 7
    assert wf.available[7:, z, s, k].tolist() == [150.0] * 3
