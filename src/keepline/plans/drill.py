"""A drill of an emergency plan: a scenario replayed against it on a copy of the plant.

The flow: the plant (its file, or the enterprise loaded in the database with its roster's
headcount per team, both read once into memory: nothing is written) → the outbreak
population → :func:`keepline.plans.replay.replay` of the scenario with the plan, with
each plan to compare, and with no plan, on the same seed and replicates → the scores:

* days from the first infection to the first trigger, to a zone locked and to the first
  screening round the plan started;
* workers infected and worker-days lost (workers not at work), against no plan;
* critical (front-line and livelihood) orders late: the continuity planner on each run's
  simulated workforce under the scenario, against the same replicate with no plan;
* the rules the drill cannot fire (it has no model of their input: listed as *not
  simulated*), the rules whose condition never held, and the actions that never ran.

The standing measures (what the plant does without the plan) are an outbreak policy,
:data:`STANDING` by default: workers with symptoms isolate and get a PCR, nothing else.
A drill is the same for the same inputs and seed (the report carries no clock).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from keepline.outbreak.engine import Params, calibrate_beta
from keepline.outbreak.policy import OnPositive, Policy, load_policy, to_controls
from keepline.outbreak.population import Population, from_plant
from keepline.outbreak.results import per_replicate
from keepline.people import service as people
from keepline.plans import schema as s
from keepline.plans.planfile import load_plan
from keepline.plans.replay import (
    DrillSettings,
    DrillWorld,
    ReplicateResult,
    critical_late,
    day0_orders_at_risk,
    not_simulated,
    replay,
    simulated_workforce,
)
from keepline.plant.schema import PlantFile
from keepline.plant.service import export_plant
from keepline.scenario import Scenario, load_scenario
from keepline.scope import EnterpriseScope

STANDING = Policy(
    name="symptoms isolated and tested",
    description="Workers with symptoms isolate and get a PCR; no screening, no quarantine.",
    on_positive=OnPositive(action="none"),
)


Progress = Callable[[float, str], None]

# The stages :func:`run_drill` reports (each plan's own is "plan ID vN").
STAGE_POPULATION = "building the population and calibrating the outbreak"
STAGE_NO_PLAN = "the scenario with no plan"
STAGE_DONE = "drill done"


def _quiet(fraction: float, message: str) -> None:
    """No progress shown."""


@dataclass(frozen=True)
class NamedPlan:
    source: str
    plan: s.PlanFile


def plant_from_record(session: Session, scope: EnterpriseScope) -> PlantFile:
    """The enterprise's plant as loaded, each team's headcount its roster's active workers
    (when a roster is loaded; the plant model's headcount otherwise). Reads only."""
    plant = export_plant(session, scope.enterprise_id)
    summary = people.summary(session, scope)
    if not summary["rostered"]:
        return plant
    rostered = {r["team"]: r["rostered"] for r in summary["teams"]}
    teams = [t.model_copy(update={"headcount": rostered.get(t.id, 0)}) for t in plant.teams]
    return plant.model_copy(update={"teams": teams})


def read_inputs(
    plant: PlantFile,
    plan_paths: Sequence[Path],
    scenario_path: Path,
    policy_path: Path | None,
) -> tuple[list[NamedPlan], Scenario, Policy, str]:
    """The plans, the scenario and the standing policy, checked against the plant."""
    plans = [NamedPlan(str(p), load_plan(p, plant)) for p in plan_paths]
    scenario = load_scenario(scenario_path, plant)
    if policy_path is None:
        return plans, scenario, STANDING, "(standing measures)"
    return plans, scenario, load_policy(policy_path), str(policy_path)


def _mean(values: Sequence[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return float(np.mean(got)) if got else None


def _since(day: int | None, start: int | None) -> int | None:
    return None if day is None or start is None else day - start


def _replicate_score(
    res: ReplicateResult,
    base: ReplicateResult,
    pop: Population,
    late: list[Any],
    base_late: list[Any],
) -> dict[str, Any]:
    mine = per_replicate(res.run, pop)
    theirs = per_replicate(base.run, pop)
    start = res.first_infection_day
    return {
        "replicate": res.replicate,
        "first_infection_day": start,
        "first_trigger_day": res.first_trigger_day,
        "zone_locked_day": res.zone_locked_day,
        "first_screening_day": res.first_screening_day,
        "days_to_first_trigger": _since(res.first_trigger_day, start),
        "days_to_zone_locked": _since(res.zone_locked_day, start),
        "days_to_first_screening": _since(res.first_screening_day, start),
        "infections": int(mine["infections"][0]),
        "infections_no_plan": int(theirs["infections"][0]),
        "worker_days_lost": int(mine["worker_days_lost"][0]),
        "worker_days_lost_no_plan": int(theirs["worker_days_lost"][0]),
        "critical_orders_late": [o.order for o in late],
        "critical_orders_late_no_plan": [o.order for o in base_late],
        "critical_units_short": float(sum(o.qty - o.shipped_by_due for o in late)),
        "critical_units_short_no_plan": float(sum(o.qty - o.shipped_by_due for o in base_late)),
        "infections_by_zone": res.infections_by_zone,
        "infections_by_zone_no_plan": base.infections_by_zone,
        "final_level": res.level,
        "activations": [a.to_json() for a in res.activations],
        "tasks_overdue": sum(t["overdue"] for a in res.activations for t in a.tasks),
        "outbox": res.outbox,
        "timeline": [{"day": d, "event": e} for d, e in res.timeline],
        "daily": {
            "new_infections": res.run.new_infections[0].sum(axis=1).tolist(),
            "new_infections_no_plan": base.run.new_infections[0].sum(axis=1).tolist(),
            "present": res.run.present[0].sum(axis=1).tolist(),
            "present_no_plan": base.run.present[0].sum(axis=1).tolist(),
        },
    }


def _never(
    plan: s.PlanFile, plant: PlantFile, results: list[ReplicateResult]
) -> dict[str, list[dict[str, Any]]]:
    """The rules the drill cannot fire (what they read is not simulated), those whose
    condition never held, and the actions that never ran."""
    fired = {a.rule for r in results for a in r.activations}
    ran: set[tuple[str, int]] = {
        (a.rule, x.index)
        for r in results
        for a in r.activations
        for x in a.actions
        if x.ran_day is not None
    }
    never_fired = []
    cannot = []
    never_ran = []
    for rule in plan.rules:
        why_not = not_simulated(rule.when, plant)
        if why_not is not None:
            cannot.append({"rule": rule.id, "name": rule.name, "reason": why_not})
        elif rule.id not in fired:
            never_fired.append(
                {"rule": rule.id, "name": rule.name, "reason": "its condition never held"}
            )
        for j, action in enumerate(rule.actions):
            if (rule.id, j) in ran:
                continue
            if why_not is not None:
                why = "its rule is not simulated"
            elif rule.id not in fired:
                why = "its rule never fired"
            elif not action.auto:
                why = "waits for a person to confirm it"
            else:
                why = "did not run"
            never_ran.append({"rule": rule.id, "index": j, "do": action.do, "reason": why})
    return {"not_simulated": cannot, "never_fired": never_fired, "never_ran": never_ran}


def _summary(reps: list[dict[str, Any]]) -> dict[str, Any]:
    keys = (
        "days_to_first_trigger",
        "days_to_zone_locked",
        "days_to_first_screening",
        "infections",
        "infections_no_plan",
        "worker_days_lost",
        "worker_days_lost_no_plan",
        "critical_units_short",
        "critical_units_short_no_plan",
        "tasks_overdue",
    )
    out: dict[str, Any] = {k: _mean([r[k] for r in reps]) for k in keys}
    out["critical_orders_late"] = _mean([len(r["critical_orders_late"]) for r in reps])
    out["critical_orders_late_no_plan"] = _mean(
        [len(r["critical_orders_late_no_plan"]) for r in reps]
    )
    return out


def run_drill(
    plant: PlantFile,
    plans: Sequence[NamedPlan],
    scenario: Scenario,
    scenario_source: str,
    policy: Policy,
    policy_source: str,
    settings: DrillSettings,
    params: Params | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The drill of each plan (the first, then those compared) and its scores (JSON).

    ``progress(fraction, message)``, when given, is told how far the drill has come
    (0 to 1) before each stage, e.g. by a background job that shows it."""
    report = progress or _quiet
    steps = 2 + len(plans)
    params = params or Params()
    report(0.0, STAGE_POPULATION)
    pop = from_plant(plant)
    controls = to_controls(policy, pop, policy_source)
    days = settings.days
    world = DrillWorld(
        plant,
        scenario,
        pop,
        controls,
        params,
        calibrate_beta(pop, params),
        day0_orders_at_risk(plant, scenario, days),
    )
    report(1 / steps, STAGE_NO_PLAN)
    base = replay(world, None, settings)
    base_late = [critical_late(plant, simulated_workforce(b, pop), scenario, days) for b in base]
    out_plans = []
    for k, named in enumerate(plans):
        report((2 + k) / steps, f"plan {named.plan.id} v{named.plan.version}")
        results = replay(world, named.plan, settings)
        reps = [
            _replicate_score(
                r, b, pop, critical_late(plant, simulated_workforce(r, pop), scenario, days), bl
            )
            for r, b, bl in zip(results, base, base_late, strict=True)
        ]
        out_plans.append(
            {
                "file": named.source,
                "id": named.plan.id,
                "version": named.plan.version,
                "name": named.plan.name,
                "rules": len(named.plan.rules),
                "summary": _summary(reps),
                **_never(named.plan, plant, results),
                "replicates": reps,
            }
        )
    report(1.0, STAGE_DONE)
    return {
        "plant": {
            "id": plant.enterprise.id,
            "name": plant.enterprise.name,
            "workers": pop.n,
            "horizon_start": plant.horizon_start.isoformat(),
            "zones": list(pop.zones),
        },
        "scenario": {"name": scenario.name, "file": scenario_source},
        "standing_policy": {"name": policy.name, "file": policy_source},
        "settings": {
            **{
                k: v
                for k, v in dataclasses.asdict(settings).items()
                if k not in ("task_delay_hours",)
            },
            "task_delay_hours": dict(sorted(settings.task_delay_hours.items())),
        },
        "plans": out_plans,
    }
