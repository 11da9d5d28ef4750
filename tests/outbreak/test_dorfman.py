"""Pooled testing in the engine against Dorfman's formula, first with every confounder
switched off, then with one at a time, then with the plant's defaults.

**Confounders off.** 10,000 workers in teams of 100 (5, 10 and 20 divide 100, so every
pool is full). Nobody infects anybody (``beta = 0``); on day 0 the city's prevalence is
set so that each worker is infected independently with probability ``p``
(``1 - exp(-prev × community_rate) = p``), and on day 1 one pooled round with a perfect
test (every infection detected whatever its load, no false positives) screens everyone.
Dorfman: the expected reactions per person are ``1/k + 1 - (1 - p)^k``. Each replicate
gives one mean over 10,000 people; the check is that the mean over replicates is within
three standard errors of the formula, the standard error computed from the replicates
themselves (``sd / sqrt(R)``). :func:`test_the_check_fails_when_the_mean_is_off` shows
the same check rejecting a mean moved by 3.5 standard errors and a wrong formula.

**Dilution.** A PCR of LOD 10^3 and a city epidemic running for 70 days (infections of
every age, no transmission in the plant, nobody sent home): a pooled member is found
only when its load divided by ``k`` is still at or above the LOD. Dorfman's formula
overstates the reactions, because missed positives trigger no retests; the corrected
formula of :mod:`keepline.screening.poolsize`, ``1/k + 1 - (1 - p s_k)^k`` with ``s_k``
from the same disease model, matches within three standard errors. ``p`` is measured
on the same replicates by an individual round on the same day with the same seed (the
days before the round draw the same numbers).

**The plant's defaults** (dilution, transmission within teams, symptomatic workers
home): fewer reactions still than the corrected formula, because infections cluster in
teams and pools follow teams, so positives share pools (one retest batch finds
several): the difference from Dorfman is dilution plus clustering, both lowering cost.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from keepline.outbreak.engine import Controls, Params, Round, TestKind, calibrate_beta, simulate
from keepline.screening.poolsize import KitDilution, detectable_loads, dorfman, pool_sensitivity

from .helpers import population, world

PERFECT = TestKind("perfect", -100.0, 1.0)  # any infection, however early; no false positive
PCR_SPECIFIC = TestKind("pcr", 3.0, 1.0)  # the PCR's LOD, no false positives
REPS = 20


def within_3se(values: np.ndarray, expected: float) -> tuple[bool, float, float]:
    """Whether the mean of ``values`` (one per replicate) is within three standard errors
    of ``expected``; the mean and the standard error."""
    mean = float(np.mean(values))
    se = float(np.std(values, ddof=1) / math.sqrt(len(values)))
    return abs(mean - expected) <= 3 * se, mean, se


def _independent(p: float, k: int, seed: int) -> np.ndarray:
    """Reactions per person of one pooled round over independent infections."""
    pop = population(zones=1, teams_per_zone=100, team_size=100)
    prev = -math.log(1 - p) / Params().community_rate
    w = world(pop, 2)
    w = replace(w, prevalence=np.array([prev, 0.0]))
    rnd = Round(PERFECT, every_days=1000, start_day=1, pool_size=k, turnaround_days=0)
    run = simulate(
        pop, Controls(rounds=(rnd,)), w, Params(), 2, seed=seed, replicates=REPS, beta=0.0
    )
    assert (run.samples[:, 1] >= pop.n).all()  # everyone screened (plus retests)
    return run.tests[:, 1] / pop.n


CELLS = [(p, k) for p in (0.001, 0.01, 0.05) for k in (5, 10, 20)]


@pytest.mark.parametrize(("p", "k"), CELLS)
def test_tests_per_person_match_dorfman_with_every_confounder_off(p: float, k: int) -> None:
    ok, mean, se = within_3se(_independent(p, k, seed=101), dorfman(p, k))
    # hand-worked: p = 1 %, k = 10 → 0.1 + 1 - 0.99^10 = 0.195618
    assert dorfman(0.01, 10) == pytest.approx(0.1956179250, abs=1e-9)
    assert ok, f"p={p} k={k}: mean {mean:.5f} ± {se:.5f} vs Dorfman {dorfman(p, k):.5f}"
    assert se < 0.05 * dorfman(p, k)  # the check has teeth: the SE is small


def test_the_check_fails_when_the_mean_is_off() -> None:
    x = _independent(0.05, 10, seed=101)
    f = dorfman(0.05, 10)
    ok, mean, se = within_3se(x, f)
    assert ok
    # the same replicates moved so that their mean is off the formula by 3.1 standard
    # errors (either way) fail the check; by 2.9 they pass (shifting keeps the SE)
    for sign in (1, -1):
        assert not within_3se(x - mean + f + sign * 3.1 * se, f)[0]
        assert within_3se(x - mean + f + sign * 2.9 * se, f)[0]
    # ... and a plausible slip: the exponent k - 1 instead of k
    assert not within_3se(x, 1 / 10 + 1 - 0.95**9)[0]


def _city_wave(ks: tuple[int, ...], params: Params, beta: float | None, pop, w, day: int):
    """The prevalence per replicate on ``day`` (an individual round) and, for each ``k``,
    the reactions per person of a pooled round on that day with the same seed."""
    days = day + 1
    one = Round(PCR_SPECIFIC, every_days=1000, start_day=day, turnaround_days=0)
    ind = simulate(pop, Controls(rounds=(one,)), w, params, days, 9, REPS // 2, beta=beta)
    n = ind.samples[:, day]  # individual round: one swab per person screened
    out = {}
    for k in ks:
        ctl = Controls(rounds=(replace(one, pool_size=k),))
        out[k] = simulate(pop, ctl, w, params, days, 9, REPS // 2, beta=beta).tests[:, day] / n
    return ind.diagnosed[:, day] / n, out


def test_dilution_alone_matches_the_corrected_formula() -> None:
    pop = population(zones=1, teams_per_zone=40, team_size=100)
    params = replace(Params(), sick_leave_days=0)  # nobody leaves: loads of every age
    w = world(pop, 70, prevalence=0.0012 / params.community_rate)
    p, runs = _city_wave((5, 10, 20), params, 0.0, pop, w, 69)
    for k, per_person in runs.items():
        s = pool_sensitivity(k, KitDilution(), detectable_loads(0.35, None))
        corrected = 1 / k + 1 - (1 - p * s) ** k
        ok, mean, se = within_3se(per_person - corrected, 0.0)
        assert ok, f"k={k}: engine - corrected = {mean:.5f} ± {se:.5f}"
        # Dorfman at the same prevalence overstates it (missed positives: no retests)
        assert (np.array([dorfman(x, k) for x in p]) > per_person).mean() >= 0.9


def test_plant_defaults_cost_less_than_dorfman_dilution_and_clustering() -> None:
    # 2,000 workers in teams of 20, R0 2.5 inside the plant, 10 importations, sick leave:
    # a clustered outbreak; pools of 10 by team on day 39
    pop = population(zones=4, teams_per_zone=25, team_size=20)
    params = Params()
    w = world(pop, 40, imports=((0, 5, -1), (10, 5, -1)), prevalence=0.0002)
    beta = calibrate_beta(pop, params)
    k = 10
    p, runs = _city_wave((k,), params, beta, pop, w, 39)
    per_person = runs[k]
    dorf = np.array([dorfman(x, k) for x in p])
    s = pool_sensitivity(k, KitDilution(), detectable_loads(0.35, 0.0))
    corrected = 1 / k + 1 - (1 - p * s) ** k
    d_dorf = within_3se(per_person - dorf, 0.0)
    d_corr = within_3se(per_person - corrected, 0.0)
    # below Dorfman (dilution + clustering) and below the dilution-corrected formula
    # (clustering alone), each by more than three standard errors
    assert not d_dorf[0] and d_dorf[1] < 0, d_dorf
    assert not d_corr[0] and d_corr[1] < 0, d_corr
    assert d_dorf[1] < d_corr[1]
