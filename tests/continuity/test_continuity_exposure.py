"""Time to survive and performance impact, by hand and as an invariant."""

from __future__ import annotations

import pytest

from keepline.continuity import exposure as ex_module
from keepline.continuity.exposure import exposure, exposure_input
from keepline.continuity.model import build_input
from keepline.continuity.willems import chain_path, convert
from keepline.plant.yamlio import load_yaml
from keepline.scenario import Scenario, load_scenario
from tests.conftest import EXAMPLES, XUZHOU, ZHENGZHOU, shared_data

from .continuity_factory import order, random_plant, tiny_plant


def supplier_plant(backup: bool):
    # 10 widgets due every day 0..29, 1 kg of steel each; 100 kg on hand. The primary
    # supplier (lead 0, 50 kg/day) keeps everyone served when it is up.
    opts = [
        {
            "supplier": "main",
            "priority": 1,
            "lead_time_days": 0,
            "capacity_per_day": 50,
            "unit_cost": 1,
        }
    ]
    sups = [{"id": "main", "name": "Main", "region_code": "110000"}]
    if backup:
        opts.append(
            {
                "supplier": "spare",
                "priority": 2,
                "lead_time_days": 0,
                "capacity_per_day": 50,
                "unit_cost": 2,
                "activation_days": 4,
            }
        )
        sups.append({"id": "spare", "name": "Spare", "region_code": "120000"})
    return tiny_plant(
        rate=20,
        materials=[
            {
                "id": "steel",
                "name": "Steel",
                "kind": "raw",
                "unit": "kg",
                "on_hand": 100,
                "supply_options": opts,
            }
        ],
        suppliers=sups,
        orders=[order(f"d{d:02d}", 10, d) for d in range(30)],
    )


def by_id(nodes, kind, node_id):
    return next(n for n in nodes if (n.kind, n.id) == (kind, node_id))


def test_tts_ten_days_of_stock_no_backup():
    # Main supplier down for good: 100 kg serve days 0..9 (10 a day); the order due on day
    # 10 is the first that cannot ship. TTS = 10. TTR = 14 (the supplier default): orders
    # due on days 10..13 are lost, 4 × 10 = 40 standard units × weight 1 = PI 40.
    nodes = exposure(supplier_plant(backup=False), horizon=30)
    main = by_id(nodes, "supplier", "main")
    assert main.tts_days == 10
    assert main.ttr_days == 14
    assert main.pi == pytest.approx(40.0)
    assert main.units_short["standard"] == pytest.approx(40.0)
    assert main.flagged


def test_tts_with_backup_that_activates_in_four_days():
    # The spare, activated on day 0, ships from day 4 (activation 4 + lead 0): stock covers
    # days 0..3 and then the spare's 50 kg a day covers the 10 needed. Survives the horizon.
    nodes = exposure(supplier_plant(backup=True), horizon=30)
    main = by_id(nodes, "supplier", "main")
    assert main.tts_days == 30 and main.survives_horizon
    assert main.pi == 0 and not main.flagged
    # the line itself has no stand-in: with no finished stock, TTS = 0
    line = by_id(nodes, "line", "line-1")
    assert line.tts_days == 0 and line.flagged


def test_critical_only_ignores_standard_demand():
    nodes = exposure(supplier_plant(backup=False), horizon=30, critical_only=True)
    main = by_id(nodes, "supplier", "main")
    assert main.tts_days == 30 and main.pi == 0


def test_pi_positive_exactly_when_tts_below_ttr():
    cases = [
        build_input(load_yaml(XUZHOU), horizon=60),
        build_input(load_yaml(ZHENGZHOU), horizon=60),
        build_input(supplier_plant(False), horizon=30),
    ]
    for seed in range(4):
        p, sc = random_plant(seed)
        cases.append(build_input(p, None, Scenario.model_validate(sc), 25))
    flagged = 0
    for inp in cases:
        run = exposure_input(inp, verify=True)  # PI solved for every node
        for n in run.nodes:
            assert (n.pi > 0) == (n.tts_days < min(n.ttr_days, inp.horizon)), (n.kind, n.id)
        flagged += sum(n.flagged for n in run.nodes)
    assert flagged > 0  # the invariant was exercised on both sides


