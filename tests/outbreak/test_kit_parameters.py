"""Tests as kits state them (per-test sensitivity and specificity, confirmation and
release of false positives), the symptomatic share and the days from onset to isolation
as parameters, the two definitions of R0 and their exact conversion, and pool sizes
outside the rules flagged as what-ifs."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from keepline.errors import InputError
from keepline.outbreak.disease import DiseaseParams, infectiousness, sample_courses
from keepline.outbreak.engine import (
    Controls,
    Params,
    Round,
    TestKind,
    calibrate_beta,
    reproduction_numbers,
    simulate,
)
from keepline.outbreak.policy import load_policy, to_controls
from keepline.outbreak.world import params_for
from keepline.scenario import Scenario, load_scenario

from .helpers import population, world

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _infect_on_day0(p: float, days: int, zones: int = 1, teams: int = 50):
    """A plant of ``teams`` × 100 where each worker is infected on day 0 with probability
    ``p``, independently (the city's hazard on day 0), nobody afterwards."""
    pop = population(zones=zones, teams_per_zone=teams, team_size=100)
    w = world(pop, days)
    w = replace(w, prevalence=np.r_[-math.log(1 - p) / Params().community_rate, np.zeros(days - 1)])
    return pop, w


def _binomial_ok(hits: int, n: int, prob: float) -> bool:
    return abs(hits - n * prob) <= 3 * math.sqrt(n * prob * (1 - prob))


def test_per_test_sensitivity_is_drawn_independently_at_each_test() -> None:
    # 5,000 workers, 20 % infected on day 0; tests on days 1 and 2 of sensitivity 0.8 that
    # react to any infection: day 1 finds 80 % of them, day 2 80 % of the rest (96 % in all)
    pop, w = _infect_on_day0(0.2, 3)
    test = TestKind("leaflet", -100.0, 1.0, sensitivity=0.8)
    rnd = Round(test, every_days=1, start_day=1, turnaround_days=0)
    params = replace(Params(), sick_leave_days=0)
    run = simulate(pop, Controls(rounds=(rnd,)), w, params, 3, seed=4, replicates=4, beta=0.0)
    infected = int(run.new_infections[:, 0].sum())
    day1 = int(run.diagnosed[:, 1].sum())
    both = int(run.diagnosed[:, 1:].sum())
    assert _binomial_ok(day1, infected, 0.8), (day1, infected)
    assert _binomial_ok(both, infected, 1 - 0.2**2), (both, infected)


def test_pooled_reactions_miss_at_the_per_test_sensitivity() -> None:
    # pools of 5, p = 10 %: a pool with a positive reacts with probability 0.8 and each
    # retest finds its positive with probability 0.8; reactions per person
    # 1/5 + 0.8 (1 - 0.9^5), positives found 0.8 × 0.8 of the infected
    pop, w = _infect_on_day0(0.1, 3)
    test = TestKind("leaflet", -100.0, 1.0, sensitivity=0.8)
    rnd = Round(test, every_days=1000, start_day=1, pool_size=5, turnaround_days=0)
    run = simulate(pop, Controls(rounds=(rnd,)), w, Params(), 3, seed=8, replicates=8, beta=0.0)
    per_person = run.tests[:, 1] / pop.n
    expected = 1 / 5 + 0.8 * (1 - 0.9**5)
    se = per_person.std(ddof=1) / math.sqrt(len(per_person))
    assert abs(per_person.mean() - expected) <= 3 * se, (per_person.mean(), expected, se)
    infected = int(run.new_infections[:, 0].sum())
    # the retests' results (next day) make the cases
    assert _binomial_ok(int(run.diagnosed[:, 2].sum()), infected, 0.64)


def test_false_positives_are_confirmed_and_released_or_become_cases() -> None:
    # nobody infected; an antigen test of specificity 0.95 daily on 500 workers
    pop = population(zones=1, teams_per_zone=5, team_size=100)
    days = 6
    ag = TestKind("antigen", 5.0, 0.95)
    pcr = TestKind("pcr", 3.0, 1.0)
    held = Round(ag, turnaround_days=0, confirm=pcr, retest_delay_days=1)
    confirmed = simulate(pop, Controls(rounds=(held,)), world(pop, days), Params(), days, 2, 3)
    # false positives happen, none becomes a case, each is held one day and released
    assert confirmed.false_positives.sum() > 0
    assert confirmed.diagnosed.sum() == 0
    assert (confirmed.isolated[:, :-1] <= confirmed.false_positives[:, :-1]).all()
    bare = Round(ag, turnaround_days=0)
    ctl = Controls(rounds=(bare,), isolation_days=30)
    cases = simulate(pop, ctl, world(pop, days), Params(), days, 2, 3)
    # without confirmation every positive is a case, isolated for its 30 days
    assert cases.diagnosed.sum() == cases.false_positives.sum() > 0
    assert (np.diff(cases.isolated, axis=1) >= 0).all()


def test_onset_to_isolation_days_shift_isolation_exactly() -> None:
    # everyone infected shows symptoms; no transmission; isolation 2 days after onset
    # is isolation on onset shifted by 2 days, worker by worker
    pop = population(zones=1, teams_per_zone=4, team_size=100)
    days = 40
    w = world(pop, days, imports=((0, 60, -1),))
    params = replace(Params(), disease=DiseaseParams(symptomatic_fraction=1.0))
    runs = {
        d: simulate(
            pop,
            Controls(isolate_on_symptoms=True, onset_to_isolation_days=d),
            w,
            params,
            days,
            seed=6,
            replicates=3,
            beta=0.0,
        )
        for d in (0, 2)
    }
    assert runs[0].isolated.sum() > 0
    assert (runs[2].isolated[:, 2:] == runs[0].isolated[:, :-2]).all()
    # nobody symptomatic: nobody isolated, whatever the policy
    none = replace(params, disease=DiseaseParams(symptomatic_fraction=0.0), sick_leave_days=0)
    run = simulate(pop, Controls(isolate_on_symptoms=True), w, none, days, 6, 3, beta=0.0)
    assert run.isolated.sum() == 0


def test_r0_definitions_convert_exactly_through_one_beta() -> None:
    pop = population(zones=2, teams_per_zone=5, team_size=20)
    with_iso = replace(Params(), r0=2.5, r0_definition="with_isolation")
    beta = calibrate_beta(pop, with_iso)
    r = reproduction_numbers(pop, with_iso, beta)
    assert r["with_isolation"] == pytest.approx(2.5, rel=1e-8)
    assert r["without_isolation"] > r["with_isolation"]
    # the other way round: the R0 without isolation gives back the same beta
    without = replace(Params(), r0=r["without_isolation"])
    assert calibrate_beta(pop, without) == pytest.approx(beta, rel=1e-7)
    # nobody symptomatic: the two definitions agree
    none = replace(with_iso, disease=DiseaseParams(symptomatic_fraction=0.0))
    r0 = reproduction_numbers(pop, none, calibrate_beta(pop, none))
    assert r0["with_isolation"] == pytest.approx(r0["without_isolation"], rel=1e-12)


def test_r0_with_isolation_is_the_infectiousness_before_onset() -> None:
    # small R0: R is linear in the summed infectiousness, so R_with / R_without is the
    # mean infectiousness of the days before symptom onset (symptomatic cases) and of the
    # whole course (the others) over the mean of whole courses, summed here from the
    # disease model's public functions over 60,000 courses
    pop = population(zones=1, teams_per_zone=1, team_size=500)
    params = replace(Params(), r0=0.05)
    r = reproduction_numbers(pop, params, calibrate_beta(pop, params))
    c = sample_courses(60_000, np.random.default_rng(5))
    whole = before = 0.0
    for d in range(60):
        f = infectiousness(c, np.full(c.t0.shape, d, np.float32))
        whole += float(f.sum())
        before += float(f[d < np.floor(c.onset)].sum())
    assert r["with_isolation"] / r["without_isolation"] == pytest.approx(before / whole, rel=0.02)
    assert 0.6 < before / whole < 0.9  # symptomatic cases lose their post-onset days


def test_policy_and_scenario_keys(tmp_path: Path) -> None:
    pol = tmp_path / "p.yaml"
    pol.write_text(
        "name: leaflet antigen\n"
        "screening:\n  - {test: antigen, every_days: 2, confirm_with_pcr: true}\n"
        "tests:\n  antigen: {lod_log10: 5, specificity: 0.99, sensitivity: 0.7,"
        " turnaround_days: 0}\n"
        "symptoms: {isolate: true, test: true, onset_to_isolation_days: 1}\n",
        encoding="utf-8",
    )
    pop = population()
    ctl = to_controls(load_policy(pol), pop)
    assert ctl.rounds[0].test.sensitivity == 0.7 and ctl.rounds[0].test.specificity == 0.99
    assert ctl.onset_to_isolation_days == 1
    assert ctl.rounds[0].confirm is not None and ctl.rounds[0].confirm.sensitivity == 1.0
    sc = tmp_path / "s.yaml"
    sc.write_text(
        "name: variant\ndisease: {symptomatic_share: 0.2, r0_definition: with_isolation}\n",
        encoding="utf-8",
    )
    params = params_for(load_scenario(sc), 3.0)
    assert params.r0 == 3.0 and params.r0_definition == "with_isolation"
    assert params.disease.symptomatic_fraction == 0.2
    # the defaults leave the parameters as they were
    assert params_for(Scenario(name="x"), 2.5) == Params()
    pol.write_text(
        "name: x\ntests:\n  antigen: {lod_log10: 5, specificity: 0.99, sensitivity: 1.5,"
        " turnaround_days: 0}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"p\.yaml:3 tests\.antigen\.sensitivity: .*less than"):
        load_policy(pol)
    sc.write_text("name: x\ndisease: {r0_definition: sometimes}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"disease\.r0_definition"):
        load_scenario(sc)


def test_a_pool_size_outside_the_rules_is_a_flagged_what_if(cli, tmp_path: Path) -> None:
    pol = tmp_path / "p50.yaml"
    pol.write_text(
        "name: pools of 50\nscreening:\n  - {test: pcr, every_days: 3, pool_size: 50}\n",
        encoding="utf-8",
    )
    policy = load_policy(pol)
    [why] = policy.outside_rules()
    assert why.startswith("screening.0.pool_size: pool size 50 is a what-if outside the rules")
    assert why in policy.rules_broken()  # never recommended by an assessment
    assert load_policy(EXAMPLES / "policies" / "every-3-days-pcr-10.yaml").outside_rules() == []
    r = cli(
        f"outbreak run {EXAMPLES}/xuzhou-qpcr.yaml --policy {pol} --days 10 --replicates 2 "
        f"--workers 1 --json {tmp_path}/r.json"
    )
    assert r.code == 0, r
    assert "what-if" in r.err and "what-if: screening.0.pool_size" in r.out
    assert json.loads((tmp_path / "r.json").read_text())["outside_rules"] == [why]
