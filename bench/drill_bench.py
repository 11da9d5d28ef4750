"""Emergency-plan drill benchmark: a 30-day drill of the Xuzhou plant (target: under 10 s).

The drill (``keepline plans drill`` in-process, without the report's drawing) runs the
outbreak three ways per replicate: with no plan (the reference), with the plan (the
closed loop: a snapshot, the rules and the actions every day), and the continuity planner
on each run's workforce (plus one re-plan per ``replan`` action that runs). Its peer,
side by side: the outbreak engine alone (``simulate``) on the same plant, scenario,
standing policy, seed and replicate. Reported: median wall time of ``--repeats`` runs each
and their ratio; and the drill with its HTML report written, once.

Run:  .venv/bin/python bench/drill_bench.py [--days 30] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from keepline.outbreak.engine import Params, calibrate_beta, simulate
from keepline.outbreak.policy import to_controls
from keepline.outbreak.population import from_plant
from keepline.outbreak.world import world_from_scenario
from keepline.plans.drill import STANDING, read_inputs, run_drill
from keepline.plans.drill_report import write_drill
from keepline.plans.replay import DrillSettings
from keepline.plant.files import read_plant

ROOT = Path(__file__).resolve().parent.parent
PLANT = ROOT / "examples/xuzhou-qpcr.yaml"
PLAN = ROOT / "examples/plans/xuzhou-qpcr.yaml"
SCENARIO = ROOT / "examples/scenarios/xuzhou-city-wave.yaml"


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    plant = read_plant(PLANT)
    plans, scenario, policy, source = read_inputs(plant, [PLAN], SCENARIO, None)
    settings = DrillSettings(days=args.days, seed=1)
    params = Params()
    pop = from_plant(plant)

    def drill() -> dict:
        return run_drill(plant, plans, scenario, str(SCENARIO), policy, source, settings, params)

    def engine_alone() -> None:
        # the same work the drill's no-plan run starts from: calibrate, then one replicate
        beta = calibrate_beta(pop, params)
        world = world_from_scenario(scenario, pop, args.days)
        simulate(pop, to_controls(STANDING, pop), world, params, args.days, 1, [0], beta=beta)

    drill()  # warm the imports and caches of both
    t_drill = _median(drill, args.repeats)
    t_engine = _median(engine_alone, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_drill(drill(), Path(tmp))
        t_report = time.perf_counter() - start
    result = drill()["plans"][0]
    print(f"plant {plant.enterprise.id}: {pop.n} workers, {args.days} days, 1 replicate")
    print(f"activations {len(result['replicates'][0]['activations'])}, "
          f"rules never fired {len(result['never_fired'])}")  # fmt: skip
    print(f"drill (no plan + plan + planner) median of {args.repeats}: {t_drill:.3f} s")
    print(f"outbreak engine alone median of {args.repeats}: {t_engine:.3f} s")
    print(f"ratio drill / engine alone: {t_drill / t_engine:.1f}x")
    print(
        f"drill with the HTML report written (once, with the matplotlib import): {t_report:.3f} s"
    )


if __name__ == "__main__":
    main()