def test_warm_start_gives_the_same_answers_as_from_scratch():
    inp = build_input(load_yaml(XUZHOU), horizon=40)
    nodes = inp.nodes()[:12]
    warm = exposure_input(inp, nodes=nodes)
    cold = exposure_input(inp, nodes=nodes, warm=False)
    key = lambda n: (n.kind, n.id)  # noqa: E731
    for a, b in zip(sorted(warm.nodes, key=key), sorted(cold.nodes, key=key), strict=True):
        assert (a.tts_days, a.flagged) == (b.tts_days, b.flagged)
        assert a.pi == pytest.approx(b.pi, rel=1e-6, abs=1e-6)


# -- exact shortcuts and the cold restart: the same numbers as solving every node --------


def same_numbers(a, b):
    key = lambda n: (n.kind, n.id)  # noqa: E731
    for x, y in zip(sorted(a.nodes, key=key), sorted(b.nodes, key=key), strict=True):
        assert key(x) == key(y)
        assert (x.tts_days, x.flagged) == (y.tts_days, y.flagged), key(x)
        assert x.pi == pytest.approx(y.pi, rel=1e-6, abs=1e-6), key(x)
        for k in x.units_short:
            assert x.units_short[k] == pytest.approx(y.units_short[k], rel=1e-6, abs=1e-6)


def shortcut_cases():
    cases = [
        build_input(load_yaml(XUZHOU), horizon=60),
        build_input(load_yaml(ZHENGZHOU), horizon=60),
        build_input(supplier_plant(False), horizon=30),
        build_input(supplier_plant(True), horizon=30),
    ]
    for seed in range(8):
        p, sc = random_plant(seed)
        cases.append(build_input(p, None, Scenario.model_validate(sc), 25))
    return cases


@pytest.mark.parametrize("verify", [False, True])
def test_shortcuts_give_the_numbers_of_solving_every_node(verify):
    saved = 0
    for inp in shortcut_cases():
        fast = exposure_input(inp, verify=verify)
        ref = exposure_input(inp, verify=verify, shortcuts=False)
        same_numbers(fast, ref)
        saved += fast.answered
        assert ref.answered == 0
    assert saved > 0  # the shortcuts were taken


def compare_on_chain(number):
    chain = convert(chain_path(shared_data("willems"), number), horizon_days=56)
    inp = build_input(chain.plant, horizon=8, outbound=chain.outbound)
    fast = exposure_input(inp)
    same_numbers(fast, exposure_input(inp, shortcuts=False))
    assert fast.answered >= len(chain.outbound)  # every outbound node, at least
    return fast


@pytest.mark.shared_data
@pytest.mark.parametrize("number", [1, 4, 9, 16])
def test_shortcuts_on_willems_chains(number):
    compare_on_chain(number)


@pytest.mark.shared_data
def test_blocks_on_willems_chains():
    # chains 13 and 22: some nodes are solved on their blocks only, some on the whole LP
    runs = [compare_on_chain(n) for n in (13, 22)]
    assert sum(r.blocks for r in runs) > 0
    assert sum(r.solves for r in runs) > 0


def test_cold_restart_gives_the_same_numbers(monkeypatch):
    # every warm solve that needs more than one iteration is restarted from scratch
    monkeypatch.setattr(ex_module, "WARM_ITERATIONS", 1)
    cold = 0
    for inp in shortcut_cases()[:6]:
        fast = exposure_input(inp, verify=True)
        same_numbers(fast, exposure_input(inp, verify=True, shortcuts=False))
        cold += fast.cold_restarts
    assert cold > 0


def test_supplier_with_stock_for_the_horizon_needs_no_solve():
    # 300 kg on hand serve the 30 × 10 widgets with no purchase at all: the plan that
    # buys least is a witness, so the main supplier's loss costs nothing (TTS = horizon,
    # PI 0) and is answered without a solve; the line still needs one.
    p = supplier_plant(backup=False)
    p.materials[0].on_hand = 300
    inp = build_input(p, horizon=30)
    run = exposure_input(inp, nodes=[("supplier", "main")])
    main = run.nodes[0]
    assert main.tts_days == 30 and main.pi == 0 and not main.flagged
    base = exposure_input(inp, nodes=[])
    assert run.solves == base.solves  # baseline and witness solves only
    line = exposure_input(inp, nodes=[("line", "line-1")])
    assert line.solves > base.solves and line.nodes[0].tts_days == 0


