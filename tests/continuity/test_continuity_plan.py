"""The plan on small instances whose optimum is worked out by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from keepline.continuity import face as face_module
from keepline.continuity import lp as lpm
from keepline.continuity import plan as plan_module
from keepline.continuity.check import check_schedule
from keepline.continuity.lp import SolverOptions
from keepline.continuity.model import build_input, lateness
from keepline.continuity.plan import by_class, plan, plan_input
from keepline.errors import InputError
from keepline.plant.yamlio import load_yaml
from keepline.scenario import Scenario
from keepline.workforce import full_workforce
from tests.conftest import XUZHOU, ZHENGZHOU

from .continuity_factory import order, random_plant, tiny_plant

# the two ways the levels are solved: simplex with each optimum held as a row (small
# plans), interior point on each level's optimal face (large plans, forced here)
METHODS = pytest.mark.parametrize("method", ["simplex", "ipm"])


def steel(on_hand: float, options: list | None = None) -> list[dict]:
    return [
        {
            "id": "steel",
            "name": "Steel",
            "kind": "raw",
            "unit": "kg",
            "on_hand": on_hand,
            "supply_options": options or [],
        }
    ]


@METHODS
def test_capacity_and_material_by_hand(method):
    # Line makes 10/day; 50 kg of steel, 1 kg per widget, nothing to buy; horizon 6 days.
    # A (front-line, 30, due day 2) takes days 0-2 at full rate: 30 on time.
    # B (standard, 40, due day 3) gets the 20 kg left: 10 made on day 3 (on time), 10 on
    # day 4 (1 day late); 20 never made, late from day 3 to the horizon end (6): 3 days.
    # B's weighted lateness = 10·1 + 20·3 = 70 unit-days × penalty 1 = 70.
    p = tiny_plant(
        materials=steel(50), orders=[order("A", 30, 2, "front-line"), order("B", 40, 3, "standard")]
    )
    res = plan(p, horizon=6, opts=SolverOptions(solver=method))
    assert res.violations == []
    assert res.lp_lateness_by_class == pytest.approx(
        {"front-line": 0.0, "livelihood": 0.0, "standard": 70.0}, abs=1e-4
    )
    assert res.lateness_by_class["standard"] == pytest.approx(70.0)
    a, b = res.orders
    assert a.shipped_by_due == 30
    assert (b.shipped_by_due, b.units_late, b.units_unshipped) == (10, 10, 20)
    assert res.units_lost_by_class()["standard"] == 20
    # B's reason names the steel
    assert any("B (standard" in e and "material steel short" in e for e in res.explanations)


def test_crew_share_limits_rate_by_hand():
    # 3 of the 5 assemblers the line needs: it runs at 3/5 of 10 = 6 units a day.
    # Order of 30 due day 4 (5 days, 0-4): 30 made exactly by day 4 → on time;
    # order of 31 would leave 1 unit for day 5: 1 unit-day late.
    p = tiny_plant(workers=3, orders=[order("A", 31, 4)])
    res = plan(p, horizon=10)
    assert res.violations == []
    assert res.lp_lateness_by_class["standard"] == pytest.approx(1.0, abs=1e-6)
    assert res.orders[0].shipped_by_due == 30
    wf = full_workforce(p, 10)
    wf.available[:, 0, 0, 0] = 5.0  # everyone back: 10 a day, 31 by day 3
    assert plan(p, wf, horizon=10).lp_lateness_by_class["standard"] == pytest.approx(0, abs=1e-6)


def test_lead_time_lane_and_extra_transit_by_hand():
    # No steel on hand; supplier lead 2 days, its region's lane 1 day, and the scenario
    # adds 1 day for dispatches on day 2: ordered day 0, dispatched day 2, arrives day 4.
    # 10 widgets due day 3 can only be made on day 4: 10 units × 1 day × penalty 3 = 30.
    p = tiny_plant(
        materials=steel(
            0,
            [
                {
                    "supplier": "sup",
                    "priority": 1,
                    "lead_time_days": 2,
                    "capacity_per_day": 100,
                    "unit_cost": 1,
                }
            ],
        ),
        suppliers=[{"id": "sup", "name": "Sup", "region_code": "110000"}],
        lanes=[{"id": "bj", "from_region": "110000", "transit_days": 1}],
        orders=[order("A", 10, 3, penalty=3)],
    )
    sc = Scenario(
        name="slow",
        transit_delays=[{"region": "110000", "start_day": 2, "days": 1, "extra_days": 1}],
    )
    res = plan(p, scenario=sc, horizon=8)
    assert res.violations == []
    assert res.lateness_by_class["standard"] == pytest.approx(30.0)
    # (ordering on day 1 instead, dispatch day 3 + 1 transit, also arrives on day 4)
    assert min(r["arrival_date"] for r in res.record().to_json()["purchases"]) == "2026-01-05"
    # without the delay it arrives on day 3: on time
    assert plan(p, horizon=8).lateness_by_class["standard"] == 0


@METHODS
def test_backup_activation_by_hand(method):
    # Primary supplier down the whole horizon; backup needs 3 days to activate, lead 1:
    # earliest order day 3, dispatch (and arrival, transit 0) day 4. The line makes 100 a
    # day, so 20 due day 4 are on time; activation must start on day 0 (3 + 1 = 4 days
    # before the arrival); the plan says so.
    opts = [
        {
            "supplier": "a",
            "priority": 1,
            "lead_time_days": 0,
            "capacity_per_day": 50,
            "unit_cost": 1,
        },
        {
            "supplier": "b",
            "priority": 2,
            "lead_time_days": 1,
            "capacity_per_day": 50,
            "unit_cost": 2,
            "activation_days": 3,
            "activation_cost": 100,
        },
    ]
    p = tiny_plant(
        materials=steel(0, opts),
        rate=100,
        suppliers=[
            {"id": "a", "name": "A", "region_code": "110000"},
            {"id": "b", "name": "B", "region_code": "120000"},
        ],
        orders=[order("X", 20, 4)],
    )
    sc = Scenario(
        name="a down", disruptions=[{"kind": "supplier", "id": "a", "start_day": 0, "days": 30}]
    )
    res = plan(p, scenario=sc, horizon=8, opts=SolverOptions(solver=method))
    assert res.violations == []
    assert res.lateness_by_class["standard"] == 0
    (b,) = res.record().to_json()["backups"]
    assert (b["supplier"], b["activate_by"], b["first_order"]) == ("b", "2026-01-01", "2026-01-04")
    # 20 kg at 2 + activation 100 = 140
    assert res.cost() == pytest.approx(140.0)


@METHODS
def test_priority_is_strict_when_material_is_scarce(method):
    # 50 kg for 100 widgets wanted. The standard order pays 1000 per unit-day, the
    # front-line order 1: a weighted sum would feed the standard order; strict priority
    # gives every kg to front-line first. No standard unit ships while a front-line unit
    # due no later is short.
    p = tiny_plant(
        materials=steel(50),
        rate=100,
        orders=[order("FL", 50, 3, "front-line", 1), order("ST", 50, 3, "standard", 1000)],
    )
    res = plan(p, horizon=6, opts=SolverOptions(solver=method))
    fl, st = res.orders
    assert fl.shipped_by_due == 50 and fl.weighted_lateness == 0
    assert st.shipped_in_horizon == 0
    assert res.violations == []


def test_no_standard_unit_while_front_line_short_random():
    for seed in range(12):
        p, sc = random_plant(seed)
        res = plan(p, scenario=Scenario.model_validate(sc), horizon=25, baseline=False)
        inp, s = res.inp, res.lp.schedule
        for o in range(len(inp.order_ids)):
            if inp.order_rank[o] != 0 or inp.order_due[o] >= inp.horizon:
                continue
            short = inp.order_qty[o] - s.ship[o, : inp.order_due[o] + 1].sum()
            if short <= 1e-6:
                continue
            # a front-line order is short by its due date: no standard order for the same
            # product with a due date no earlier may have shipped by then
            for k in range(len(inp.order_ids)):
                if (
                    inp.order_rank[k] == 2
                    and inp.order_product[k] == inp.order_product[o]
                    and inp.order_due[k] >= inp.order_due[o]
                ):
                    assert s.ship[k, : inp.order_due[o] + 1].sum() <= 1e-6


def test_face_levels_equal_held_levels_random(monkeypatch):
    """The interior-point levels on each optimal face reach the same level optima as
    simplex with every optimum held as a row, on random plants with disruptions. The
    reference holds each optimum to 1e-9: the plan's own held rows give each level up to
    1e-6 of its largest coefficient, which a later class can turn into a visible gain
    (seed 22: 0.0012 front-line unit-days buy 0.015 livelihood ones)."""

    compared = beside = 0
    for seed in range(30):
        p, sc = random_plant(seed)
        kw = {"scenario": Scenario.model_validate(sc), "horizon": 25, "baseline": False}
        face = plan(p, opts=SolverOptions(solver="ipm"), **kw)
        with monkeypatch.context() as m:
            m.setattr(plan_module, "_level_slack", lambda v, c, offset=0.0: 1e-9)
            held = plan(p, opts=SolverOptions(solver="simplex"), **kw)
        assert face.lp.solver.startswith("ipm on the optimal face")
        beside += "all on time" in face.lp.solver
        assert check_schedule(face.inp, face.lp.schedule) == []
        for name, v in held.lp.level_values.items():
            tol = 1e-5 + 1e-8 * abs(v)
            assert face.lp.level_values[name] == pytest.approx(v, abs=tol), (seed, name)
        compared += len(held.lp.level_values)
    assert compared > 60
    # both ways occur: a class all on time with the next level solved beside it on the
    # on-time set, and none (each next level on the face of the duals)
    assert 0 < beside < 30


@pytest.mark.parametrize("seed", [2, 7, 22])
def test_face_that_drifts_falls_back_to_held_rows(monkeypatch, seed):
    """With no bound fixed (every dual taken as zero) a later level is free to spoil an
    earlier one; the final check sees it and the levels are solved again with held rows,
    which keep the earlier optima."""

    p, sc = random_plant(seed)
    kw = {"scenario": Scenario.model_validate(sc), "horizon": 25, "baseline": False}
    good = plan(p, opts=SolverOptions(solver="ipm"), **kw)
    monkeypatch.setattr(face_module, "FACE_DUAL_TOL", 1e30)
    res = plan(p, opts=SolverOptions(solver="ipm"), **kw)
    assert res.lp.solver == "ipm, held levels"
    for name, v in good.lp.level_values.items():
        if name != "cost":
            assert res.lp.level_values[name] == pytest.approx(v, abs=1e-2 + 1e-6 * abs(v))


def test_contradiction_names_the_order_and_product():
    p = tiny_plant(orders=[order("JS-041", 5, 2)])
    inp = build_input(p, horizon=5)
    broken = dataclasses.replace(
        inp,
        product_ids=("qpcr-96",),
        pair_line=np.zeros(0, int),
        pair_product=np.zeros(0, int),
        pair_rate=np.zeros(0),
    )
    with pytest.raises(InputError) as exc:
        plan_input(broken)
    assert str(exc.value) == "order JS-041: product qpcr-96 has no line that can make it"


def test_workforce_shorter_than_horizon_is_refused():
    p = tiny_plant(orders=[order("A", 5, 2)])
    with pytest.raises(InputError, match="workforce: covers 3 days, the horizon is 5"):
        plan(p, full_workforce(p, 3), horizon=5)


def test_checker_catches_broken_plans():
    p = tiny_plant(materials=steel(50), orders=[order("A", 30, 2)])
    res = plan(p, horizon=6)
    inp, good = res.inp, res.schedule
    assert check_schedule(inp, good, integral=True) == []
    over = dataclasses.replace(good, produce=good.produce * 2)  # beyond rate and steel
    msgs = check_schedule(inp, over)
    assert any("of its daily rate" in m for m in msgs)
    ship = good.ship.copy()
    ship[0, 0] += 5  # ships before it is made
    assert any(
        "more than made" in m for m in check_schedule(inp, dataclasses.replace(good, ship=ship))
    )
    down = dataclasses.replace(inp, zone_down=np.ones_like(inp.zone_down))
    assert any("zone is down" in m for m in check_schedule(down, good))
    frac = dataclasses.replace(good, produce=good.produce + 0.5 * (good.produce > 0))
    assert any("whole unit" in m for m in check_schedule(inp, frac, integral=True))


def test_crew_rows_that_cannot_bind_are_left_out():
    # one line needing 5 assemblers a shift: 5 workers cover the full crew every day
    # (load ≤ 5 × utilisation ≤ 5), so the crew row cannot bind and is not built;
    # with 4 it can bind (the line then runs at most 4/5 of its rate) and is kept
    for workers, kept in ((5, 0), (4, 1)):
        inp = build_input(tiny_plant(workers=workers, orders=[order("A", 50, 5)]), horizon=10)
        loose = lpm.build(inp, "plan", drop_loose_crews=True)
        full = lpm.build(inp, "plan")
        assert len(full.crew_keys) == 1
        assert len(loose.crew_keys) == kept
        assert full.n_row - loose.n_row == (1 - kept) * inp.horizon
    # 4 workers: 8 widgets a day (10 × 4/5), so 48 of the 50 by day 5 (days 0..5)
    res = plan(tiny_plant(workers=4, orders=[order("A", 50, 5)]), horizon=10, baseline=False)
    assert res.orders[0].shipped_by_due == pytest.approx(48)


def test_leaving_out_loose_crew_rows_keeps_every_level_optimum(monkeypatch):
    # the same plans with every crew row built: the same optimum at every level
    build = lpm.build
    dropped = kept = 0
    for seed in range(25):
        p, sc = random_plant(seed)
        kw = {"scenario": Scenario.model_validate(sc), "horizon": 25, "baseline": False}
        loose = plan(p, **kw)
        n_all = len(lpm.all_crews(loose.inp))
        dropped += n_all - len(loose.lp.model.crew_keys)
        kept += len(loose.lp.model.crew_keys)
        with monkeypatch.context() as m:
            m.setattr(
                lpm, "build", lambda inp, mode="plan", drop_loose_crews=False: build(inp, mode)
            )
            full = plan(p, **kw)
        assert len(full.lp.model.crew_keys) == n_all
        for name, v in full.lp.level_values.items():
            assert loose.lp.level_values[name] == pytest.approx(v, abs=1e-6 + 1e-8 * abs(v)), (
                seed,
                name,
            )
    assert dropped > 0 and kept > 0  # both kinds occur


@pytest.mark.parametrize("which", ["xuzhou", "zhengzhou"])
def test_later_levels_keep_each_class_lateness_within_its_tolerance(which):
    # a held level may give up 1e-9 of its class's weighted lateness plus 1e-6 of its
    # largest coefficient (penalty × horizon days), no more. Before, 1e-9 was taken of
    # the level objective, which carries the constant Σ penalty·qty·(T − due)
    # (5.1e7 for Zhengzhou's livelihood orders): the cost level then bought cheaper
    # chips with 0.051 livelihood unit-days, which rounding turned into a whole unit
    res = plan(load_yaml(XUZHOU if which == "xuzhou" else ZHENGZHOU), horizon=90, baseline=False)
    inp = res.inp
    lp_late = by_class(inp, lateness(inp, res.lp.schedule.ship))
    for rank, name in enumerate(("front-line", "livelihood", "standard")):
        bound = res.lp_lateness_by_class[name]
        mine = inp.order_rank == rank
        biggest = float((inp.order_penalty[mine] * inp.horizon).max()) if mine.any() else 0.0
        assert lp_late[name] <= bound + 1e-9 * max(1.0, bound) + 1e-6 * biggest + 1e-9, name


def test_an_order_the_lp_ships_on_time_is_explained_by_rounding():
    # random plant 3: the LP ships o5 (22 × p3) in full by its due date; the whole-unit
    # plan ships 21 on time and 1 late. Its duals would name binding rows that do not
    # hold it back, so the sentence says where it slipped
    p, sc = random_plant(3)
    res = plan(p, scenario=Scenario.model_validate(sc), horizon=25)
    assert res.source == "lp"
    o = res.inp.order_ids.index("o5")
    due = int(res.inp.order_due[o])
    assert res.lp.schedule.ship[o, : due + 1].sum() == pytest.approx(22)
    assert res.orders[o].shipped_by_due == 21
    (line,) = [e for e in res.explanations if e.startswith("o5 ")]
    assert line.endswith(
        "21 on time, 1 late. The LP plan ships it in full on time; it slips in rounding "
        "to whole units (a line's room, the workers and the materials are shared out one "
        "unit at a time)."
    )
    # the other orders at risk are late in the LP too and keep their reasons
    assert all("slips in rounding" not in e for e in res.explanations if e is not line)
