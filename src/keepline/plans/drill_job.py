"""Flow: a drill of a loaded enterprise's emergency plan, run as a background job (the
console's drills page, ``POST /jobs`` with kind ``drill``): the plant and its roster read
from the database (``drill.plant_from_record``), the plan version in force (or the one
chosen) and a second version to compare, a scenario chosen by name from those the server
offers (``$KEEPLINE_SCENARIOS``, as the assessment job), the same ``run_drill`` as
``keepline plans drill`` with the job's progress, and the drill recorded
(``drill_runs.record_drill``, audited) so it is listed with the others. Nothing else is
written: the drill runs on a copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from keepline.assessment.from_record import scenarios
from keepline.errors import NotFound, quote
from keepline.plans import versions
from keepline.plans.drill import (
    STAGE_DONE,
    STAGE_NO_PLAN,
    STAGE_POPULATION,
    STANDING,
    NamedPlan,
    Progress,
    plant_from_record,
    run_drill,
)
from keepline.plans.drill_runs import record_drill
from keepline.plans.models import PlanVersion
from keepline.plans.planfile import parse_plan
from keepline.plans.replay import DrillSettings
from keepline.plans.schemas import DrillIn
from keepline.plant.schema import PlantFile
from keepline.plant.service import export_plant
from keepline.recordkit import bad
from keepline.scenario import Scenario, load_scenario
from keepline.scope import EnterpriseScope

STAGE_PLAN = "drilling the plan"
"""The stage a job shows while a plan is drilled (``run_drill`` names the plan)."""
STAGES = (STAGE_POPULATION, STAGE_NO_PLAN, STAGE_PLAN, STAGE_DONE)
STANDING_SOURCE = "(standing measures)"


@dataclass(frozen=True)
class Drill:
    """What a drill job drills: the plant as loaded, the plans, the scenario."""

    plant: PlantFile
    plans: list[NamedPlan]
    scenario: Scenario
    scenario_file: str
    settings: DrillSettings


def _version(session: Session, scope: EnterpriseScope, field: str, version_id: int) -> PlanVersion:
    try:
        return versions.get_version(session, scope, version_id)
    except NotFound:
        raise bad(field, f"no plan version {version_id} of this enterprise") from None


def _named(v: PlanVersion, plant: PlantFile) -> NamedPlan:
    """A stored version, checked again against the plant as it is now."""
    source = f"plan version {v.id} ({v.plan_id} v{v.version})"
    return NamedPlan(source, parse_plan(v.text, source, plant))


def prepare(session: Session, scope: EnterpriseScope, body: DrillIn) -> Drill:
    """Read what ``body`` names; a version or scenario that is not there is refused,
    naming its field (``plan``, ``compare``, ``scenario``). Reads only."""
    plant = plant_from_record(session, scope)
    if body.plan is not None:
        first = _version(session, scope, "plan", body.plan)
    else:
        in_force = versions.in_force(session, scope)
        if not in_force:
            raise bad("plan", "no emergency plan is loaded: load one first")
        first = in_force[0]
    chosen = [first]
    if body.compare is not None:
        other = _version(session, scope, "compare", body.compare)
        if other.id == first.id:
            raise bad(
                "compare", f"the same version as the plan ({quote(first.name)}): nothing to compare"
            )
        chosen.append(other)
    found = {c.name: c for c in scenarios(plant)}
    if body.scenario not in found:
        known = ", ".join(found) or "none"
        raise bad(
            "scenario", f"no scenario named {quote(body.scenario)} for this plant (known: {known})"
        )
    path = found[body.scenario].path
    return Drill(
        plant,
        [_named(v, plant) for v in chosen],
        load_scenario(path, plant),
        path.name,
        DrillSettings(days=body.days, seed=body.seed, replicates=body.replicates),
    )


def offered(session: Session, scope: EnterpriseScope) -> tuple[list[PlanVersion], list[str]]:
    """What a drill may be run with: the enterprise's loaded plan versions and the names
    of the scenarios the server offers for its plant."""
    plant = export_plant(session, scope.enterprise_id)
    return versions.list_versions(session, scope), [c.name for c in scenarios(plant)]


def check(session: Session, scope: EnterpriseScope, params: dict[str, Any]) -> None:
    """Refuse, before queueing, a job whose plan versions or scenario are not there."""
    prepare(session, scope, DrillIn.model_validate(params))


def drill(d: Drill, progress: Progress | None = None) -> dict[str, Any]:
    """The drill report of ``d`` (``run_drill`` under the standing measures)."""
    return run_drill(
        d.plant,
        d.plans,
        d.scenario,
        d.scenario_file,
        STANDING,
        STANDING_SOURCE,
        d.settings,
        progress=progress,
    )


def run_job(
    factory: sessionmaker[Session],
    scope: EnterpriseScope,
    params: dict[str, Any],
    progress: Progress,
) -> dict[str, Any]:
    """The drill job: read, drill on the copy, then record the drill (its only write)."""
    body = DrillIn.model_validate(params)
    with factory() as session:
        d = prepare(session, scope, body)

    def stage(fraction: float, message: str) -> None:
        progress(fraction, message if message in STAGES else STAGE_PLAN)

    report = drill(d, stage)
    with factory.begin() as session:
        row = record_drill(session, scope, report)
        return {
            "drill_id": row.id,
            "plans": [f"{p['id']} v{p['version']}" for p in report["plans"]],
            "scenario": report["scenario"]["name"],
        }
