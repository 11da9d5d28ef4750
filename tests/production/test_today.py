"""The planner's inputs from the day's state (pure), checked by hand on the Zhengzhou plant."""

from __future__ import annotations

import datetime as dt

from keepline.plant.validate import check_references
from keepline.plant.yamlio import load_yaml
from keepline.production.today import (
    Lockdown,
    Receipt,
    SlowLane,
    TodayState,
    plant_for_today,
    remaining_orders,
)
from keepline.scenario import check_scenario
from tests.conftest import ZHENGZHOU

D1 = dt.date(2026, 12, 2)


def state(**kw) -> TodayState:  # type: ignore[no-untyped-def]
    base = dict(
        start=D1,
        stock={"mcu-chip": 94_100, "lcd-display": 84_500},
        shipped={"ZZ-G-102": 1500},
        finished_goods={"water-meter-nb": 4000, "agri-controller": 400},
    )
    return TodayState(**{**base, **kw})


def test_remaining_orders_take_finished_goods_most_urgent_first() -> None:
    plant = load_yaml(ZHENGZHOU)
    orders, allocated = remaining_orders(plant, state())
    left = {o.id: o.qty for o in orders}
    # Water meters made and not shipped (4,000) go to the most urgent water order: both
    # ZZ-W-101 (due 12-31) and ZZ-H-103 (01-10) are livelihood; 12-31 comes first.
    assert allocated == {"ZZ-W-101": 4000, "HN-AG-106": 400}
    assert left["ZZ-W-101"] == 60_000 - 4000
    assert left["ZZ-G-102"] == 30_000 - 1500
    assert left["HN-AG-106"] == 20_000 - 400
    assert left["EX-SA-107"] == 80_000  # standard water: nothing allocated
    # An order fully shipped disappears; an overdue one is due today.
    orders, _ = remaining_orders(
        plant, state(shipped={"ZZ-G-102": 30_000}, start=dt.date(2027, 1, 5))
    )
    ids = {o.id: o for o in orders}
    assert "ZZ-G-102" not in ids
    assert ids["ZZ-W-101"].due == dt.date(2027, 1, 5)  # was 2026-12-31
    assert ids["ZZ-H-103"].due == dt.date(2027, 1, 10)


def test_plant_and_scenario_for_today() -> None:
    plant = load_yaml(ZHENGZHOU)
    s = state(
        receipts=[Receipt("PO-9", "mcu-chip", 10_000, dt.date(2026, 12, 5))],
        lockdowns=[
            Lockdown("region", "440300", D1, None),
            Lockdown("region", "999999", D1, None),
        ],  # no supplier there: ignored
        slow_lanes=[SlowLane("610100", 4, dt.date(2026, 12, 3), dt.date(2026, 12, 5))],
    )
    today, scenario = plant_for_today(plant, s, horizon=90)
    assert today.horizon_start == D1
    mats = {m.id: m for m in today.materials}
    assert mats["mcu-chip"].on_hand == 94_100
    assert mats["brass-body"].on_hand == 60_000  # no ledger entry: the plant file's
    inbound = [o for o in mats["mcu-chip"].supply_options if o.supplier.startswith("inbound-")]
    assert len(inbound) == 1
    assert (
        inbound[0].supplier,
        inbound[0].capacity_per_day,
        inbound[0].lead_time_days,
        inbound[0].unit_cost,
    ) == ("inbound-po-9", 10_000, 0, 0)
    windows = {(d.kind.value, d.id, d.start_day, d.days) for d in scenario.disruptions}
    # PO-9 arrives 2026-12-05 = day 3: blocked on days 0-2 and 4-89 (86 days).
    # Shenzhen down from day 0 to the horizon's end: 90 days.
    assert windows == {
        ("supplier", "inbound-po-9", 0, 3),
        ("supplier", "inbound-po-9", 4, 86),
        ("region", "440300", 0, 90),
    }
    # Xi'an's lane at 4 days instead of 2 on 12-03..12-05: +2 days on days 1-3.
    (delay,) = scenario.transit_delays
    assert (delay.region, delay.extra_days, delay.start_day, delay.days) == ("610100", 2, 1, 3)
    # The rewritten plant and the scenario are valid for each other.
    assert check_references(today) == []
    assert check_scenario(scenario, today) == []
