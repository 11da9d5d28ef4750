"""Continuity benchmarks: plan times, rounding gap, greedy baseline, exposure speed-up.

    .venv/bin/python bench/continuity_bench.py [--skip-large] [--held-baseline]
        [--skip-willems] [--willems-all] [--scratch-sample 40]

Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import random
import time
from pathlib import Path

import numpy as np

from keepline.continuity.exposure import exposure_input
from keepline.continuity.lp import SolverOptions
from keepline.continuity.model import build_input
from keepline.continuity.plan import plan, plan_input
from keepline.continuity.willems import chain_path, convert
from keepline.plant.schema import PlantFile
from keepline.plant.yamlio import load_yaml
from keepline.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
WILLEMS = ROOT.parent / "shared" / "data" / "willems"


def generated_plant(
    seed: int = 7, products: int = 500, materials: int = 200, lines: int = 50, horizon: int = 180
) -> PlantFile:
    """A plant ten times the reference ones: 10 zones × 2 shifts, 50 lines each making
    ~10 products, 5 materials per product, a third of materials with a backup, 80
    suppliers in 20 regions, ~1,000 orders over the horizon sized to load the lines
    ~95 % on average, so some orders are late."""
    rng = random.Random(seed)
    zones = [f"z{i:02d}" for i in range(10)]
    skills = ["asm", "qc"]
    teams = [
        {
            "id": f"{z}-{s}-{k}",
            "zone": z,
            "shift": s,
            "headcount": 60 if k == "asm" else 8,
            "skills": [k],
        }
        for z in zones
        for s in ("day", "night")
        for k in skills
    ]
    prods = [f"p{i:03d}" for i in range(products)]
    mats = [f"m{i:03d}" for i in range(materials)]
    line_rows = []
    makers: dict[str, list[tuple[str, float]]] = {p: [] for p in prods}
    for i in range(lines):
        own = prods[i * (products // lines) : (i + 1) * (products // lines)]
        extra = rng.sample(prods, 2)
        rates = {p: float(rng.randint(20, 200)) for p in own + extra}
        for p, r in rates.items():
            makers[p].append((f"l{i:02d}", r))
        line_rows.append(
            {
                "id": f"l{i:02d}",
                "zone": zones[i % 10],
                "shifts": ["day", "night"],
                "crew_per_shift": {"asm": 10, "qc": 1},
                "rates_units_per_day": rates,
            }
        )
    regions = [f"{110000 + 10000 * i:06d}" for i in range(20)]
    sups = [{"id": f"s{i:02d}", "name": f"S{i}", "region_code": regions[i % 20]} for i in range(80)]
    lanes = [
        {"id": f"lane{i:02d}", "from_region": r, "transit_days": rng.randint(0, 3)}
        for i, r in enumerate(regions)
    ]
    boms = {p: {m: float(rng.choice([1, 1, 2])) for m in rng.sample(mats, 5)} for p in prods}
    orders = []
    load = {f"l{i:02d}": 0.0 for i in range(lines)}
    n = 0
    for p in prods:
        ln, rate = makers[p][0]
        for _ in range(2):
            qty = float(rng.randint(2, 12) * int(rate) // 2)
            due = rng.randint(10, horizon - 5)
            orders.append(
                {
                    "id": f"o{n:04d}",
                    "customer": "c",
                    "product": p,
                    "qty": qty,
                    "due": (dt.date(2027, 1, 1) + dt.timedelta(days=due)).isoformat(),
                    "priority": rng.choice(["front-line", "livelihood", "standard", "standard"]),
                    "penalty_per_unit_day": float(rng.randint(1, 50)),
                }
            )
            load[ln] += qty / rate
            n += 1
    use = {m: 0.0 for m in mats}
    for o in orders:
        for m, q in boms[o["product"]].items():
            use[m] += q * o["qty"]
    mat_rows = []
    for m in mats:
        daily = use[m] / horizon
        opts = [
            {
                "supplier": rng.choice(sups)["id"],
                "priority": 1,
                "lead_time_days": rng.randint(1, 7),
                "capacity_per_day": round(1.3 * daily) + 1,
                "unit_cost": float(rng.randint(1, 100)),
                "min_order": round(2 * daily),
            }
        ]
        if rng.random() < 0.33:
            opts.append(
                {
                    "supplier": rng.choice(sups)["id"],
                    "priority": 2,
                    "lead_time_days": rng.randint(1, 5),
                    "capacity_per_day": round(0.6 * daily) + 1,
                    "unit_cost": float(rng.randint(100, 150)),
                    "activation_days": rng.randint(3, 14),
                    "activation_cost": float(rng.randint(1000, 50000)),
                }
            )
        mat_rows.append(
            {
                "id": m,
                "name": m,
                "kind": "raw",
                "unit": "pcs",
                "on_hand": round(daily * rng.randint(5, 20)),
                "supply_options": opts,
            }
        )
    return PlantFile.model_validate(
        {
            "enterprise": {
                "id": "bench-large",
                "name": "Generated",
                "region_code": "320300",
                "sector": "bench",
                "jurisdiction": "bench",
            },
            "horizon_start": "2027-01-01",
            "zones": [
                {"id": z, "name": z, "kind": "production", "capacity_people": 200} for z in zones
            ],
            "shifts": [
                {"id": "day", "start": "08:00", "end": "20:00"},
                {"id": "night", "start": "20:00", "end": "08:00"},
            ],
            "teams": teams,
            "lines": line_rows,
            "products": [{"id": p, "name": p, "bom": boms[p]} for p in prods],
            "materials": mat_rows,
            "suppliers": sups,
            "lanes": lanes,
            "orders": orders,
        }
    )


def fmt(d: dict[str, float]) -> str:
    return "/".join(f"{d[k]:,.0f}" for k in ("front-line", "livelihood", "standard"))


def bench_examples() -> list[str]:
    rows = [
        "| plant | scenario | plan s | LP s | weighted lateness FL/LV/ST (rounded) | "
        "LP bound | greedy | gain over greedy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    cases = [("xuzhou-qpcr", None), ("zhengzhou-meters", None)]
    for sc in sorted((ROOT / "examples" / "scenarios").glob("*.yaml")):
        plant = "xuzhou-qpcr" if sc.name.startswith("xuzhou") else "zhengzhou-meters"
        cases.append((plant, sc))
    for plant_id, sc_path in cases:
        p = load_yaml(ROOT / "examples" / f"{plant_id}.yaml")
        sc = load_scenario(sc_path, p) if sc_path else None
        t = time.perf_counter()
        res = plan(p, scenario=sc, horizon=90)
        secs = time.perf_counter() - t
        g = sum(res.greedy_lateness_by_class.values())
        gain = g - res.weighted_lateness()
        rows.append(
            f"| {plant_id} | {sc_path.name if sc_path else '—'} | {secs:.2f} | "
            f"{res.lp.seconds:.2f} | {fmt(res.lateness_by_class)} | "
            f"{fmt(res.lp_lateness_by_class)} | {fmt(res.greedy_lateness_by_class)} | "
            f"{gain:,.0f} |"
        )
    return rows


def _large_run(inp, label: str, opts: SolverOptions) -> tuple[list[str], float]:
    t = time.perf_counter()
    res = plan_input(inp, opts)
    secs = time.perf_counter() - t
    levels = ", ".join(
        f"{k} {v:.1f} s/{res.lp.level_iterations.get(k, 0)} it"
        for k, v in res.lp.level_seconds.items()
    )
    lat, bound = res.weighted_lateness(), res.lp_bound()
    return [
        f"- {label} ({res.lp.solver}): **{secs:.1f} s** (LP {res.lp.seconds:.1f} s; levels "
        f"{levels}); check violations {len(res.violations)}; weighted lateness rounded "
        f"{lat:,.0f} vs LP bound {bound:,.0f}: gap **{100 * res.rounding_gap():.3f} %** "
        f"(FL/LV/ST rounded {fmt(res.lateness_by_class)}, bound "
        f"{fmt(res.lp_lateness_by_class)}); purchase cost {res.cost():,.0f}; greedy "
        f"{sum(res.greedy_lateness_by_class.values()):,.0f} "
        f"({fmt(res.greedy_lateness_by_class)})",
    ], secs


def bench_large(held_baseline: bool) -> list[str]:
    """The 10× plant: the plan as shipped (levels on the optimal face), without and with
    the cost level, and (``held_baseline``) the held-row levels in the same run."""
    t = time.perf_counter()
    p = generated_plant()
    inp = build_input(p, horizon=180)
    t_build = time.perf_counter() - t
    out = [
        f"- generated plant: {len(p.products)} products, {len(p.materials)} materials, "
        f"{len(p.lines)} lines, {len(p.orders)} orders, 180 days (input {t_build:.1f} s)",
    ]
    lines, face_s = _large_run(
        inp, "lateness levels", SolverOptions(time_limit_s=600, cost_level=False)
    )
    out += lines
    out += _large_run(inp, "lateness levels + cost level", SolverOptions(time_limit_s=600))[0]
    if held_baseline:
        lines, held_s = _large_run(
            inp,
            "baseline: lateness levels, each optimum held as a row",
            SolverOptions(time_limit_s=900, cost_level=False, face_levels=False),
        )
        out += lines
        out.append(f"- face vs held rows (lateness levels): **{held_s / face_s:.2f}×** faster")
    return out


def bench_willems(number: int, scratch_sample: int) -> list[str]:
    t = time.perf_counter()
    chain = convert(chain_path(WILLEMS, number), horizon_days=56)
    inp = build_input(chain.plant, horizon=8, outbound=chain.outbound)
    t_conv = time.perf_counter() - t
    run = exposure_input(inp)
    nodes = inp.nodes()
    rng = np.random.default_rng(0)
    sample = [
        nodes[i] for i in rng.choice(len(nodes), min(scratch_sample, len(nodes)), replace=False)
    ]
    warm_s = exposure_input(inp, nodes=sample)
    cold_s = exposure_input(inp, nodes=sample, warm=False)
    per_cold = cold_s.seconds / len(sample)
    per_warm = warm_s.seconds / len(sample)
    flagged = sum(n.flagged for n in run.nodes)
    return [
        f"- Willems chain {number}: {chain.stages} stages → {len(nodes)} nodes "
        f"({len(chain.plant.materials)} suppliers, {len(chain.plant.lines)} lines, "
        f"{len(chain.outbound)} outbound, zone/region/lane), {len(chain.folded)} folded; "
        f"weekly periods, 8 weeks; convert {t_conv:.1f} s",
        f"- TTS and PI for every node: **{run.seconds:.1f} s**, {run.solves} LP solves, "
        f"{flagged} flagged (TTS < TTR); {run.answered} nodes answered from a witness "
        f"without a solve, {run.blocks} solved on their blocks only, "
        f"{run.cold_restarts} warm solves restarted cold",
        f"- from scratch (build + solve per node) on {len(sample)} random nodes: "
        f"{per_cold * 1000:.0f} ms/node vs warm {per_warm * 1000:.0f} ms/node: speed-up "
        f"**{per_cold / per_warm:.1f}×** (all nodes from scratch ≈ {per_cold * len(nodes):.0f} s)",
    ]


def bench_willems_all() -> list[str]:
    rows = [
        "| chain | stages | nodes | seconds | solves | flagged | median TTS (weeks) |",
        "|---|---|---|---|---|---|---|",
    ]
    for number in range(1, 39):
        chain = convert(chain_path(WILLEMS, number), horizon_days=56)
        inp = build_input(chain.plant, horizon=8, outbound=chain.outbound)
        run = exposure_input(inp)
        tts = np.median([n.tts_days for n in run.nodes])
        rows.append(
            f"| {number} | {chain.stages} | {len(run.nodes)} | {run.seconds:.1f} | "
            f"{run.solves} | {sum(n.flagged for n in run.nodes)} | {tts:g} |"
        )
    return rows


def cpu_name() -> str:
    """The CPU model (machines of one kind differ: the same code ran 45 % slower on an
    AMD EPYC than on an Intel Xeon)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument(
        "--held-baseline",
        action="store_true",
        help="also plan the 10x plant with held rows (the earlier method; ~3 minutes)",
    )
    ap.add_argument("--skip-willems", action="store_true")
    ap.add_argument("--willems-all", action="store_true")
    ap.add_argument("--scratch-sample", type=int, default=40)
    a = ap.parse_args()
    out = [
        f"## continuity ({dt.date.today().isoformat()}, {platform.machine()}, "
        f"{cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"highspy {importlib.metadata.version('highspy')}, load average "
        f"{os.getloadavg()[0]:.2f} at the start)",
        "",
    ]
    out += ["Reference plants, 90 days (plan = LP levels + rounding + check + greedy):", ""]
    out += bench_examples()
    if not a.skip_large:
        out += ["", "Ten times larger:", ""] + bench_large(a.held_baseline)
    if not a.skip_willems and WILLEMS.exists():
        out += ["", "Exposure:", ""]
        for name in ("xuzhou-qpcr", "zhengzhou-meters"):
            inp = build_input(load_yaml(ROOT / "examples" / f"{name}.yaml"), horizon=90)
            w = exposure_input(inp)
            c = exposure_input(inp, warm=False)
            out.append(
                f"- {name}: {len(w.nodes)} nodes in {w.seconds:.2f} s warm, "
                f"{c.seconds:.2f} s from scratch ({c.seconds / w.seconds:.1f}×)"
            )
        out += bench_willems(38, a.scratch_sample)
        if a.willems_all:
            out += ["", "Every Willems chain (8 weekly periods):", ""] + bench_willems_all()
    print("\n".join(out))


if __name__ == "__main__":
    main()
