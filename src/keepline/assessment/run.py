"""The continuity assessment: for every policy × scenario, outbreak replicates → workers
available → production plan → what is lost; then a recommendation.

Every task below is a pure function of its arguments (seeded), so the numbers are the
same in-process, on one Dask worker or on many. The outbreak of a cell is the same run
that ``keepline outbreak run`` makes with the same seed (replicate r always draws from
its own stream), and each plan is the one ``keepline plan`` makes from that replicate's
workforce.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from keepline import __version__
from keepline.assessment.prevention import prevention_use
from keepline.assessment.sweep import Executor, run_tasks
from keepline.continuity.exposure import exposure
from keepline.continuity.plan import plan
from keepline.continuity.record import PlanSummary
from keepline.outbreak.engine import Params, Run, calibrate_beta, simulate
from keepline.outbreak.policy import Policy, to_controls
from keepline.outbreak.population import Population, from_plant
from keepline.outbreak.results import Band, daily_bands, per_replicate, workforce
from keepline.outbreak.world import world_from_scenario
from keepline.plant.schema import PRIORITY_ORDER, PlantFile
from keepline.scenario import NO_SCENARIO, Scenario
from keepline.workforce import full_workforce

CRITICAL = ("front-line", "livelihood")
# Which replicates are planned: ranked by worker-days lost in the zones that have lines,
# the median first, then four more quantiles. The mean over the five is a stratified
# estimate of the expected loss; the 90th percentile is the bad case (10 % are worse).
REPRESENTATIVES = (
    ("median", 50.0),
    ("bad (90th percentile)", 90.0),
    ("good (10th percentile)", 10.0),
    ("30th percentile", 30.0),
    ("70th percentile", 70.0),
)


@dataclass(frozen=True)
class NamedPolicy:
    name: str
    source: str
    policy: Policy


@dataclass(frozen=True)
class NamedScenario:
    name: str
    source: str
    scenario: Scenario
    index_cases: int  # workers infected on day 0 (1 with no scenario file, as the CLI does)


@dataclass(frozen=True)
class Settings:
    days: int = 90
    replicates: int = 200
    seed: int = 1
    r0: float = 2.5
    executor: Executor = field(default_factory=Executor)


def default_scenario() -> NamedScenario:
    return NamedScenario("no disruption", "(none)", NO_SCENARIO, 1)


# ------------------------------------------------------------------------- pure tasks


def outbreak_task(
    pop: Population, policy: Policy, source: str, scenario: NamedScenario, days: int,
    seed: int, reps: list[int], beta: float, params: Params,
) -> Run:  # fmt: skip
    controls = to_controls(policy, pop, source)
    world = world_from_scenario(scenario.scenario, pop, days, scenario.index_cases)
    return simulate(pop, controls, world, params, days, seed, reps, beta=beta)


def plan_task(plant: PlantFile, wf: Any, scenario: Scenario, days: int) -> PlanSummary:
    return plan(plant, wf, scenario, days, baseline=False).record().summary()


def exposure_task(plant: PlantFile, scenario: Scenario, days: int) -> list[dict[str, Any]]:
    return [n.to_dict() for n in exposure(plant, scenario, days)]


# ------------------------------------------------------------------------- the sweep


def production_days_lost(run: Run, pop: Population, plant: PlantFile) -> np.ndarray:
    """Per replicate: worker-days lost in the zones that have production lines."""
    line_zones = {ln.zone for ln in plant.lines}
    prod = np.array([pop.zones[z] in line_zones for z in pop.team_zone])
    absent = pop.team_size[None, None, :] - run.present
    return absent[:, :, prod].sum(axis=(1, 2))


def output_lost(baseline: PlanSummary, plan_: PlanSummary) -> dict[str, Any]:
    """Output lost against the undisrupted plan: units per product, their total, and the
    share lost averaged over products (so a kit and an instrument weigh the same)."""
    by_product = {
        p: max(0.0, base - plan_.output_by_product.get(p, 0.0))
        for p, base in baseline.output_by_product.items()
    }
    shares = [by_product[p] / base for p, base in baseline.output_by_product.items() if base > 0]
    return {
        "output_lost_by_product": by_product,
        "output_lost_units": float(sum(by_product.values())),
        "output_lost_share": float(np.mean(shares)) if shares else 0.0,
    }


def representatives(lost: np.ndarray) -> list[tuple[str, int]]:
    """(label, replicate) at each quantile of ``REPRESENTATIVES`` of ``lost``."""
    order = np.argsort(lost, kind="stable")
    out = []
    for label, q in REPRESENTATIVES:
        pos = min(len(order) - 1, max(0, math.ceil(q / 100 * len(order)) - 1))
        out.append((label, int(order[pos])))
    return out


def cell_task(
    plant: PlantFile, pop: Population, policy: NamedPolicy, scenario: NamedScenario,
    days: int, seed: int, replicates: int, beta: float, params: Params,
) -> dict[str, Any]:  # fmt: skip
    """One policy × scenario: the outbreak replicates, the representative plans, the
    prevention materials. Returns only what the report needs (small, JSON-ready), so a
    cell is one cheap task for a Dask worker."""
    run = outbreak_task(pop, policy.policy, policy.source, scenario, days, seed,
                        list(range(replicates)), beta, params)  # fmt: skip
    chosen = representatives(production_days_lost(run, pop, plant))
    plans = [plan_task(plant, workforce(run, pop, r), scenario.scenario, days) for _, r in chosen]
    present = run.present.sum(axis=2)
    prevention = [
        {
            "material": u.material,
            "unit": u.unit,
            "on_hand": u.on_hand,
            "used": u.used,
            "per_day": u.per_day,
            "runs_out_day": u.runs_out_day,
            "runs_out_date": (
                (plant.horizon_start + dt.timedelta(days=u.runs_out_day)).isoformat()
                if u.runs_out_day is not None
                else None
            ),
        }
        for u in prevention_use(plant, present.mean(axis=0), run.samples.mean(axis=0))
    ]
    return {
        "policy": policy.name,
        "policy_file": policy.source,
        "scenario": scenario.name,
        "scenario_file": scenario.source,
        "outbreak": {
            "metrics": {k: Band.of(v).as_dict() for k, v in per_replicate(run, pop).items()},
            "available_per_day": daily_bands(present),
            "infectious_per_day": daily_bands(run.infectious),
        },
        "plans": [
            {"which": label, "replicate": r, **cp.to_json()}
            for (label, r), cp in zip(chosen, plans, strict=True)
        ],
        "prevention": prevention,
    }


def _task(kind: str, *args: Any) -> Any:
    """One entry point for every kind of task, so one submission carries them all and
    the cluster stays busy to the end."""
    return {"cell": cell_task, "plan": plan_task, "exposure": exposure_task}[kind](*args)


def assess(
    plant: PlantFile,
    policies: list[NamedPolicy],
    scenarios: list[NamedScenario],
    settings: Settings,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Run the assessment; returns the ``report.json`` dictionary.

    Tasks: one per policy × scenario (outbreak, then plans of its representative
    replicates), one baseline plan, one exposure analysis per scenario. Each is a pure
    function of its arguments, so the report is the same on any executor.
    """
    days, reps, seed = settings.days, settings.replicates, settings.seed
    pop = from_plant(plant)
    params = replace(Params(), r0=settings.r0)
    beta = calibrate_beta(pop, params)

    cells = [(p, s) for s in scenarios for p in policies]
    # the longest tasks first, so no worker is left with a long one at the end
    args: list[tuple[Any, ...]] = [
        ("cell", plant, pop, p, s, days, seed, reps, beta, params) for p, s in cells
    ]
    args.append(("plan", plant, full_workforce(plant, days), NO_SCENARIO, days))
    args += [("exposure", plant, s.scenario, days) for s in scenarios]
    total = len(args)
    if progress:
        progress("policy × scenario cells, plans, exposure", 0, total)
    done = run_tasks(
        _task,
        args,
        settings.executor,
        (lambda _i: progress("policy × scenario cells, plans, exposure", 1, total))
        if progress
        else None,
    )
    report_cells = done[: len(cells)]
    baseline: PlanSummary = done[len(cells)]
    exposures = done[len(cells) + 1 :]

    for cell in report_cells:
        for cp in cell["plans"]:
            cp.update(output_lost(baseline, PlanSummary.from_json(cp)))
        main = dict(cell["plans"][0])
        main["expected_output_lost_units"] = float(
            np.mean([cp["output_lost_units"] for cp in cell["plans"]])
        )
        main["expected_output_lost_share"] = float(
            np.mean([cp["output_lost_share"] for cp in cell["plans"]])
        )
        cell["plan"] = main

    report: dict[str, Any] = {
        "keepline_report": 1,
        "keepline_version": __version__,
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "plant": {
            "id": plant.enterprise.id,
            "name": plant.enterprise.name,
            "region_code": plant.enterprise.region_code,
            "headcount": plant.headcount(),
            "horizon_start": plant.horizon_start.isoformat(),
        },
        "settings": {
            "days": days,
            "replicates": reps,
            "seed": seed,
            "r0": settings.r0,
            "executor": settings.executor.describe(),
            "policies": [p.name for p in policies],
            "scenarios": [s.name for s in scenarios],
            "planned_replicates": "the 10th, 30th, 50th (median), 70th and 90th percentile "
            "replicates by worker-days lost in the zones with lines",
        },
        "baseline_plan": baseline.to_json(),
        "cells": report_cells,
        "exposure": {s.name: e for s, e in zip(scenarios, exposures, strict=True)},
    }
    report["recommendation"] = recommend(report)
    report["summary"] = summarise(report)
    return report


