"""The assessment and production-plan pages over the real app, database and job runner:
the form's defaults, a refused form (what was typed kept, the problem beside its field,
nothing queued), a run from the form to its report, the job page's progress fragment,
the plan page's chart after a re-plan from today, roles, and another tenant's job (404)."""

from __future__ import annotations

import json
import re
import time

from sqlalchemy import func, select

from keepline.assessment import from_record
from keepline.assessment.schemas import DEFAULT_DAYS, DEFAULT_REPLICATES
from keepline.console.i18n import Language
from keepline.console.production_plan import plan_chart
from keepline.db import session_scope
from keepline.jobs.kinds import KINDS, PLANNERS
from keepline.jobs.models import Job, JobFile
from keepline.production.models import StoredPlan
from keepline.scope import Role
from tests.console.pages import Browser, signed_in
from tests.continuity.test_continuity_record import _record
from tests.worlds import World


def _jobs(world: World) -> int:
    with session_scope(world.url) as s:
        return s.scalar(select(func.count()).select_from(Job)) or 0


def _job_id(location: str) -> int:
    found = re.fullmatch(r"/console/jobs/(\d+)", location)
    assert found, location
    return int(found.group(1))


def _until_done(b: Browser, job_id: int, timeout: float = 120) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        frag = b.get(f"/console/jobs/{job_id}/progress").text
        if "hx-trigger" not in frag:  # the job has ended: the polling stops
            return frag
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end")


def test_only_planners_and_admins_start_jobs(console_world: World) -> None:
    """The roles of ``jobs.kinds`` (the API's ``POST /jobs``) hold on the pages."""
    assert (Role.admin, Role.planner) == PLANNERS == KINDS["assessment"].roles
    before = _jobs(console_world)
    for who in ("A:viewer", "A:storekeeper", "A:health_officer"):
        b = signed_in(console_world, who)
        b.get("/console/production-plan")
        assert b.post("/console/production-plan/replan").status_code == 403, who
        assert b.post("/console/assessment", {"policies": ["x"]}).status_code == 403, who
    assert _jobs(console_world) == before


