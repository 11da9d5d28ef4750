"""A plan for the tiny plant of tests/tiny_world.py, a positive pool in zone ``asm``, a
controlled clock, and tenant B's plan ids for the tenancy walk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from keepline import clock
from keepline.db import session_scope
from keepline.plans import activations, city, drill_runs, runs, versions
from keepline.plans.drill import STANDING, NamedPlan, run_drill
from keepline.plans.replay import DrillSettings
from keepline.plans.schemas import CityStatusIn, PlanVersionIn
from keepline.scope import EnterpriseScope
from keepline.screening import planning, positives
from keepline.screening.schemas import RoundIn
from tests.tiny_world import DAY0

ROOT = Path(__file__).resolve().parents[2]
ADMIN = EnterpriseScope("tiny", "user:admin@tiny")
LAB = EnterpriseScope("tiny", "user:lab@tiny")

PLAN = """\
keepline_plan: 1
id: ep
enterprise: tiny
version: 1
name: Test plan
levels:
  - {id: blue, name: Blue, allows: [notify, create_task, raise_level]}
  - id: orange
    name: Orange
    allows: [notify, create_task, raise_level, set_zone_state, quarantine_contacts,
             create_screening_rounds]
rules:
  - id: positive
    name: A positive in a zone
    level: orange
    when: {kind: positive_in_zone, zone: any, what: [case, positive-pool]}
    actions:
      - {do: raise_level, to: orange, auto: true}
      - {do: set_zone_state, zone: $zone, state: locked, auto: true,
         reason: "positive in zone {zone} on {day}"}
      - {do: create_screening_rounds, zone: asm, pool_size: 5}
      - {do: quarantine_contacts, zone: $zone, contacts_by: [team], quarantine_days: 7}
      - {do: notify, roles: [health_officer], liaison_officer: true, auto: true,
         message: "Positive in zone {zone} on {day}"}
      - {do: create_task, role: health_officer, deadline: 4h, auto: true,
         text: "Disinfect zone {zone}"}
      - {do: create_task, role: admin, deadline: 1d, text: "Report zone {zone} to the district"}
"""


def load_plan(session: Session, text: str = PLAN) -> None:
    versions.load_version(session, ADMIN, PlanVersionIn(yaml=text, filename="ep.yaml"))


def csv_bytes(rows: list[tuple[str, str, str]]) -> bytes:
    return ("sample_id,target,ct\n" + "".join(f"{s},{t},{c}\n" for s, t, c in rows)).encode()


def positive_pool(session: Session) -> str:
    """A round of zone asm on DAY0 (pools of 5 by team: A1..A5 in the first), its first
    pool positive. Returns the positive tube's id. Imported now, so its day is today."""
    rnd = planning.plan_round(session, ADMIN, RoundIn(day=DAY0, zones=["asm"], pool_size=5)).round
    tube = f"R{rnd.id}-P00001"
    rows = [(tube, "ORF1ab", "31.2"), (tube, "N", "33.0"), (tube, "IC", "28.0")]
    positives.import_results(session, LAB, "plate.csv", csv_bytes(rows))
    return tube


class Clock:
    """``keepline.clock.now`` under the test's hand (starts at the real time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.t = dt.datetime.now(dt.UTC)
        monkeypatch.setattr(clock, "now", lambda: self.t)

    def advance(self, **kw: float) -> None:
        self.t += dt.timedelta(**kw)


B = "zhengzhou-meters"
# The least a recorded drill holds (its report is whatever the drill returned).
WALK_DRILL = {
    "plans": [
        {"id": "epidemic-emergency", "version": 1, "name": "p", "file": "p.yaml", "summary": {}}
    ],
    "scenario": {"name": "walk", "file": "walk.yaml"},
    "settings": {"days": 1, "seed": 1, "replicates": 1},
}


def plans_b_ids(url: str) -> dict[str, str]:
    """Tenant B's emergency plan loaded, an activation opened by a control area (its task
    made by itself, its re-plan waiting for a person): the ids of a version, an
    activation, a pending action, a task."""
    scope = EnterpriseScope(B, "test")
    text = (ROOT / "examples" / "plans" / "zhengzhou-meters.yaml").read_text(encoding="utf-8")
    with session_scope(url) as s:
        v, _ = versions.load_version(s, scope, PlanVersionIn(yaml=text, filename="zz.yaml"))
        city.set_status(s, scope, CityStatusIn(day=clock.today(), control_area=True))
        out = activations.evaluate(s, scope, clock.today())
        act = next(a for a in out.opened if a.rule_id == "static-management")
        pending = [a for a in runs.action_runs(s, scope, act.id) if a.state == "pending"]
        task = runs.tasks_of(s, scope, act.id)[0]
        drill = drill_runs.record_drill(s, scope, WALK_DRILL)
        return {
            "drill_id": str(drill.id),
            "version_id": str(v.id),
            "activation_id": str(act.id),
            "n": str(pending[0].n),
            "task_id": str(task.id),
        }


PLAN_BODIES = {
    ("POST", "/activations/{activation_id}/stand-down"): {"reason": "walk"},
    ("POST", "/activations/{activation_id}/actions/{n}/refuse"): {"reason": "walk"},
    ("POST", "/tasks/{task_id}/done"): {"note": "walk"},
}


def small_drill() -> dict:
    """A drill of the small drill plant of tests/plans/test_drill.py, two plan versions
    side by side (v1 locks the zone with a positive; v2 only notifies and has a rule the
    drill cannot fire), 16 days: the report dictionary, as ``run_drill`` returns it."""
    from tests.plans.test_drill import LOCK_A, PARAMS, SCENARIO, _plan, _plant

    v1 = _plan(LOCK_A)
    v2 = _plan(
        {**LOCK_A, "actions": [{"do": "notify", "roles": ["admin"], "message": "m", "auto": True}]},
        {
            "id": "overdue",
            "when": {"kind": "difficulty_overdue"},
            "actions": [{"do": "notify", "roles": ["admin"], "message": "x", "auto": True}],
        },
        version=2,
    )
    named = [NamedPlan("plan-v1.yaml", v1), NamedPlan("plan-v2.yaml", v2)]
    return run_drill(
        _plant(), named, SCENARIO, "scenario.yaml", STANDING, "(standing)",
        DrillSettings(days=16, seed=1), PARAMS,
    )  # fmt: skip
