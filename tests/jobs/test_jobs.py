"""Background jobs on SQLite and PostgreSQL: the real assessment and re-plan run by the
app's runner, their progress read back by new requests, a failure that leaves the record
as it was, another tenant's job (404), and jobs a stopped server left running."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from keepline import clock, db
from keepline.audit.models import AuditEntry
from keepline.jobs import service
from keepline.jobs.kinds import KINDS, PLANNERS
from keepline.jobs.models import Job, JobState
from keepline.jobs.runner import HOST, Kind, Runner
from keepline.jobs.schemas import JobIn
from keepline.production.models import StoredPlan
from keepline.scope import EnterpriseScope, Role
from tests.worlds import A, World

SMALL = {"policies": ["symptoms only", "weekly 10-in-1 PCR"], "days": 14, "replicates": 3}


def _wait(world: World, job_id: int, who: str = "A:planner", timeout: float = 120) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = world.get(f"/jobs/{job_id}", who)
        assert r.status_code == 200, r.text
        if r.json()["state"] in ("done", "failed"):
            return r.json()
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end in {timeout} s")


def _factory(world: World) -> sessionmaker[Session]:
    return sessionmaker(bind=db.get_engine(world.url), expire_on_commit=False)


def test_an_assessment_runs_to_its_report(world: World) -> None:
    r = world.post("/jobs", "A:planner", json={"kind": "assessment", "params": SMALL})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["state"] == "queued" and job["params"]["seed"] == 1  # the defaults filled in
    done = _wait(world, job["id"])
    assert done["state"] == "done", done
    assert done["progress"] == 1.0 and done["result"]["files"] == ["report.html", "report.json"]
    report = world.get(f"/jobs/{job['id']}/files/report.json", "A:viewer").json()
    # two policies × one scenario: two cells, one baseline plan, one exposure
    assert [c["policy"] for c in report["cells"]] == SMALL["policies"]
    assert report["settings"]["days"] == 14 and report["settings"]["replicates"] == 3
    assert report["recommendation"]["policy"] == done["result"]["recommended"]
    page = world.get(f"/jobs/{job['id']}/files/report.html", "A:planner")
    assert page.headers["content-type"].startswith("text/html")
    assert "Xuzhou" in page.text or A in page.text
    # another tenant: the job and its files do not exist for them
    assert world.get(f"/jobs/{job['id']}", "B:admin").status_code == 404
    assert world.get(f"/jobs/{job['id']}/files/report.html", "B:admin").status_code == 404
    assert job["id"] not in [j["id"] for j in world.get("/jobs", "B:admin").json()]
    with session_scope_of(world) as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.table_name.in_(("jobs", "job_files")))
        ).all()
        states = [(e.table_name, e.action, (e.after or {}).get("state")) for e in entries]
    assert ("jobs", "insert", "queued") in states and ("jobs", "update", "done") in states
    assert sum(t == "job_files" for t, _, _ in states) == 2


def session_scope_of(world: World):  # type: ignore[no-untyped-def]
    return db.session_scope(world.url)


def test_who_may_start_what(world: World) -> None:
    for who, status in (("A:viewer", 403), ("A:storekeeper", 403), ("A:health_officer", 403)):
        r = world.post("/jobs", who, json={"kind": "replan", "params": {}})
        assert r.status_code == status, (who, r.text)
    r = world.post("/jobs", "A:admin", json={"kind": "nap", "params": {}})
    assert r.status_code == 422 and "unknown job kind" in r.text
    r = world.post("/jobs", "A:admin", json={"kind": "assessment", "params": {"days": 2}})
    assert r.status_code == 422 and "params.policies" in r.text and "params.days" in r.text
    assert world.get("/jobs/999999", "A:admin").status_code == 404


def test_a_failed_replan_leaves_the_record_as_it_was(world: World) -> None:
    with session_scope_of(world) as s:
        plans_before = s.scalar(select(func.count()).select_from(StoredPlan))
    # the plant's own first day: re-planning needs a day after it (production.replan)
    r = world.post("/jobs", "A:planner", json={"kind": "replan", "params": {"as_of": "2026-12-01"}})
    done = _wait(world, r.json()["id"])
    assert done["state"] == "failed"
    assert "re-plan from a day after the plant's start 2026-12-01" in done["error"]
    assert done["result"] is None
    with session_scope_of(world) as s:
        assert s.scalar(select(func.count()).select_from(StoredPlan)) == plans_before
    # from today it runs, and the plan it stored is the API's
    r = world.post("/jobs", "A:planner", json={"kind": "replan", "params": {"horizon_days": 30}})
    done = _wait(world, r.json()["id"])
    assert done["state"] == "done", done
    plan = world.get(f"/plans/{done['result']['plan_id']}", "A:viewer").json()
    assert plan["horizon_days"] == 30 and plan["as_of"] == clock.today().isoformat()
    by_line, by_product = plan["result"]["production_by_line"], plan["result"]["production"]
    assert sum(map(sum, by_line.values())) == pytest.approx(sum(map(sum, by_product.values())))


def test_progress_is_read_back_by_a_new_request_and_a_failure_rolls_back(world: World) -> None:
    """A kind of this test's own (a real function, run by a real runner): it reports
    half-way, waits for the test to have looked, writes a row, then fails."""
    looked = threading.Event()

    def half_then_fail(factory, scope, params, progress) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        progress(0.5, "half-way")  # before writing: on SQLite a write holds the lock
        assert looked.wait(60)
        with factory.begin() as session:
            service.submit(session, scope, "written-by-a-failing-job", {})
            raise RuntimeError("boom")

    kinds = {"half": Kind(JobIn, half_then_fail, PLANNERS)}
    runner = Runner(_factory(world), kinds, workers=1, poll_s=0.05)
    with session_scope_of(world) as s:
        job_id = service.submit(
            s, EnterpriseScope(A, "user:planner@a.example", Role.planner), "half", {}
        ).id
    runner.start()
    try:
        for _ in range(600):
            got = world.get(f"/jobs/{job_id}", "A:viewer").json()
            if got["progress"] == 0.5:
                break
            time.sleep(0.05)
        assert got["state"] == "running" and got["progress_message"] == "half-way"
        looked.set()
        for _ in range(600):
            got = world.get(f"/jobs/{job_id}", "A:viewer").json()
            if got["state"] == "failed":
                break
            time.sleep(0.05)
    finally:
        looked.set()
        runner.stop()
    assert got["state"] == "failed" and "internal error (RuntimeError)" in got["error"]
    assert got["progress"] == 0.5  # as far as it came
    with session_scope_of(world) as s:
        assert not s.scalars(select(Job).where(Job.kind == "written-by-a-failing-job")).all()


def test_jobs_a_stopped_server_left_running_are_failed_at_start(world: World) -> None:
    scope = EnterpriseScope(A, "user:planner@a.example", Role.planner)
    now = clock.now()
    cases = {
        "dead process here": (f"{HOST}:999999999:x", now),
        "another host, silent": ("elsewhere:1:x", now - dt.timedelta(minutes=10)),
        "another host, alive": ("elsewhere:1:y", now),
    }
    ids = {}
    with session_scope_of(world) as s:
        for name, (runner_id, beat) in cases.items():
            job = service.submit(s, scope, "nap", {})
            job.state, job.runner, job.heartbeat_at = JobState.running.value, runner_id, beat
            ids[name] = job.id
    runner = Runner(_factory(world), KINDS, workers=1)
    runner.start()
    runner.stop()
    states = {n: world.get(f"/jobs/{i}", "A:viewer").json() for n, i in ids.items()}
    assert states["dead process here"]["state"] == "failed"
    assert (
        "the server running this job stopped before it finished"
        in states["dead process here"]["error"]
    )
    assert states["another host, silent"]["state"] == "failed"
    assert states["another host, alive"]["state"] == "running"


def test_a_result_that_cannot_be_stored_fails_the_job(world: World) -> None:
    """The job's end must be stored, or the job is failed (never left running)."""

    def unstorable(factory, scope, params, progress) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        return {"not json": object()}

    runner = Runner(_factory(world), {"odd": Kind(JobIn, unstorable, PLANNERS)})
    with session_scope_of(world) as s:
        scope = EnterpriseScope(A, "user:planner@a.example", Role.planner)
        job_id = service.submit(s, scope, "odd", {}).id
    assert runner.run_once() == job_id  # claimed and run here, in this thread
    got = world.get(f"/jobs/{job_id}", "A:viewer").json()
    assert got["state"] == "failed" and "internal error storing the result" in got["error"]