def test_an_assessment_from_the_form_to_its_report(console_world: World) -> None:
    w = console_world
    b = signed_in(w, "A:planner")
    page = b.get("/console/assessment").text
    offered = [c.name for c in from_record.policies()]
    assert len(offered) >= 2
    for name in offered:  # every policy offered, and checked
        assert f'value="{name}" checked' in page
    assert f'id="days" name="days" type="number" min="7" max="365" value="{DEFAULT_DAYS}"' in page
    assert f'value="{DEFAULT_REPLICATES}"' in page
    # a refused form: the page again, what was typed kept, the problem by its field
    before = _jobs(w)
    r = b.post("/console/assessment", {"policies": offered[:1], "days": "3", "replicates": "5"})
    assert r.status_code == 422
    assert 'id="days-error"' in r.text and 'value="3"' in r.text and 'value="5"' in r.text
    assert _jobs(w) == before
    r = b.post("/console/assessment", {"policies": ["no such policy"], "days": "14"})
    assert r.status_code == 422 and 'id="policies-error"' in r.text
    assert _jobs(w) == before
    # a small run: two policies, two weeks, three replicates
    data = {"policies": offered[:2], "days": "14", "replicates": "3", "seed": "7"}
    r = b.post("/console/assessment", data)
    assert r.status_code == 303, r.text[:400]
    job_id = _job_id(r.headers["location"])
    page = b.get(f"/console/jobs/{job_id}").text
    assert 'id="job-progress"' in page and "连续性评估" in page
    frag = _until_done(b, job_id)
    done = Language("zh_CN").gettext("done")
    assert 'value="100"' in frag and f'<strong id="job-state">{done}</strong>' in frag
    report = b.get(f"/console/jobs/{job_id}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    # drawn in the reader's language from the stored numbers; the stored page is English
    assert '<html lang="zh-CN">' in report.text and "<h3>策略对比</h3>" in report.text
    en = signed_in(w, "A:viewer", "en").get(f"/console/jobs/{job_id}/report").text
    assert '<html lang="en">' in en and "<h3>Policies compared</h3>" in en
    with session_scope(w.url) as s:
        stored = s.get(JobFile, (job_id, "report.html"))
        assert stored is not None and b"<h3>Policies compared</h3>" in stored.content
    with session_scope(w.url) as s:
        job = s.get(Job, job_id)
        assert job is not None and job.params["seed"] == 7 and job.params["days"] == 14
    listed = b.get("/console/assessment").text
    assert f'href="/console/jobs/{job_id}/report"' in listed
    # another tenant: the job, its progress and its report are 404 pages
    other = signed_in(w, "B:admin")
    for path in ("", "/progress", "/report"):
        assert other.get(f"/console/jobs/{job_id}{path}").status_code == 404, path
    # a viewer sees the runs but not the form, and may not post it
    viewer = signed_in(w, "A:viewer")
    page = viewer.get("/console/assessment").text
    assert f'href="/console/jobs/{job_id}/report"' in page and 'name="policies"' not in page
    viewer.get("/console/assessment")
    assert viewer.post("/console/assessment", data).status_code == 403


def test_replan_from_today_then_the_plan_chart(console_world: World) -> None:
    w = console_world
    viewer = signed_in(w, "A:viewer", "en")
    page = viewer.get("/console/production-plan").text
    assert "Re-plan from today" not in page
    b = signed_in(w, "A:planner", "en")
    b.get("/console/production-plan")
    r = b.post("/console/production-plan/replan")
    assert r.status_code == 303
    job_id = _job_id(r.headers["location"])
    frag = _until_done(b, job_id)
    found = re.search(r'href="/console/production-plan\?plan=(\d+)"', frag)
    assert found, frag
    plan_id = int(found.group(1))
    page = b.get(f"/console/production-plan?plan={plan_id}").text
    option = json.loads(
        re.search(r'<script type="application/json" id="plan-chart">(.*?)</script>', page, re.S)
        .group(1)
        .replace("\\u003c", "<")
    )
    plan = w.get(f"/plans/{plan_id}").json()
    # by line; by product when the plan makes nothing (no line then has a series)
    lines = plan["result"]["production_by_line"] or plan["result"]["production"]
    assert [s["name"] for s in option["series"]] == list(lines)
    assert len(option["xAxis"]["data"]) == plan["horizon_days"]
    at_risk = plan["orders_at_risk"]
    marks = option["series"][0]["markLine"]["data"] if option["series"] else []
    assert sorted(m["name"] for m in marks) == sorted(
        o for o in at_risk if plan["result"]["orders"][o]["due"] in option["xAxis"]["data"]
    )
    for o in at_risk:
        assert f'id="order-{o}"' in page
    assert (
        signed_in(w, "B:admin").get(f"/console/production-plan?plan={plan_id}").status_code == 404
    )


def test_a_failed_job_shows_its_error(console_world: World) -> None:
    w = console_world
    r = w.post("/jobs", "A:planner", json={"kind": "replan", "params": {"as_of": "2026-12-01"}})
    assert r.status_code == 202, r.text
    b = signed_in(w, "A:viewer", "en")
    frag = _until_done(b, r.json()["id"])
    assert '<strong id="job-state">failed</strong>' in frag
    assert "nothing it was writing has been kept" in frag
    assert "re-plan from a day after the plant&#39;s start 2026-12-01" in frag
    assert 'id="job-bar"' not in frag and 'id="open-plan"' not in frag


def test_the_plan_chart_stacks_output_by_line_and_marks_orders_at_risk() -> None:
    """On a plan that makes something (the tiny plant of the record's tests: order Y is
    front-line and cannot all ship on time)."""
    rec = _record()
    stored = rec.stored()
    plan = StoredPlan(as_of=rec.horizon_start, horizon_days=rec.horizon_days)
    option = plan_chart(plan, stored, Language("en"))
    assert [s["name"] for s in option["series"]] == list(stored.production_by_line)
    for s in option["series"]:
        assert s["stack"] == "output" and s["data"] == stored.production_by_line[s["name"]]
    assert option["yAxis"]["name"] == "units per day by line"
    marks = option["series"][0]["markLine"]["data"]
    assert [m["name"] for m in marks] == ["Y"] == list(stored.orders_at_risk)
    assert marks[0]["xAxis"] == stored.orders["Y"].due.isoformat()
    assert marks[0]["xAxis"] in option["xAxis"]["data"]
