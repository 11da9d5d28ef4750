"""The engine against theory: Dorfman pooling, SIR final size, Larremore's screening
ordering, the R0 calibration against a closed form."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import brentq

from keepline.outbreak.disease import sample_courses, total_infectiousness
from keepline.outbreak.engine import (
    ANTIGEN,
    PCR,
    Controls,
    Params,
    Round,
    TestKind,
    calibrate_beta,
    simulate,
)

from .helpers import population, world

PERFECT = TestKind("ideal-pcr", 0.0, 1.0)  # no dilution loss, no false positives


@pytest.mark.parametrize("p", [0.005, 0.01, 0.05])
@pytest.mark.parametrize("k", [5, 10])
def test_pooling_cost_matches_dorfman(p: float, k: int) -> None:
    # 20,000 workers in teams of 50 (k divides 50, so pools are full); m = p·N workers
    # infected on day 0 at random, no transmission (beta = 0); one pooled round on day 5
    # when every infection is detectable. Dorfman: tests per person = 1/k + 1 - (1-p)^k.
    pop = population(zones=4, teams_per_zone=100, team_size=50)
    n, m = pop.n, round(p * pop.n)
    rnd = Round(PERFECT, every_days=1000, start_day=5, pool_size=k, turnaround_days=0)
    run = simulate(
        pop, Controls(rounds=(rnd,)), world(pop, 6, imports=((0, m, -1),)), Params(), 6,
        seed=7, replicates=3, beta=0.0,
    )  # fmt: skip
    per_person = run.tests.sum(axis=1) / n
    dorfman = 1 / k + 1 - (1 - p) ** k
    # sampling m of n without replacement: a pool is clean with prob C(n-k, m)/C(n, m)
    clean = math.exp(
        math.lgamma(n - k + 1)
        + math.lgamma(n - m + 1)
        - math.lgamma(n - k - m + 1)
        - math.lgamma(n + 1)
    )
    q = 1 - clean
    sd = k * math.sqrt((n / k) * q * (1 - q)) / n / math.sqrt(len(per_person))
    assert abs(per_person.mean() - dorfman) < 4 * sd + 0.002, (per_person, dorfman)
    assert run.pools.sum(axis=1).tolist() == [n // k] * 3


def test_clustered_positives_pool_cheaper_than_dorfman() -> None:
    # The same 2 % prevalence, all in one of four zones: pools by team meet positives in
    # only a quarter of the teams, so pooling costs 1/k + (1/4)(1 - (1 - 4p)^k) < Dorfman.
    pop = population(zones=4, teams_per_zone=100, team_size=50)
    p, k = 0.02, 10
    m = round(p * pop.n)
    rnd = Round(PERFECT, every_days=1000, start_day=5, pool_size=k, turnaround_days=0)
    run = simulate(
        pop, Controls(rounds=(rnd,)), world(pop, 6, imports=((0, m, 0),)), Params(), 6,
        seed=3, replicates=3, beta=0.0,
    )  # fmt: skip
    per_person = (run.tests.sum(axis=1) / pop.n).mean()
    clustered = 1 / k + 0.25 * (1 - (1 - 4 * p) ** k)
    dorfman = 1 / k + 1 - (1 - p) ** k
    # clustered 0.2415 vs Dorfman 0.2829; one replicate's sd is about 0.007
    assert per_person < dorfman - 0.025
    assert abs(per_person - clustered) < 0.012


@pytest.mark.parametrize(("r0", "days", "reps"), [(1.5, 300, 120), (2.5, 160, 40), (4.0, 100, 30)])
def test_final_size_matches_sir(r0: float, days: int, reps: int) -> None:
    # One well-mixed zone of 2,000 (a single team, zone and canteen), one index case, no
    # interventions. Among outbreaks that take off (> 10 % infected), the mean attack
    # rate should solve z = 1 - exp(-R0 z).
    pop = population(zones=1, teams_per_zone=1, team_size=2000)
    params = replace(Params(), r0=r0, sick_leave_days=0)  # nobody stays home: pure SIR
    run = simulate(
        pop, Controls(), world(pop, days, imports=((0, 1, -1),)), params, days,
        seed=11, replicates=reps,
    )  # fmt: skip
    attack = run.new_infections.sum(axis=(1, 2)) / pop.n
    took_off = attack[attack > 0.1]
    assert len(took_off) >= 10
    z = brentq(lambda z: z - 1 + math.exp(-r0 * z), 1e-6, 1.0)
    assert abs(took_off.mean() - z) < 0.03, (took_off.mean(), z)
    # still running at the end would bias the mean: the epidemic must be over
    assert run.infectious[:, -1].max() == 0


def test_calibration_matches_closed_form_for_homogeneous_mixing() -> None:
    # One group of N: each other worker gets beta * c / (N - 1) * f per day from a case,
    # so R0 ≈ beta * c * E[F] (small-hazard limit) with c the summed contacts per day.
    pop = population(zones=1, teams_per_zone=1, team_size=3000)
    params = Params()
    c = sum(params.contacts[s] for s in ("team", "zone_shift", "canteen"))
    courses = sample_courses(200_000, np.random.default_rng(99))

    mean_f = float(total_infectiousness(courses).mean())
    assert calibrate_beta(pop, params) == pytest.approx(params.r0 / (c * mean_f), rel=0.03)


def _plant_infections(rounds: tuple[Round, ...]) -> float:
    pop = population(zones=1, teams_per_zone=10, team_size=100)
    days = 120
    params = replace(Params(), sick_leave_days=0)  # as Larremore: only testing isolates
    run = simulate(
        pop, Controls(rounds=rounds), world(pop, days, imports=((0, 5, -1),)), params,
        days, seed=3, replicates=60,
    )  # fmt: skip
    return float(run.new_infections[:, :, :5].sum(axis=(1, 2)).mean())


def test_larremore_frequency_beats_sensitivity_and_speed_beats_both() -> None:
    # Larremore et al. 2021: a LOD 10^5 test every 3 days beats a LOD 10^3 PCR weekly;
    # a 2-day turnaround throws away most of what every-3-day PCR achieves.
    none = _plant_infections(())
    pcr_weekly = _plant_infections((Round(PCR, every_days=7, turnaround_days=0),))
    ag_3d = _plant_infections((Round(ANTIGEN, every_days=3, turnaround_days=0),))
    pcr_3d_now = _plant_infections((Round(PCR, every_days=3, turnaround_days=0),))
    pcr_3d_slow = _plant_infections((Round(PCR, every_days=3, turnaround_days=2),))
    assert none > 600  # unmitigated, R0 = 2.5: most of 1,000 infected
    assert pcr_weekly < none
    assert ag_3d < 0.25 * pcr_weekly  # more frequent, less sensitive: far fewer
    assert pcr_3d_now < ag_3d  # at the same cadence, sensitivity still helps a little
    assert pcr_3d_slow > 5 * pcr_3d_now  # same-day results beat a 2-day turnaround


def test_samples_are_one_swab_per_person_plus_one_per_retest() -> None:
    # 1 team of 100, pools of 10, one infected worker detectable on day 5, no transmission.
    # Day 5: 100 swabs, 10 pooled reactions; 1 pool is positive → its 10 members are held
    # and re-swabbed individually: 10 more swabs and 10 more reactions.
    # Swabs 100 + 10 = 110; reactions 10 + 10 = 20.
    pop = population(zones=1, teams_per_zone=1, team_size=100)
    rnd = Round(PERFECT, every_days=1000, start_day=5, pool_size=10, turnaround_days=0)
    run = simulate(
        pop, Controls(rounds=(rnd,)), world(pop, 6, imports=((0, 1, -1),)), Params(), 6,
        seed=3, replicates=2, beta=0.0,
    )  # fmt: skip
    assert run.samples.sum(axis=1).tolist() == [110, 110]
    assert run.tests.sum(axis=1).tolist() == [20, 20]
