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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keepline import __version__
from keepline.assessment.headline import STRATA, headline, planned_percentiles
from keepline.assessment.prevention import prevention_use
from keepline.assessment.sweep import Executor, run_tasks
from keepline.continuity.exposure import exposure
from keepline.continuity.plan import plan
from keepline.continuity.record import PlanSummary
from keepline.outbreak.engine import Params, Run, calibrate_beta, simulate
from keepline.outbreak.policy import Policy, to_controls
from keepline.outbreak.population import Population, from_plant
from keepline.outbreak.results import Band, daily_bands, per_replicate, workforce
from keepline.outbreak.world import params_for, world_from_scenario
from keepline.plant.schema import PRIORITY_ORDER, PlantFile
from keepline.scenario import NO_SCENARIO, Scenario
from keepline.workforce import full_workforce

CRITICAL = ("front-line", "livelihood")
CLASSES = tuple(p.value for p in PRIORITY_ORDER)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# Which replicates are planned: ranked by worker-days lost in the zones that have lines,
# the middle one of each of ``STRATA`` equal strata (see ``headline``); the median first,
# as it is the one the report shows in detail (an illustration, not the headline).
REPRESENTATIVES = tuple(
    sorted(
        (
            ("median" if q == 50 else f"{_ordinal(round(q))} percentile", q)
            for q in planned_percentiles()
        ),
        key=lambda lq: (lq[1] != 50, lq[1]),
    )
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
    """(label, replicate) at each quantile of ``REPRESENTATIVES`` of ``lost``, the median
    first; with no more replicates than strata, every replicate once (ranked by loss)."""
    order = np.argsort(lost, kind="stable")
    n = len(order)
    if n <= STRATA:
        mid = math.ceil(n / 2) - 1
        ranked = [
            ("median" if i == mid else f"ranked {i + 1} of {n}", int(r))
            for i, r in enumerate(order)
        ]
        return [ranked[mid], *ranked[:mid], *ranked[mid + 1 :]]
    out = []
    for label, q in REPRESENTATIVES:
        pos = min(n - 1, max(0, math.ceil(q / 100 * n) - 1))
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
    # each scenario's disease block (symptomatic share, how R0 is meant) sets its params
    params_of = {id(s): params_for(s.scenario, settings.r0) for s in scenarios}
    betas: dict[tuple[str, float], float] = {}
    for prm in params_of.values():
        key = (prm.r0_definition, prm.disease.symptomatic_fraction)
        if key not in betas:
            betas[key] = calibrate_beta(pop, prm)

    def beta_of(prm: Params) -> float:
        return betas[(prm.r0_definition, prm.disease.symptomatic_fraction)]

    cells = [(p, s) for s in scenarios for p in policies]
    # the longest tasks first, so no worker is left with a long one at the end
    args: list[tuple[Any, ...]] = [
        ("cell", plant, pop, p, s, days, seed, reps, beta_of(params_of[id(s)]), params_of[id(s)])
        for p, s in cells
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
        # the headline: the mean over the planned replicates with its interval; the
        # median replicate's plan is kept as the illustration the report shows in detail
        cell["headline"] = headline(cell["plans"], CLASSES)
        cell["plan"] = dict(cell["plans"][0])

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
            "planned_replicates": f"one replicate from the middle of each of {STRATA} equal "
            "strata of the replicates ranked by worker-days lost in the zones with lines "
            f"(the {', '.join(lbl for lbl, _ in sorted(REPRESENTATIVES, key=lambda x: x[1]))})",
            "headline": "mean over the planned replicates, with its 95 % confidence "
            "interval (mean ± t · standard error, Student's t with n − 1 degrees of "
            "freedom); the median replicate's plan is shown as an illustration",
        },
        "baseline_plan": baseline.to_json(),
        "policy_rules": {
            p.name: {"baseline": p.policy.is_baseline, "rules_broken": p.policy.rules_broken()}
            for p in policies
        },
        "cells": report_cells,
        "exposure": {s.name: e for s, e in zip(scenarios, exposures, strict=True)},
    }
    report["recommendation"] = recommend(report)
    report["summary"] = summarise(report)
    return report


