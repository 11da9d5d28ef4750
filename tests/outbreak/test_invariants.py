"""Invariants of the engine and the determinism of replicate streams."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from keepline.outbreak.engine import PCR, Controls, Params, Round, Run, TestKind, World, simulate
from keepline.outbreak.parallel import run_replicates
from keepline.outbreak.population import from_plant
from keepline.outbreak.results import per_replicate, workforce
from keepline.workforce import full_workforce

from .helpers import plant, population, world

FIELDS = Run.FIELDS


def test_no_seed_no_importation_no_infections() -> None:
    pop = population(zones=2, teams_per_zone=3, team_size=40, dorm_every=2)
    run = simulate(pop, Controls(), world(pop, 60), Params(), 60, seed=1, replicates=5)
    assert run.new_infections.sum() == 0
    assert run.infectious.sum() == 0
    assert (run.present.sum(axis=2) == pop.n).all()


def test_no_testing_no_diagnoses() -> None:
    pop = population(zones=2, teams_per_zone=3, team_size=40)
    run = simulate(
        pop, Controls(on_positive="team"), world(pop, 80, imports=((0, 3, -1),)), Params(),
        80, seed=2, replicates=10,
    )  # fmt: skip
    assert run.new_infections.sum() > 50  # there is an outbreak to find
    assert run.tests.sum() == 0
    assert run.diagnosed.sum() == 0
    assert run.quarantined.sum() == 0
    # ill workers are absent on sick leave (7 days from symptom onset), undiagnosed
    assert run.isolated.sum() > 0
    assert (run.present.sum(axis=2) + run.isolated == pop.n).all()


def test_sick_leave_is_seven_days_per_symptomatic_case() -> None:
    # No policy, no transmission (beta = 0), 200 index cases: about 35 % fall ill, each
    # away exactly 7 days from onset (all onsets fall within the 60 days).
    pop = population(zones=1, teams_per_zone=4, team_size=100)
    run = simulate(
        pop, Controls(), world(pop, 60, imports=((0, 200, -1),)), Params(), 60, seed=1,
        replicates=4, beta=0.0,
    )  # fmt: skip
    away_days = run.isolated.sum(axis=1) / 7
    assert (away_days == np.round(away_days)).all()
    assert abs(away_days.mean() / 200 - 0.35) < 4 * np.sqrt(0.35 * 0.65 / 800)


def test_absent_plus_present_is_everyone() -> None:
    # Without a control area or closed zones, each worker is at work, isolated (or held
    # for a retest) or quarantined, and only one of these.
    pop = population(zones=2, teams_per_zone=4, team_size=30)
    ctl = Controls(
        rounds=(Round(PCR, every_days=3, pool_size=5),),
        isolate_on_symptoms=True,
        symptom_test=PCR,
        on_positive="zone-shift",
    )
    run = simulate(pop, ctl, world(pop, 90, imports=((0, 2, -1),)), Params(), 90, 3, 20)
    assert run.quarantined.sum() > 0 and run.isolated.sum() > 0
    total = run.present.sum(axis=2) + run.isolated + run.quarantined
    assert (total == pop.n).all()


def test_closed_zone_and_control_area_make_workers_unavailable() -> None:
    pop = population(zones=2, teams_per_zone=2, team_size=25, dorm_every=2)
    days = 30
    closed = np.zeros((days, len(pop.zones)), bool)
    closed[10:20, 0] = True  # zone z0 locked on days 10..19
    blocked = np.zeros(days, bool)
    blocked[25:28] = True  # the city is a control area on days 25..27
    w = World(np.zeros(days), blocked, closed)
    run = simulate(pop, Controls(), w, Params(), days, 1, 3)
    z0 = pop.team_zone == 0
    residents = pop.team_dorm >= 0
    p = run.present
    assert (p[:, 10:20][:, :, z0] == 0).all()
    assert (p[:, :10][:, :, z0] == pop.team_size[z0]).all()
    assert (p[:, 20:25][:, :, z0] == pop.team_size[z0]).all()
    # on control-area days only the dormitory residents come
    assert (p[:, 25:28][:, :, ~residents] == 0).all()
    assert (p[:, 25:28][:, :, residents] == pop.team_size[residents]).all()
    assert (p[:, :25].sum(axis=2)[:, :10] == pop.n).all()


def test_quarantined_team_is_unavailable() -> None:
    # One index case in team 0 is found by daily same-day PCR; the team is quarantined
    # 14 days from the result, so the team's present count drops to 0 for exactly
    # those days (no one else is infected: beta = 0).
    pop = population(zones=1, teams_per_zone=3, team_size=20)
    ctl = Controls(
        rounds=(Round(TestKind("pcr", 3.0, 1.0), turnaround_days=0),),  # no false positives
        on_positive="team",
        quarantine_days=14,
        isolation_days=21,
    )
    w = world(pop, 40, imports=((0, 1, 0),))
    run = simulate(pop, ctl, w, Params(), 40, seed=5, replicates=4, beta=0.0)
    for r in range(4):
        day = int(np.nonzero(run.diagnosed[r])[0][0])
        team = int(np.nonzero(run.present[r, day] < 20)[0][0])
        assert (run.present[r, day : day + 14, team] == 0).all()
        assert (run.present[r, day + 14 : day + 21, team] == 19).all()  # the case: 21 days
        assert (run.present[r, day + 21 :, team] == 20).all()
        assert day <= 4  # detectable at 10^3 by day 3.5 at the latest, tested daily


@pytest.mark.parametrize("spec", [0.99, 0.97])
def test_false_positives_in_proportion_to_tests(spec: float) -> None:
    pop = population(zones=2, teams_per_zone=5, team_size=50)
    test = TestKind("t", 3.0, spec)
    ctl = Controls(rounds=(Round(test, turnaround_days=0),))
    run = simulate(pop, ctl, world(pop, 30), Params(), 30, seed=4, replicates=4)
    tests = run.tests.sum()
    fp = run.false_positives.sum()
    expected = (1 - spec) * tests
    assert run.new_infections.sum() == 0
    assert abs(fp - expected) < 4 * np.sqrt(expected)  # binomial error


def test_perfect_specificity_no_false_positives() -> None:
    pop = population(zones=1, teams_per_zone=4, team_size=25)
    ctl = Controls(rounds=(Round(TestKind("t", 3.0, 1.0), pool_size=5),))
    run = simulate(pop, ctl, world(pop, 30, imports=((0, 3, -1),)), Params(), 30, 1, 4)
    assert run.false_positives.sum() == 0
    assert run.diagnosed.sum() > 0


def _same(a: Run, b: Run) -> None:
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


def test_replicates_do_not_depend_on_batching_or_processes() -> None:
    pop = population(zones=2, teams_per_zone=3, team_size=30, dorm_every=2)
    ctl = Controls(
        rounds=(Round(PCR, every_days=2, pool_size=5, turnaround_days=1),),
        isolate_on_symptoms=True,
        symptom_test=PCR,
        on_positive="team",
    )
    w = world(pop, 60, imports=((0, 2, -1), (20, 1, 1)), prevalence=0.002)
    p = Params()
    whole = simulate(pop, ctl, w, p, 60, seed=9, replicates=10)
    assert whole.new_infections.sum() > 0 and whole.diagnosed.sum() > 0
    halves = Run.concat(
        [
            simulate(pop, ctl, w, p, 60, 9, range(0, 5)),
            simulate(pop, ctl, w, p, 60, 9, range(5, 10)),
        ]
    )
    _same(whole, halves)
    one_by_one = simulate(pop, ctl, w, p, 60, 9, 10, batch_agents=1)  # batches of one
    _same(whole, one_by_one)
    procs = run_replicates(pop, ctl, w, p, 60, 9, 10, workers=2)
    _same(whole, procs)
    other = simulate(pop, ctl, w, p, 60, seed=10, replicates=10)
    assert not np.array_equal(whole.new_infections, other.new_infections)


def test_workforce_is_full_without_infections() -> None:
    pf = plant(zones=2, teams_per_zone=2, team_size=10)

    pop = from_plant(pf)
    run = simulate(pop, Controls(), world(pop, 7), Params(), 7, 1, 2)
    wf = workforce(run, pop)
    ref = full_workforce(pf, 7)
    assert (wf.zones, wf.shifts, wf.skills) == (ref.zones, ref.shifts, ref.skills)
    np.testing.assert_array_equal(wf.available, ref.available)
    np.testing.assert_array_equal(workforce(run, pop, replicate=1).available, ref.available)


def test_infectious_at_work_counts_the_sick_sent_to_work() -> None:
    # No transmission (beta = 0), no isolation, no sick leave: 20 index cases on day 0
    # in a plant of commuters. Worked by hand: every infectious worker is at work on
    # every day except the control-area days 10-19, when no commuter comes in; so the
    # worker-days at work while infectious are the infectious worker-days outside those
    # days, and none inside.
    pop = population(zones=1, teams_per_zone=2, team_size=50)
    days = 30
    blocked = np.zeros(days, bool)
    blocked[10:20] = True
    w = World(np.zeros(days), blocked, np.zeros((days, 1), bool), ((0, 20, -1),))
    params = replace(Params(), sick_leave_days=0)
    run = simulate(pop, Controls(), w, params, days, seed=4, replicates=3, beta=0.0)
    assert run.infectious[:, :10].sum() > 0 and run.infectious[:, 10:20].sum() > 0
    expected = np.where(blocked[None, :], 0, run.infectious)
    np.testing.assert_array_equal(run.infectious_at_work, expected)
    assert (per_replicate(run, pop)["infectious_worker_days_at_work"] == expected.sum(axis=1)).all()
    # with sick leave (7 days from symptom onset) the symptomatic stay home: fewer
    sick = simulate(pop, Controls(), w, Params(), days, seed=4, replicates=3, beta=0.0)
    np.testing.assert_array_equal(sick.infectious, run.infectious)
    assert sick.infectious_at_work.sum() < run.infectious_at_work.sum()
