"""Outbreak engine benchmark: keepline vs covasim 4, and the 1,000-replicate plant run.

1. Same population size and days, one replicate, comparable screening: 100,000 agents ×
   180 days, 10 index cases, everyone tested every 3 days with next-day results and
   isolation of positives. keepline runs its synthetic plant (teams of 50, zones of 500,
   two shifts, 40 % in dormitories) with individual PCR every 3 days; covasim runs its
   'hybrid' population (households, schools, work, community) with ``test_prob``
   (asymptomatic and symptomatic daily test probability 1/3, 1-day delay) and its default
   isolation. Reported: agent-days per second for each, and the ratio.
2. A 10,000-worker plant × 180 days × 1,000 replicates (every-3-days 10-in-1 pooled PCR,
   symptom isolation, team quarantine, city prevalence 50/100k and 3 importations) on
   ``--workers`` processes: wall time and peak memory (RSS of the main process and of the
   largest worker).

covasim is installed ONLY for this benchmark, in its own git-ignored virtualenv:

    python3.11 -m venv bench/_peers/covasim-venv
    bench/_peers/covasim-venv/bin/pip install covasim==4.0.1

Run:  .venv/bin/python bench/outbreak_bench.py [--append]   (--append adds the results
to bench/RESULTS.md with the date and the machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

from keepline.outbreak.engine import PCR, Controls, Params, Round, World, calibrate_beta, simulate
from keepline.outbreak.parallel import run_replicates
from keepline.outbreak.population import from_plant
from keepline.outbreak.synthetic import synthetic_plant

HERE = Path(__file__).resolve().parent
COVASIM_PY = HERE / "_peers" / "covasim-venv" / "bin" / "python"

COVASIM_SCRIPT = textwrap.dedent(
    """
    import json, sys, time, warnings
    warnings.filterwarnings("ignore")
    import covasim as cv
    n, days, screen = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    t0 = time.perf_counter()
    tp = cv.test_prob(symp_prob=1/3, asymp_prob=1/3, test_delay=1, start_day=0)
    sim = cv.Sim(pop_size=n, pop_type="hybrid", n_days=days - 1, pop_infected=10,
                 rand_seed=1, interventions=[tp] if screen else [], verbose=0)
    sim.initialize()
    t1 = time.perf_counter()
    sim.run(verbose=0)
    t2 = time.perf_counter()
    r = sim.results
    print(json.dumps({"init_s": t1 - t0, "run_s": t2 - t1,
                      "infections": float(r["cum_infections"][-1]),
                      "tests": float(r["cum_tests"][-1]), "version": cv.__version__}))
    """
)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )


def vs_covasim(n: int, days: int, screening: bool) -> dict:
    pop = from_plant(synthetic_plant(n))
    params = Params()
    ctl = Controls(
        rounds=(Round(PCR, every_days=3, turnaround_days=1),) if screening else (),
        isolate_on_symptoms=screening,
        symptom_test=PCR if screening else None,
        on_positive="none",
    )
    world = World.quiet(days, len(pop.zones), index_cases=10)
    t0 = time.perf_counter()
    beta = calibrate_beta(pop, params)
    run = simulate(pop, ctl, world, params, days, seed=1, replicates=1, beta=beta)
    kl_s = time.perf_counter() - t0
    out = {
        "screening": screening,
        "agents": n,
        "days": days,
        "keepline_s": kl_s,
        "keepline_agent_days_per_s": n * days / kl_s,
        "keepline_infections": int(run.new_infections.sum()),
        "keepline_tests": int(run.tests.sum()),
    }
    if not COVASIM_PY.exists():
        out["covasim"] = "not installed (see this script's docstring)"
        return out
    proc = subprocess.run(
        [str(COVASIM_PY), "-c", COVASIM_SCRIPT, str(n), str(days), "1" if screening else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    cv = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(
        covasim_version=cv["version"],
        covasim_init_s=cv["init_s"],
        covasim_run_s=cv["run_s"],
        covasim_agent_days_per_s=n * days / cv["run_s"],
        covasim_infections=cv["infections"],
        covasim_tests=cv["tests"],
    )
    out["ratio"] = out["keepline_agent_days_per_s"] / out["covasim_agent_days_per_s"]
    return out


def plant_replicates(n: int, days: int, replicates: int, workers: int) -> dict:
    pop = from_plant(synthetic_plant(n))
    ctl = Controls(
        rounds=(Round(PCR, every_days=3, pool_size=10, turnaround_days=1),),
        isolate_on_symptoms=True,
        symptom_test=PCR,
        on_positive="team",
    )
    world = World(
        np.full(days, 50e-5),
        np.zeros(days, bool),
        np.zeros((days, len(pop.zones)), bool),
        ((5, 1, -1), (20, 1, -1), (40, 1, -1)),
    )
    t0 = time.perf_counter()
    run = run_replicates(pop, ctl, world, Params(), days, 1, replicates, workers=workers)
    wall = time.perf_counter() - t0
    kb = 1024
    return {
        "workers": n,
        "days": days,
        "replicates": replicates,
        "processes": workers,
        "wall_s": wall,
        "agent_days_per_s": n * days * replicates / wall,
        "peak_rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kb,
        "peak_rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb,
        "mean_infections": float(run.new_infections.sum(axis=(1, 2)).mean()),
        "mean_tests": float(run.tests.sum(axis=1).mean()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--plant-workers", type=int, default=10_000)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2, help="processes for the replicate run")
    ap.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = ap.parse_args()

    rows = [vs_covasim(args.agents, args.days, screening) for screening in (True, False)]
    for a in rows:
        print(json.dumps(a, indent=1))
    b = plant_replicates(args.plant_workers, args.days, args.replicates, args.workers)
    print(json.dumps(b, indent=1))
    if not args.append:
        return
    today = dt.date.today().isoformat()
    lines = []
    for a in rows:
        what = (
            "everyone tested every 3 days (next-day results, isolation of positives)"
            if a["screening"]
            else "no interventions"
        )
        cov = (
            f"covasim {a['covasim_version']}: run {a['covasim_run_s']:.1f} s "
            f"(+ {a['covasim_init_s']:.1f} s to build the population) → "
            f"{a['covasim_agent_days_per_s']:,.0f} agent-days/s, "
            f"{a['covasim_infections']:,.0f} infections, {a['covasim_tests']:,.0f} tests. "
            f"**Ratio {a['ratio']:.1f}×**"
            if "ratio" in a
            else f"covasim: {a['covasim']}"
        )
        lines.append(
            f"- {what}: keepline {a['keepline_s']:.2f} s incl. R0 calibration → "
            f"{a['keepline_agent_days_per_s']:,.0f} agent-days/s, "
            f"{a['keepline_infections']:,} infections, {a['keepline_tests']:,} tests; {cov}"
        )
    text = f"""
