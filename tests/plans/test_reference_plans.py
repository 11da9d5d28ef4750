"""The two reference plans on a day of each plant's record, worked by hand."""

from __future__ import annotations

import datetime as dt

from keepline.plans import engine as e
from keepline.plans import schema as s
from keepline.plans.planfile import load_plan
from keepline.plant.yamlio import load_yaml
from tests.conftest import EXAMPLES, XUZHOU, ZHENGZHOU

DAY = dt.date(2026, 12, 10)
CASE, POOL = s.PositiveKind.case, s.PositiveKind.positive_pool


def test_xuzhou_a_case_in_assembly_under_a_control_area() -> None:
    plant = load_yaml(XUZHOU)
    plan = load_plan(EXAMPLES / "plans" / "xuzhou-qpcr.yaml", plant)
    snap = e.RecordSnapshot(
        day=DAY,
        positives=(e.Positive(DAY, "assembly", CASE),),
        control_area=True,
        # 1,000 of 1,200 declared by 08:30: 200 missing = 16.7 % > 10 % at 09:00.
        declarations_expected=1200,
        declarations_made_at=(dt.time(8, 30),) * 1000,
        # swab 10 < 14 days; masks 20 are enough; Peltier modules are raw (no rule).
        days_of_cover={"swab": 10.0, "mask-kn95": 20.0, "peltier-module": 3.0},
        # Shenzhen (440300) holds shenzhen-optics, primary supplier of the optical module.
        locked_regions=frozenset({"440300"}),
        orders_at_risk=(
            e.OrderAtRisk("JS-CDC-001", "front-line"),
            e.OrderAtRisk("EX-MA-007", "standard"),
        ),
    )
    ev = e.evaluate(plan, snap, plant)
    # One positive: no cluster (3 in 3 days); no fever; no city risk level; no difficulty.
    assert [f.cause.key() for f in ev.firings] == [
        "positive-in-zone|zone=assembly",
        "control-area",
        "declarations-missing",
        "supplier-region-locked|material=optical-module,region=440300,supplier=shenzhen-optics",
        "prevention-cover|material=swab",
        "front-line-order-late|order=JS-CDC-001",
    ]
    positive = ev.firings[0]
    run = [(a.do.value, a.params.get("zone")) for a in positive.actions if a.auto]
    # Lock, report, screen the sealed zone's workers where they are, and set the tasks.
    assert run == [
        ("raise_level", None),
        ("set_zone_state", "assembly"),
        ("notify", None),
        ("create_screening_rounds", "assembly"),
        ("create_task", None),
        ("create_task", None),
    ]
    assert positive.actions[3].params["in_place"] is True
    wait = [a.do.value for a in positive.actions if not a.auto]
    assert wait == ["quarantine_contacts", "replan"]
    assert positive.actions[6].params["text"].startswith("Terminal disinfection of zone assembly")
    assert positive.actions[6].params["deadline"] == "PT4H"
    # Every task of both rules' firings is created by itself (nobody confirms a task).
    assert all(a.auto for f in ev.firings for a in f.actions if a.do == s.ActionKind.create_task)
    switch = ev.firings[3].actions[0]
    assert switch.params == {"material": "optical-module", "backup_supplier": "changzhou-optics"}
    assert not switch.auto
    # The next day, with these activations open, nothing new opens for the same causes.
    assert e.to_open(ev.firings, [f.cause for f in ev.firings]) == []


def test_zhengzhou_the_chip_region_locks_and_a_cluster_in_water_assembly() -> None:
    plant = load_yaml(ZHENGZHOU)
    plan = load_plan(EXAMPLES / "plans" / "zhengzhou-meters.yaml", plant)
    snap = e.RecordSnapshot(
        day=DAY,
        # A pool yesterday and a case today in water assembly: 2 in 3 days, one today.
        positives=(
            e.Positive(DAY - dt.timedelta(days=1), "water-assembly", POOL),
            e.Positive(DAY, "water-assembly", CASE),
        ),
        locked_regions=frozenset({"440300"}),
        city_risk_level=s.RiskLevel.high,
        as_of=dt.time(8, 0),  # before 08:30: declarations are not judged yet
        declarations_expected=900,
    )
    ev = e.evaluate(plan, snap, plant)
    assert [f.cause.key() for f in ev.firings] == [
        "positive-in-zone|zone=water-assembly",
        "cluster|zone=water-assembly",
        "static-management",
        # one rule for both Shenzhen suppliers, each material once (no second message)
        "supplier-region-locked|material=lcd-display,region=440300,supplier=shenzhen-lcd",
        "supplier-region-locked|material=mcu-chip,region=440300,supplier=shenzhen-xinpian",
    ]
    screen = ev.firings[0].actions[3]
    assert screen.params["zone"] == "water-assembly" and screen.params["pool_size"] == 10
    assert screen.params["in_place"] is True
    # the cluster's single-tube round is of the zone the first rule sealed: in place too
    cluster = ev.firings[1].actions[2]
    assert (cluster.params["zone"], cluster.params["pool_size"], cluster.params["in_place"]) == (
        "water-assembly",
        1,
        True,
    )
    assert ev.firings[2].reasons == ("city risk level high, at least high",)
    assert ev.firings[3].actions[1].params["backup_supplier"] == "kunshan-lcd"
    assert ev.firings[4].actions[1].params["backup_supplier"] == "xian-semi"