# ------------------------------------------------------------------------- judgement


def _critical_fill(plan_: dict[str, Any]) -> float:
    vals = [plan_["fill_by_due"][c] for c in CRITICAL if plan_["fill_by_due"][c] is not None]
    return min(vals) if vals else 1.0


def policy_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per policy, over all scenarios (median replicate): worst critical fill, units lost
    by class, mean infections in the plant, tests and worker-days lost."""
    rows = []
    for name in report["settings"]["policies"]:
        cells = [c for c in report["cells"] if c["policy"] == name]
        if not cells:
            continue

        def mean(metric: str, cells: list[dict[str, Any]] = cells) -> float:
            return float(np.mean([c["outbreak"]["metrics"][metric]["mean"] for c in cells]))

        lost = {
            pr.value: sum(c["plan"]["units_lost"][pr.value] for c in cells) for pr in PRIORITY_ORDER
        }
        short = {
            pr.value: sum(c["plan"]["units_short_by_due"][pr.value] for c in cells)
            for pr in PRIORITY_ORDER
        }
        rows.append(
            {
                "policy": name,
                "critical_fill": min(_critical_fill(c["plan"]) for c in cells),
                "critical_on_time": all(_critical_fill(c["plan"]) >= 0.999 for c in cells),
                "units_lost": lost,
                "units_short_by_due": short,
                "infections": mean("infections_in_plant"),
                "tests": mean("tests"),
                "worker_days_lost": mean("worker_days_lost"),
            }
        )
    return rows


def recommend(report: dict[str, Any]) -> dict[str, Any]:
    """The policy that keeps critical orders on time at the least cost, where cost is
    counted first in workers' health (infections in the plant, mean over replicates and
    scenarios) and then in tests. If no policy keeps critical orders on time, the one
    that loses least (front-line units first, then livelihood, then standard)."""
    rows = policy_rows(report)
    n_sc = len(report["settings"]["scenarios"])
    ok = [r for r in rows if r["critical_on_time"]]
    if ok:
        best = min(ok, key=lambda r: (round(r["infections"], 1), r["tests"], r["policy"]))
        others = [r for r in ok if r is not best]
        why = (
            f"It ships every front-line and livelihood order by its due date in "
            f"{'all ' + str(n_sc) + ' scenarios' if n_sc > 1 else 'the scenario'} "
            f"(median outbreak) with the fewest infections in the plant "
            f"({best['infections']:,.1f} per run on average) and {best['tests']:,.0f} tests"
            + (
                f"; {len(others)} other "
                + ("policies also keep" if len(others) > 1 else "policy also keeps")
                + " critical orders on time but with more infections or more tests"
                if others
                else ""
            )
            + "."
        )
        return {"policy": best["policy"], "critical_on_time": True, "why": why}
    best = min(
        rows,
        key=lambda r: (
            tuple(round(r["units_short_by_due"][p.value]) for p in PRIORITY_ORDER),
            r["infections"],
            r["policy"],
        ),
    )
    short = best["units_short_by_due"]
    why = (
        "No policy keeps every critical order on time; this one loses least: "
        f"{short['front-line']:,.0f} front-line, {short['livelihood']:,.0f} livelihood and "
        f"{short['standard']:,.0f} standard units not shipped by their due dates over the "
        f"scenarios (median outbreak; worst critical fill by due date "
        f"{100 * best['critical_fill']:.1f} %), with {best['infections']:,.1f} infections in "
        "the plant per run."
    )
    return {"policy": best["policy"], "critical_on_time": False, "why": why}


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """The first screen: orders at risk under the recommended policy, the most exposed
    nodes, prevention materials that run out, the policies compared."""
    chosen = report["recommendation"]["policy"]
    at_risk = []
    for c in report["cells"]:
        if c["policy"] == chosen:
            for o in c["plan"]["orders_at_risk"]:
                at_risk.append({**o, "scenario": c["scenario"]})
    rank = {p.value: i for i, p in enumerate(PRIORITY_ORDER)}
    at_risk.sort(key=lambda o: (rank[o["priority"]], o["due"], -o["short_by_due"]))
    # The most exposed nodes: largest performance impact first; where no node's loss
    # costs demand within its recovery time, the smallest margin TTS - TTR first.
    nodes: dict[str, dict[str, Any]] = {}
    for sc, rows in report["exposure"].items():
        for n in rows:
            key = f"{n['kind']}:{n['id']}"
            row = {
                "node": key,
                "scenario": sc,
                "tts_days": n["tts_days"],
                "ttr_days": n["ttr_days"],
                "pi": n["pi"],
                "rei": n["risk_exposure_index"],
                "margin_days": n["tts_days"] - n["ttr_days"],
            }
            old = nodes.get(key)
            if old is None or (row["pi"], -row["margin_days"]) > (old["pi"], -old["margin_days"]):
                nodes[key] = row
    top = sorted(nodes.values(), key=lambda n: (-n["pi"], n["margin_days"], n["node"]))[:3]
    # Prevention materials that run out: per material and policy, the earliest date over
    # the scenarios and how many scenarios see it.
    first: dict[tuple[str, str], dict[str, Any]] = {}
    for c in report["cells"]:
        for m in c["prevention"]:
            if not m["runs_out_date"]:
                continue
            key = (m["material"], c["policy"])
            row = first.setdefault(
                key,
                {
                    "material": m["material"],
                    "policy": c["policy"],
                    "date": m["runs_out_date"],
                    "scenarios": 0,
                    "scenario": c["scenario"],
                },
            )
            row["scenarios"] += 1
            if m["runs_out_date"] < row["date"]:
                row.update(date=m["runs_out_date"], scenario=c["scenario"])
    run_outs = sorted(first.values(), key=lambda m: (m["date"], m["material"], m["policy"]))
    return {
        "orders_at_risk": at_risk,
        "top_exposed": top,
        "run_outs": run_outs,
        "policies": policy_rows(report),
    }
