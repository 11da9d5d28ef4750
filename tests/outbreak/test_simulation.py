"""Stepping the outbreak engine day by day (``Simulation``): the same numbers as
``simulate`` with no measure, and a measure from day d changes nothing before d."""

from __future__ import annotations

import numpy as np
import pytest

from keepline.outbreak.engine import (
    PCR,
    Controls,
    Params,
    Round,
    Run,
    Simulation,
    World,
    calibrate_beta,
    simulate,
)
from tests.outbreak.helpers import population

DAYS = 20
SEED = 7
PARAMS = Params(r0=3.0, calibration_samples=500)
CONTROLS = Controls(
    rounds=(Round(PCR, every_days=3, pool_size=5),),
    isolate_on_symptoms=True,
    symptom_test=PCR,
    on_positive="team",
    quarantine_days=7,
)


def _world(zones: int) -> World:
    w = World.quiet(DAYS, zones)
    return World(w.prevalence, w.commuters_blocked, w.zone_closed, ((1, 3, 0), (2, 2, 1)))


def _stepped(pop, world, beta, reps, measure=None, at: int | None = None) -> Run:
    sim = Simulation(pop, CONTROLS, world, PARAMS, DAYS, SEED, reps, beta)
    for t in range(DAYS):
        if measure is not None and t == at:
            measure(sim)
        sim.step()
    return sim.result()


def _equal(a: Run, b: Run, days: slice = slice(None)) -> bool:
    return all(np.array_equal(getattr(a, f)[:, days], getattr(b, f)[:, days]) for f in Run.FIELDS)


@pytest.fixture(scope="module")
def setup():
    pop = population(zones=2, teams_per_zone=3, team_size=20, dorm_every=2)
    return pop, calibrate_beta(pop, PARAMS)


def test_stepping_without_measures_is_simulate(setup) -> None:
    pop, beta = setup
    world = _world(2)
    whole = simulate(pop, CONTROLS, world, PARAMS, DAYS, SEED, [0, 1, 2], beta=beta)
    stepped = _stepped(pop, world, beta, [0, 1, 2])
    assert whole.new_infections.sum() > 5  # something happens to compare
    assert _equal(whole, stepped)
    # and one replicate on its own has the numbers it has in a batch
    alone = _stepped(pop, world, beta, [1])
    assert np.array_equal(alone.new_infections[0], whole.new_infections[1])


@pytest.mark.parametrize(
    "measure",
    [
        lambda sim: sim.close_zone(0),
        lambda sim: sim.close_zone(0, closed_loop=True),
        lambda sim: sim.add_round(Round(PCR, start_day=sim.day, last_day=sim.day + 2, zones=(0,))),
        lambda sim: sim.quarantine(np.ones((1, sim.pop.n), bool), sim.day + 5),
    ],
    ids=["close", "closed-loop", "round", "quarantine"],
)
def test_a_measure_from_day_d_changes_nothing_before_d(setup, measure) -> None:
    pop, beta = setup
    world = _world(2)
    base = _stepped(pop, world, beta, [0])
    d = 6
    changed = _stepped(pop, world, beta, [0], measure, d)
    assert _equal(base, changed, slice(0, d))
    assert not _equal(base, changed)  # it does change the days from d


def test_closing_a_zone_keeps_its_workers_away_and_a_closed_loop_keeps_residents() -> None:
    pop = population(zones=2, teams_per_zone=2, team_size=10, dorm_every=2)
    world = World.quiet(6, 2)
    beta = calibrate_beta(pop, PARAMS)
    quiet = Controls()
    for loop, expected in ((False, 0), (True, 10)):  # team t0-0 lives in the dormitory
        sim = Simulation(pop, quiet, world, PARAMS, 6, 1, [0], beta)
        sim.step()
        sim.close_zone(0, closed_loop=loop)
        for _ in range(5):
            sim.step()
        present = sim.result().present[0]
        assert present[0].tolist() == [10, 10, 10, 10]
        zone0 = [i for i, t in enumerate(pop.team_ids) if t.startswith("t0-")]
        assert present[1:, zone0].sum(axis=1).tolist() == [expected] * 5
        sim_open = present[1:, [i for i in range(4) if i not in zone0]].sum(axis=1)
        assert sim_open.tolist() == [20] * 5


def test_a_round_runs_on_its_days_only() -> None:
    pop = population(zones=2, teams_per_zone=1, team_size=10)
    world = World.quiet(8, 2)
    sim = Simulation(pop, Controls(), world, PARAMS, 8, 1, [0])
    sim.step()
    sim.add_round(Round(PCR, start_day=2, last_day=4, zones=(1,)))
    with pytest.raises(ValueError, match="in the past"):
        sim.add_round(Round(PCR, start_day=0))
    for _ in range(7):
        sim.step()
    # zone 1's ten workers, one swab each, on days 2, 3 and 4
    assert sim.result().samples[0].tolist() == [0, 0, 10, 10, 10, 0, 0, 0]
