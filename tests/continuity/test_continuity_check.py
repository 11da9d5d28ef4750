"""The independent checker on random instances, and the optimiser against the greedy
baseline."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keepline.continuity.check import check_schedule
from keepline.continuity.model import lateness
from keepline.continuity.plan import plan
from keepline.plant.yamlio import load_yaml
from keepline.scenario import Scenario, load_scenario
from tests.conftest import EXAMPLES, XUZHOU, ZHENGZHOU

from .continuity_factory import random_plant


def lex_not_worse(a: dict[str, float], b: dict[str, float], slack: float = 1e-6) -> bool:
    """a ≤ b in the order front-line, livelihood, standard (lexicographic)."""
    for k in ("front-line", "livelihood", "standard"):
        if a[k] < b[k] - slack * max(1.0, b[k]):
            return True
        if a[k] > b[k] + slack * max(1.0, b[k]):
            return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10_000))
# 1442: rounding leaves a standard order 72 late and a minimum order short, while the
# greedy baseline is on time with the same shortfall; the baseline must be the plan
@example(1442)
def test_every_plan_passes_the_independent_checker(seed):
    p, sc = random_plant(seed)
    res = plan(p, scenario=Scenario.model_validate(sc), horizon=25)
    inp = res.inp
    # rounded plan, whole units and minimum orders; a minimum order the supplier has no
    # room for (capacity, down days, horizon end) is reported in the notes instead
    hard = [v for v in res.violations if "below the minimum" not in v]
    assert hard == []
    assert len(res.violations) - len(hard) <= len(res.notes)
    assert check_schedule(inp, res.lp.schedule) == []  # the LP's own plan
    greedy = check_schedule(inp, res.greedy, integral=True)  # the baseline
    assert [v for v in greedy if "below the minimum" not in v] == []
    # the LP bound is a bound, and the plan is never later than the greedy baseline
    assert lex_not_worse(res.lp_lateness_by_class, res.lateness_by_class)
    assert lex_not_worse(res.lp_lateness_by_class, res.greedy_lateness_by_class)
    assert lex_not_worse(res.lateness_by_class, res.greedy_lateness_by_class)
    assert (res.source == "greedy") == any(
        n.startswith("the greedy plan is used") for n in res.notes
    )
    # lateness recomputed from the shipments agrees with the outcome table
    assert np.isclose(lateness(inp, res.schedule.ship).sum(), res.weighted_lateness())


def test_optimiser_never_worse_than_greedy_on_the_examples():
    cases = [(XUZHOU, None), (ZHENGZHOU, None)]
    for sc in sorted((EXAMPLES / "scenarios").glob("*.yaml")):
        target = XUZHOU if sc.name.startswith("xuzhou") else ZHENGZHOU
        cases.append((target, sc))
    for plant_path, sc_path in cases:
        p = load_yaml(plant_path)
        sc = load_scenario(sc_path, p) if sc_path else None
        try:
            res = plan(p, scenario=sc, horizon=90)
        except Exception as exc:  # scenarios for the outbreak only may name other things
            raise AssertionError(f"{plant_path.name} {sc_path}: {exc}") from exc
        assert res.violations == []
        assert lex_not_worse(res.lateness_by_class, res.greedy_lateness_by_class, 1e-3), (
            plant_path.name,
            sc_path,
            res.lateness_by_class,
            res.greedy_lateness_by_class,
        )


def test_the_greedy_plan_is_used_when_rounding_comes_out_later():
    # seed 21: the LP ships everything on time (bound 0/0/0), but rounded to whole
    # units one livelihood order slips (weighted lateness 0/160/0); the greedy plan is
    # 0/0/2,339, earlier by class, so it becomes the plan, with a note
    p, sc = random_plant(21)
    res = plan(p, scenario=Scenario.model_validate(sc), horizon=25)
    assert res.lp_lateness_by_class == {"front-line": 0, "livelihood": 0, "standard": 0}
    assert res.source == "greedy"
    assert res.notes == [
        "the greedy plan is used: the LP plan rounded to whole units was later (weighted "
        "lateness front-line/livelihood/standard 0/160/0 against 0/0/2,339)"
    ]
    assert res.lateness_by_class == res.greedy_lateness_by_class
    assert res.schedule is res.greedy and res.violations == []
    assert res.record().to_json()["plan_source"] == "greedy"
    # without the baseline there is nothing to fall back on: the rounded LP plan
    alone = plan(p, scenario=Scenario.model_validate(sc), horizon=25, baseline=False)
    assert alone.source == "lp"
    assert alone.lateness_by_class == {"front-line": 0, "livelihood": 160, "standard": 0}


def test_rounding_loses_to_greedy_on_few_random_plants():
    # a guard on the rounding itself: on random plants 0..39 the rounded LP plan came
    # out later than the greedy one on 10 before the product-level catch-up and the
    # late-unit step of 2026-12-01, and on 7 after (small plants, 3 to 30 units a day,
    # where a unit is a large share)
    used = [
        seed
        for seed in range(40)
        if plan(
            random_plant(seed)[0],
            scenario=Scenario.model_validate(random_plant(seed)[1]),
            horizon=25,
        ).source
        == "greedy"
    ]
    assert len(used) <= 7, used
