"""The agent engine against Paltiel et al. 2020 at the paper's full scale: 5,000 students
(10 infected on day 0, 10 importations every 7 days), Rt 2.5 with isolation, 30 %
symptomatic, a 70 % sensitive and 98 % specific test every 1, 2, 3 or 7 days (and
symptoms only), next-day confirmation; 40 replicates. The test
(tests/outbreak/test_paltiel.py) runs a fifth of the population with 20 replicates.

Run:  .venv/bin/python bench/paltiel_bench.py
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.outbreak.helpers import population, world
from tests.outbreak.paltiel import cumulative_infections

from keepline.outbreak.disease import DiseaseParams
from keepline.outbreak.engine import Controls, Params, Round, TestKind, simulate

PUBLISHED = {1: 162, 2: 243, 3: 379, 7: 1840}


def agent(every: int | None, n: int = 5000, reps: int = 40) -> tuple[float, float]:
    days, seeded = 80, 10
    imports = ((0, seeded, -1), *((d, seeded, -1) for d in range(7, days, 7)))
    pop = population(zones=1, teams_per_zone=1, team_size=n)
    params = replace(
        Params(), r0=2.5, r0_definition="with_isolation",
        disease=DiseaseParams(symptomatic_fraction=0.3),
    )  # fmt: skip
    test = TestKind("leaflet", 3.0, 0.98, sensitivity=0.7)
    confirm = TestKind("pcr", 3.0, 1.0)
    rounds = ()
    if every:
        rounds = (Round(test, every_days=every, turnaround_days=0, confirm=confirm),)
    ctl = Controls(rounds=rounds, isolate_on_symptoms=True)
    run = simulate(pop, ctl, world(pop, days, imports=imports), params, days, 5, reps)
    x = run.new_infections.sum(axis=(1, 2)) - seeded
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(reps))


def main() -> None:
    print("| screening | paper | compartmental (ours) | agent engine (mean ± SE) |")
    print("|---|---|---|---|")
    for every in (1, 2, 3, 7, None):
        m, se = agent(every)
        paper = PUBLISHED.get(every, "—") if every else "—"
        label = f"every {every} d" if every else "symptoms only"
        print(f"| {label} | {paper} | {cumulative_infections(every):.0f} | {m:.0f} ± {se:.0f} |")


if __name__ == "__main__":
    main()
