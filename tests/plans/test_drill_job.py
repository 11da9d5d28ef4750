"""A drill as a background job (``POST /jobs`` kind ``drill``) on SQLite and PostgreSQL:
run by the app's runner on the loaded plant, recorded with the scores ``run_drill`` gives
for the same arguments, another tenant's job and drill (404), roles (403) and bad
parameters (422, naming the field, nothing queued)."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from keepline.audit.models import AuditEntry
from keepline.db import session_scope
from keepline.jobs.kinds import KINDS, PLANNERS
from keepline.jobs.models import Job
from keepline.plans.drill import STANDING, NamedPlan, plant_from_record, run_drill
from keepline.plans.planfile import parse_plan
from keepline.plans.replay import DrillSettings
from keepline.scenario import load_scenario
from keepline.scope import EnterpriseScope
from tests.worlds import EXAMPLES, A, World

PLAN = (EXAMPLES / "plans" / "xuzhou-qpcr.yaml").read_text(encoding="utf-8")
# The second version: the same rules, a new number (frozen versions are never rewritten).
PLAN_V2 = PLAN.replace("\nversion: 1\n", "\nversion: 2\n", 1)
SCENARIO = EXAMPLES / "scenarios" / "xuzhou-drill-wave-control-area.yaml"
SCENARIO_NAME = "Xuzhou drill - wave, Shenzhen lockdown, control area"
DAYS = 14


def _load(world: World, text: str, who: str = "A:admin") -> int:
    r = world.post("/emergency-plans", who, json={"yaml": text, "filename": "plan.yaml"})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def _wait(world: World, job_id: int, timeout: float = 120) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = world.get(f"/jobs/{job_id}", "A:viewer").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end in {timeout} s")


def _jobs(world: World) -> int:
    with session_scope(world.url) as s:
        return s.scalar(select(func.count()).select_from(Job)) or 0


def test_a_drill_job_records_the_drill_run_drill_gives(world: World) -> None:
    v1, v2 = _load(world, PLAN), _load(world, PLAN_V2)
    params = {"plan": v1, "compare": v2, "scenario": SCENARIO_NAME, "days": DAYS, "seed": 3}
    r = world.post("/jobs", "A:planner", json={"kind": "drill", "params": params})
    assert r.status_code == 202, r.text
    assert r.json()["params"]["replicates"] == 3  # the default filled in
    job = _wait(world, r.json()["id"])
    assert job["state"] == "done", job
    assert job["progress"] == 1.0
    drill_id = job["result"]["drill_id"]
    assert job["result"]["plans"] == ["epidemic-emergency v1", "epidemic-emergency v2"]
    recorded = world.get(f"/drills/{drill_id}", "A:viewer").json()
    assert recorded["scenario"] == SCENARIO_NAME and recorded["days"] == DAYS
    assert (recorded["seed"], recorded["replicates"]) == (3, 3)
    assert recorded["created_by"] == f"user:planner@a.example via job:{job['id']}"
    # the same drill, called directly with the same arguments, scores the same
    with session_scope(world.url) as s:
        plant = plant_from_record(s, EnterpriseScope(A, "test"))
    plans = [NamedPlan("v1", parse_plan(PLAN, "v1", plant))]
    plans.append(NamedPlan("v2", parse_plan(PLAN_V2, "v2", plant)))

    def drilled(seed: int) -> dict:
        scenario = load_scenario(SCENARIO, plant)
        settings = DrillSettings(days=DAYS, seed=seed, replicates=3)
        return run_drill(plant, plans, scenario, "s.yaml", STANDING, "-", settings)

    direct = drilled(3)
    assert direct["plant"]["workers"] == 40  # the world's roster, not the plant model's
    assert recorded["scores"] == [
        {"id": p["id"], "version": p["version"], **p["summary"]} for p in direct["plans"]
    ]
    assert recorded["report"]["plans"][0]["replicates"] == direct["plans"][0]["replicates"]
    # another seed scores otherwise: the comparison above can tell drills apart
    assert drilled(4)["plans"][0]["summary"] != direct["plans"][0]["summary"]
    assert drill_id in [d["id"] for d in world.get("/drills", "A:viewer").json()["items"]]
    # another tenant: neither the job nor the drill exists for them
    assert world.get(f"/jobs/{job['id']}", "B:admin").status_code == 404
    assert world.get(f"/drills/{drill_id}", "B:admin").status_code == 404
    with session_scope(world.url) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "plan_drills"))
        assert [e.action for e in entries] == ["insert"]


def test_who_may_drill_and_what_is_refused(world: World) -> None:
    assert KINDS["drill"].roles == PLANNERS
    before = _jobs(world)
    ok = {"scenario": SCENARIO_NAME}
    # nothing loaded yet: the version in force does not exist
    r = world.post("/jobs", "A:planner", json={"kind": "drill", "params": ok})
    assert r.status_code == 422 and "params.plan: no emergency plan is loaded" in r.text
    v1 = _load(world, PLAN)
    for who in ("A:viewer", "A:storekeeper", "A:health_officer"):
        r = world.post("/jobs", who, json={"kind": "drill", "params": ok})
        assert r.status_code == 403, (who, r.text)
    b_version = world.post(
        "/emergency-plans",
        "B:admin",
        json={"yaml": (EXAMPLES / "plans" / "zhengzhou-meters.yaml").read_text("utf-8")},
    ).json()["id"]
    refused = [
        ({"days": 0}, "params.days"),
        ({"replicates": 21}, "params.replicates"),
        ({"scenario": ""}, "params.scenario"),
        ({"scenario": "Zhengzhou city wave"}, "params.scenario: no scenario named"),
        ({"plan": b_version}, f"params.plan: no plan version {b_version} of this enterprise"),
        ({"compare": v1}, "params.compare: the same version as the plan"),
        ({"extra": 1}, "params.extra"),
    ]
    for change, error in refused:
        body = {"kind": "drill", "params": {**ok, **change}}
        r = world.post("/jobs", "A:admin", json=body)
        assert r.status_code == 422 and error in r.text, (change, r.text)
    assert _jobs(world) == before
