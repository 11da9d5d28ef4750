"""Days of cover and reorder/backup warnings against cases worked by hand.

The numbers come from the Zhengzhou reference plant (898 workers; MCU chips 60,000 on
hand, safety 10,000; full-rate chip use 4,000 water + 1,500 gas + 400 controllers =
5,900 a day; shenzhen-xinpian 5 d lead + 3 d transit; xian-semi 7 d activation + 6 d
lead + 2 d transit).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from keepline.materials.cover import (
    PreventionUse,
    ScreeningRegime,
    bom_daily_use,
    days_of_cover,
    first_day_below,
    prevention_daily_use,
    projected_stock,
    samples_per_round,
)
from keepline.materials.reorder import (
    MaterialState,
    Option,
    latest_order_day,
    outlook,
    suggest,
)

NO_SCREENING = ScreeningRegime()


def test_masks_per_worker_day() -> None:
    use = prevention_daily_use(PreventionUse("mask", per_worker_day=2), 898, 9, NO_SCREENING)
    assert use == 898 * 2 == 1796
    # 30,000 masks / 1,796 a day = 16.70 days.
    assert days_of_cover(30_000, use) == pytest.approx(30_000 / 1796)
    assert days_of_cover(30_000, use) == pytest.approx(16.7038, abs=1e-4)


def test_swabs_and_tubes_under_pooled_screening() -> None:
    regime = ScreeningRegime(
        rounds_per_week=2, pool_size=10, per_pool_materials=frozenset({"tube"})
    )
    # Swabs: one per person sampled: 898 per round x 2 rounds / 7 days = 256.571 a day.
    swab = prevention_daily_use(PreventionUse("swab", per_sample=1), 898, 9, regime)
    assert swab == pytest.approx(898 * 2 / 7)
    assert swab == pytest.approx(256.5714, abs=1e-4)
    # Tubes: 10-in-1 pools: ceil(898 / 10) = 90 tubes per round x 2 / 7 = 25.714 a day.
    assert samples_per_round("tube", 898, regime) == 90
    tube = prevention_daily_use(PreventionUse("tube", per_sample=1), 898, 9, regime)
    assert tube == pytest.approx(90 * 2 / 7)
    # 5,000 tubes last 5000 / 25.714 = 194.4 days; single-tube testing 5000/256.57 = 19.5.
    assert days_of_cover(5000, tube) == pytest.approx(194.444, abs=1e-3)
    single = prevention_daily_use(
        PreventionUse("tube", per_sample=1), 898, 9, ScreeningRegime(rounds_per_week=2)
    )
    assert days_of_cover(5000, single) == pytest.approx(19.488, abs=1e-3)


def test_disinfectant_per_worker_and_per_zone() -> None:
    # 0.03 l x 898 workers = 26.94 l, plus 2 l x 9 zones = 18 l: 44.94 l a day.
    use = prevention_daily_use(
        PreventionUse("disinfectant", per_worker_day=0.03, per_zone_day=2), 898, 9, NO_SCREENING
    )
    assert use == pytest.approx(44.94)
    assert days_of_cover(1500, use) == pytest.approx(1500 / 44.94)  # 33.38 days


def test_days_of_cover_over_a_series() -> None:
    # Use 30, 30, 50, 10: cumulative 30, 60, 110. 100 units cover days 0 and 1 and
    # 40 of day 2's 50: 2 + 40/50 = 2.8 days.
    assert days_of_cover(100, np.array([30, 30, 50, 10])) == pytest.approx(2.8)
    # Past the series the last day's use continues: 100 - 30 = 70 left after 2 days,
    # at 20 a day: 2 + 70/20 = 5.5.
    assert days_of_cover(100, np.array([10, 20])) == pytest.approx(5.5)
    assert days_of_cover(100, np.array([0.0, 0.0])) == math.inf
    assert days_of_cover(0, 5.0) == 0.0
    with pytest.raises(ValueError):
        days_of_cover(10, np.array([-1.0]))


def test_bom_use_from_a_plan() -> None:
    # Day 0: 10 water meters and 5 controllers; BOM water {chip 1}, controller
    # {chip 1, battery 2}: chips 10 + 5 = 15, batteries 0 + 10 = 10.
    production = np.array([[10.0, 5.0], [0.0, 1.0]])
    bom = np.array([[1.0, 0.0], [1.0, 2.0]])
    assert bom_daily_use(production, bom).tolist() == [[15.0, 10.0], [1.0, 2.0]]


def test_projection_counts_a_receipt_on_its_day() -> None:
    stock = projected_stock(10, np.array([4, 4, 4, 4]), np.array([0, 0, 5, 0]))
    # 10-4=6, 6-4=2, 2+5-4=3, 3-4=-1
    assert stock.tolist() == [6, 2, 3, -1]
    assert first_day_below(stock, 0) == 3
    assert first_day_below(stock, 5) == 1


SHENZHEN = Option(
    "shenzhen-xinpian", 1, lead_time_days=5, transit_days=3, min_order=10_000, capacity_per_day=8000
)
XIAN = Option(
    "xian-semi",
    2,
    lead_time_days=6,
    transit_days=2,
    min_order=5000,
    capacity_per_day=4000,
    activation_days=7,
    active=False,
)


def chips(*options: Option, horizon: int = 40) -> MaterialState:
    return MaterialState(
        "mcu-chip", "pcs", 60_000, 10_000, np.full(horizon, 5900.0), np.zeros(horizon), options
    )


def test_chips_reorder_from_the_primary() -> None:
    out = outlook(chips(SHENZHEN, XIAN))
    # End of day d: 60,000 - 5,900 (d + 1). Below 10,000 when d + 1 > 8.47: day 8
    # (6,900); below 0 when d + 1 > 10.17: day 10 (-4,900).
    assert out.below_safety_day == 8
    assert out.runs_out_day == 10
    # The primary arrives on day 5 + 3 = 8 <= 10: no warning.
    assert out.warning is None
    s = out.suggestion
    assert s is not None and s.supplier == "shenzhen-xinpian"
    # Arrives day 8; stock at the end of day 8 + 14 - 1 = 21 is 60,000 - 5,900 x 22 =
    # -69,800; up to the 10,000 safety level: 79,800 (above the 10,000 minimum).
    assert s.arrives_day == 8
    assert s.qty == pytest.approx(79_800)
    # Order by: safety breach day 8 - 8 days to deliver = day 0 (today).
    assert s.order_by_day == 0
    # 79,800 / 8,000 a day = 9.975: 10 days of the supplier's capacity.
    assert s.days_to_fill == 10


def test_small_need_rounds_up_to_the_minimum_order() -> None:
    horizon = 30
    state = MaterialState(
        "mask",
        "pcs",
        1000,
        500,
        np.full(horizon, 10.0),
        np.zeros(horizon),
        (Option("medsupply", 1, 1, 0, min_order=5000),),
    )
    # Arrival day 1; end of day 14: 1000 - 10 x 15 = 850 >= 500: nothing to order.
    assert suggest(state, state.options[0]) is None
    # With 100 a day: end of day 14: 1000 - 1500 = -500; need 500 + 500 = 1,000 -> 5,000.
    busy = MaterialState(
        "mask", "pcs", 1000, 500, np.full(horizon, 100.0), np.zeros(horizon), state.options
    )
    s = suggest(busy, busy.options[0])
    assert s is not None and s.qty == 5000


def test_region_lockdown_names_the_backup_even_when_late() -> None:
    locked = Option(
        **{
            **SHENZHEN.__dict__,
            "dispatch_blocked": np.ones(40, dtype=bool),
            "status_note": "region 440300 locked down",
        }
    )
    out = outlook(chips(locked, XIAN))
    w = out.warning
    assert w is not None
    assert w.runs_out_day == 10 and w.primary_arrival_day is None
    # xian-semi: 7 activation + 6 lead + 2 transit = 15 days; runs out on day 10, so it
    # is 5 days late and "activate by" 10 - 15 = -5 (already past: activate now).
    assert w.backup == "xian-semi"
    assert w.backup_arrival_day == 15
    assert w.late_days == 5
    assert w.activate_by_day == -5
    assert "440300" in w.reason and "activate xian-semi now" in w.reason
    # The suggestion moves to the backup: arrival 15, end of day 28: 60,000 - 5,900 x 29
    # = -111,100, need 121,100; 121,100 / 4,000 = 30.3 -> 31 days to fill.
    s = out.suggestion
    assert s is not None and s.supplier == "xian-semi"
    assert s.qty == pytest.approx(121_100)
    assert s.days_to_fill == 31


def test_backup_in_time_gives_the_activate_by_date() -> None:
    horizon = 30
    primary = Option(
        "zhengzhou-medsupply",
        1,
        1,
        0,
        min_order=5000,
        dispatch_blocked=np.ones(horizon, dtype=bool),
        status_note="supplier locked down",
    )
    backup = Option("luoyang-medsupply", 2, 2, 1, min_order=5000, activation_days=2, active=False)
    state = MaterialState(
        "mask-kn95",
        "pcs",
        30_000,
        10_000,
        np.full(horizon, 1796.0),
        np.zeros(horizon),
        (primary, backup),
    )
    w = outlook(state).warning
    assert w is not None
    # 30,000 - 1,796 (d + 1) < 0 first when d + 1 = 17 (-532): day 16.
    assert w.runs_out_day == 16
    # Backup: 2 activation + 2 lead + 1 transit = 5 days: activate by day 16 - 5 = 11,
    # or arrive on day 5 if activated today.
    assert (w.backup, w.activate_by_day, w.backup_arrival_day, w.late_days) == (
        "luoyang-medsupply",
        11,
        5,
        0,
    )


def test_no_backup_when_the_primary_comes_sooner() -> None:
    # Shenzhen cannot dispatch on days 0-7: an order placed today would leave on day 5
    # (lead time) but waits until day 8 and arrives on 8 + 3 = 11, after the day-10
    # stock-out but before xian-semi (15): no backup helps.
    blocked = np.zeros(40, dtype=bool)
    blocked[:8] = True
    reopening = Option(**{**SHENZHEN.__dict__, "dispatch_blocked": blocked})
    assert reopening.earliest_arrival() == 11
    w = outlook(chips(reopening, XIAN)).warning
    assert w is not None
    assert w.primary_arrival_day == 11 and w.backup is None and w.late_days == 1
    assert "no backup arrives sooner" in w.reason
    # A lockdown that ends before the dispatch day does not delay anything.
    early = np.zeros(40, dtype=bool)
    early[:5] = True
    assert Option(**{**SHENZHEN.__dict__, "dispatch_blocked": early}).earliest_arrival() == 8


def test_activate_by_skips_blocked_dispatch_days() -> None:
    # A backup that takes 5 days to dispatch and 1 in transit, blocked on days 6-8: to
    # arrive by day 10 it must dispatch by day 9 (day 9 is free): order by day 4. Blocked
    # on 6-9 instead: dispatch by day 5 at the latest, order by day 0.
    b = np.zeros(20, dtype=bool)
    b[6:9] = True
    opt = Option("b", 2, lead_time_days=5, transit_days=1, dispatch_blocked=b)
    assert latest_order_day(opt, 10) == 4
    b2 = np.zeros(20, dtype=bool)
    b2[6:10] = True
    opt2 = Option("b", 2, lead_time_days=5, transit_days=1, dispatch_blocked=b2)
    assert latest_order_day(opt2, 10) == 0
    assert opt2.earliest_arrival(0) == 6 and opt2.earliest_arrival(1) == 11


def test_scheduled_receipts_push_the_stock_out_back() -> None:
    # 30,000 chips arriving on day 9 cover 30,000 / 5,900 = 5.08 more days: the stock
    # first goes negative at the end of day 15 (60,000 + 30,000 - 5,900 x 16 = -4,400).
    receipts = np.zeros(40)
    receipts[9] = 30_000
    state = MaterialState(
        "mcu-chip", "pcs", 60_000, 10_000, np.full(40, 5900.0), receipts, (SHENZHEN,)
    )
    assert outlook(state).runs_out_day == 15