def test_outbound_node_from_the_witness_by_hand():
    # An outbound node carrying the orders due on days 3 and 5 (10 units each, all met at
    # baseline): TTS = 3, the first of them; with TTR 7 days both are lost within it,
    # PI = 2 × 10 × weight 1 = 20. No solve beyond the baseline's.
    p = supplier_plant(backup=False)
    p.materials[0].on_hand = 300
    inp = build_input(p, horizon=30, outbound={"road": ["d03", "d05"]})
    inp.ttr_days[("lane", "road")] = 7
    run = exposure_input(inp, nodes=[("lane", "road")])
    road = run.nodes[0]
    assert road.tts_days == 3 and road.pi == pytest.approx(20.0) and road.flagged
    assert road.units_short["standard"] == pytest.approx(20.0)
    assert run.solves == exposure_input(inp, nodes=[]).solves
    ref = exposure_input(inp, nodes=[("lane", "road")], shortcuts=False)
    assert ref.solves > run.solves
    same_numbers(run, ref)


def test_blocks_give_the_same_numbers_on_random_plants(monkeypatch):
    # every node whose blocks are smaller than the plant is solved on them, however large
    monkeypatch.setattr(ex_module, "BLOCK_SHARE", 1.0)
    blocks = 0
    for seed in range(30):
        p, sc = random_plant(seed)
        inp = build_input(p, None, Scenario.model_validate(sc), 25)
        fast = exposure_input(inp, verify=True)
        same_numbers(fast, exposure_input(inp, verify=True, shortcuts=False))
        blocks += fast.blocks
    assert blocks > 0


def _down(node_id: str, start: int, days: int) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "main down",
            "disruptions": [{"kind": "supplier", "id": node_id, "start_day": start, "days": days}],
        }
    )


def test_node_down_in_the_scenario_is_shown_down_from_the_scenarios_state():
    # Issue 14.5. Main supplier down on days 0..11 in the scenario (no backup): the 100 kg
    # on hand serve the orders due on days 0..9; those due on days 10 and 11 cannot ship
    # on time (the undisrupted plant ships them); from day 12 it buys again (lead 0) and
    # the line makes 20 a day. So under the scenario: down days 0-11, TTS 10, TTR = the
    # day it is back, 12: flagged; PI = 2 orders × 10 standard units × weight 1 = 20.
    plant = supplier_plant(backup=False)
    main = by_id(exposure(plant, _down("main", 0, 12), horizon=30), "supplier", "main")
    assert (main.down_from, main.back) == (0, 12)
    assert (main.tts_days, main.ttr_days) == (10, 12) and main.flagged
    assert main.pi == pytest.approx(20.0)
    assert main.units_short == {"front-line": 0.0, "livelihood": 0.0, "standard": 20.0}
    assert main.to_dict()["down_in_scenario"] == {"from_day": 0, "back_day": 12}
    # down on days 12..19 instead: up until then, it buys ahead (50 kg a day, 10 used),
    # so every order ships: survives the horizon, down but not flagged
    later = by_id(exposure(plant, _down("main", 12, 8), horizon=30), "supplier", "main")
    assert (later.down_from, later.back, later.tts_days, later.pi) == (12, 20, 30, 0.0)
    assert not later.flagged
    # with no scenario it is an ordinary node, taken down from day 0 (TTS 10, TTR 14)
    base = by_id(exposure(plant, horizon=30), "supplier", "main")
    assert base.down_from is None and base.to_dict()["down_in_scenario"] is None
    assert (base.tts_days, base.ttr_days) == (10, 14)


def test_exposure_under_the_optics_and_control_area_scenarios_is_not_the_baseline():
    plant = load_yaml(XUZHOU)
    scn = EXAMPLES / "scenarios"
    base = exposure(plant, None, 90)
    optics = exposure(plant, load_scenario(scn / "xuzhou-optics-supplier-down.yaml", plant), 90)
    control = exposure(plant, load_scenario(scn / "xuzhou-control-area-21d.yaml", plant), 90)
    # the optics supplier is down in its scenario (days 3-32, back on day 33), not in the
    # baseline, where it is tested down from day 0 with its recovery time of 21 days
    sz = by_id(optics, "supplier", "shenzhen-optics")
    assert (sz.down_from, sz.back, sz.ttr_days) == (3, 33, 33)
    b = by_id(base, "supplier", "shenzhen-optics")
    assert b.down_from is None and b.ttr_days == 21
    assert [n.id for n in optics if n.down_from is not None] == ["shenzhen-optics"]
    assert not [n for n in base + control if n.down_from is not None]
    # the control area keeps commuters out for 21 days: a node the baseline survives
    # (Shanghai's supplier region) is flagged, and the tables differ
    assert by_id(control, "region", "310115").flagged
    assert not by_id(base, "region", "310115").flagged

    def table(nodes):
        return [(n.kind, n.id, n.tts_days, n.ttr_days, round(n.pi)) for n in nodes]

    assert table(control) != table(base) and table(optics) != table(base)