## Outbreak engine — {today}

Machine: {machine()}. Command: `.venv/bin/python bench/outbreak_bench.py --append`.

**vs covasim**, {rows[0]["agents"]:,} agents × {rows[0]["days"]} days, one replicate,
10 index cases (target: keepline ≥ 10× covasim's agent-days/s). keepline's plant
population and covasim's 'hybrid' city differ, so the epidemics differ in size; the
unscreened row has large epidemics in both.

{chr(10).join(lines)}

**Plant Monte Carlo**, {b["workers"]:,} workers × {b["days"]} days ×
{b["replicates"]:,} replicates on {b["processes"]} processes (every-3-days 10-in-1 PCR,
symptom isolation, team quarantine, city prevalence 50/100k, 3 importations):
**{b["wall_s"]:.1f} s** wall (target < 60 s), {b["agent_days_per_s"]:,.0f} agent-days/s;
peak RSS {b["peak_rss_main_mb"]:.0f} MB main process, {b["peak_rss_worker_mb"]:.0f} MB
largest worker; mean {b["mean_infections"]:.0f} infections and {b["mean_tests"]:,.0f}
test reactions per replicate.
"""
    res = HERE / "RESULTS.md"
    if not res.exists():
        res.write_text("# Benchmark results\n\nEach section: what ran, where, when.\n")
    with res.open("a", encoding="utf-8") as fh:
        fh.write(text)
    print(f"appended to {res}", file=sys.stderr)


if __name__ == "__main__":
    main()
