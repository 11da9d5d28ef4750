"""Benchmark the continuity assessment (issue 5), end to end, on the Xuzhou plant.

6 policies × 3 scenarios × 200 replicates × 90 days: in-process (target < 60 s), then on
a Dask LocalCluster with 1 and with 2 workers (target: 2 workers ≥ 1.6× faster than 1).
The three runs must give identical numbers; the script checks it.

    .venv/bin/python bench/assessment_bench.py [--replicates 200] [--append]

``--append`` adds the result to bench/RESULTS.md with the date and machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

from keepline.assessment.headline import STRATA
from keepline.assessment.run import NamedPolicy, NamedScenario, Settings, assess
from keepline.assessment.sweep import Executor
from keepline.outbreak.policy import load_policy
from keepline.plant.yamlio import load_yaml
from keepline.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
POLICIES = [
    "no-screening",
    "weekly-pcr-10",
    "every-3-days-pcr-10",
    "daily-antigen",
    "zone-quarantine-14d",
    "test-to-stay",
]
SCENARIOS = ["xuzhou-city-wave", "xuzhou-control-area-21d", "xuzhou-optics-supplier-down"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = ap.parse_args()
    plant = load_yaml(ROOT / "examples/xuzhou-qpcr.yaml")
    pols = []
    for name in POLICIES:
        p = load_policy(ROOT / f"examples/policies/{name}.yaml")
        pols.append(NamedPolicy(p.name, name, p))
    scens = []
    for name in SCENARIOS:
        s = load_scenario(ROOT / f"examples/scenarios/{name}.yaml", plant)
        scens.append(NamedScenario(s.name, name, s, 0))
    times: dict[str, float] = {}
    reports = {}
    for label, ex in (
        ("in-process", Executor()),
        ("dask-1", Executor(workers=1)),
        ("dask-2", Executor(workers=2)),
    ):
        t0 = time.perf_counter()
        r = assess(
            plant, pols, scens, Settings(days=90, replicates=args.replicates, seed=1, executor=ex)
        )
        times[label] = time.perf_counter() - t0
        r.pop("generated_at")
        r["settings"].pop("executor")
        reports[label] = json.dumps(r, sort_keys=True)
        print(f"{label:>11}: {times[label]:6.1f} s", flush=True)
    identical = len(set(reports.values())) == 1
    speedup = times["dask-1"] / times["dask-2"]
    print(f"identical numbers: {identical}; 2 workers vs 1: {speedup:.2f}×")
    if args.append:
        cells = len(POLICIES) * len(SCENARIOS)
        text = (
            f"\n## Assessment end to end (`bench/assessment_bench.py`), {dt.date.today()}\n\n"
            f"Xuzhou plant, {len(POLICIES)} policies × {len(SCENARIOS)} scenarios = {cells} "
            f"cells × {args.replicates} replicates × 90 days; per cell {STRATA} plans + 1 "
            f"baseline plan + 1 exposure analysis per scenario. Machine: {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}.\n\n"
            "| run | seconds | target |\n|---|---|---|\n"
            f"| in-process | {times['in-process']:.1f} | < 60 |\n"
            f"| Dask LocalCluster, 1 worker | {times['dask-1']:.1f} | |\n"
            f"| Dask LocalCluster, 2 workers | {times['dask-2']:.1f} | |\n"
            f"| speed-up 2 workers / 1 worker | {speedup:.2f}× | ≥ 1.6× |\n\n"
            f"The three runs gave {'identical' if identical else 'DIFFERENT'} report.json "
            "numbers.\n"
        )
        with open(ROOT / "bench/RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