# ------------------------------------------------------------------------- judgement


def _critical_fill(cell: dict[str, Any]) -> float:
    """The cell's worst critical class: the lowest headline (mean) fill by due date."""
    fill = cell["headline"]["fill_by_due"]
    vals = [fill[c]["mean"] for c in CRITICAL if fill[c] is not None]
    return min(vals) if vals else 1.0


def policy_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per policy, over all scenarios: worst critical fill by due date and units lost or
    short by class (headline means over the planned replicates), and, as means over the
    outbreak replicates and scenarios, workers infected (all, and in the plant), the
    worker-days worked while infectious, tests and worker-days lost. Whether it is the
    do-nothing baseline and which rules in force it breaks come beside them."""
    rows = []
    for name in report["settings"]["policies"]:
        cells = [c for c in report["cells"] if c["policy"] == name]
        if not cells:
            continue

        def mean(metric: str, cells: list[dict[str, Any]] = cells) -> float:
            return float(np.mean([c["outbreak"]["metrics"][metric]["mean"] for c in cells]))

        def total(key: str, cells: list[dict[str, Any]] = cells) -> dict[str, float]:
            return {cl: sum(c["headline"][key][cl]["mean"] for c in cells) for cl in CLASSES}

        rules = report["policy_rules"][name]
        rows.append(
            {
                "policy": name,
                "baseline": rules["baseline"],
                "rules_broken": rules["rules_broken"],
                "critical_fill": min(_critical_fill(c) for c in cells),
                "critical_on_time": all(_critical_fill(c) >= 0.999 for c in cells),
                "units_lost": total("units_lost"),
                "units_short_by_due": total("units_short_by_due"),
                "output_lost_share": float(
                    np.mean([c["headline"]["output_lost_share"]["mean"] for c in cells])
                ),
                "workers_infected": mean("infections"),
                "infections": mean("infections_in_plant"),
                "infectious_worker_days_at_work": mean("infectious_worker_days_at_work"),
                "tests": mean("tests"),
                "worker_days_lost": mean("worker_days_lost"),
            }
        )
    return rows


def recommend(report: dict[str, Any]) -> dict[str, Any]:
    """The policy that keeps critical orders on time at the least cost, where cost is
    counted first in workers' health (infections in the plant, mean over replicates and
    scenarios) and then in tests. If no policy keeps critical orders on time, the one
    that loses least (front-line units first, then livelihood, then standard). A policy
    that breaks the rules in force (the do-nothing baseline among them) is never
    recommended: it is there to compare against."""
    all_rows = policy_rows(report)
    rows = [r for r in all_rows if not r["rules_broken"]]
    left_out = [r["policy"] for r in all_rows if r["rules_broken"]]
    aside = (
        f" Not considered, as they break the rules in force: {', '.join(left_out)}."
        if left_out
        else ""
    )
    if not rows:
        return {
            "policy": None,
            "critical_on_time": False,
            "why": "Every policy compared breaks the rules in force (a confirmed case must "
            "be isolated, so the sick must be found): compare at least one that keeps them."
            + aside,
        }
    n_sc = len(report["settings"]["scenarios"])
    ok = [r for r in rows if r["critical_on_time"]]
    if ok:
        best = min(ok, key=lambda r: (round(r["infections"], 1), r["tests"], r["policy"]))
        others = [r for r in ok if r is not best]
        why = (
            f"It ships every front-line and livelihood order by its due date in "
            f"{'all ' + str(n_sc) + ' scenarios' if n_sc > 1 else 'the scenario'} "
            f"(mean over the planned outbreak replicates) with the fewest infections in the "
            f"plant ({best['infections']:,.1f} per run on average) and {best['tests']:,.0f} tests"
            + (
                f"; {len(others)} other "
                + ("policies also keep" if len(others) > 1 else "policy also keeps")
                + " critical orders on time but with more infections or more tests"
                if others
                else ""
            )
            + "."
            + aside
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
        f"scenarios (mean over the planned outbreak replicates; worst critical fill by due "
        f"date {100 * best['critical_fill']:.1f} %), with {best['infections']:,.1f} "
        "infections in the plant per run." + aside
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
