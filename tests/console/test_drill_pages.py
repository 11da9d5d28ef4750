"""Running a drill from the console's drills page over the real app, database and job
runner: the form's defaults, a refused form (what was typed kept, the problem beside its
field, nothing queued), a run to the job's page and its progress, the link to the drill's
report, the drill listed; the roles that may (planners, admins); another tenant (404)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from keepline.console.i18n import Language
from keepline.db import session_scope
from keepline.jobs.models import Job
from keepline.plans.models import DrillRun
from keepline.plans.schemas import DRILL_DAYS, DRILL_REPLICATES
from tests.console.pages import signed_in
from tests.console.test_job_pages import _job_id, _until_done
from tests.plans.test_drill_job import PLAN, SCENARIO_NAME
from tests.worlds import World


def _count(world: World, table: type) -> int:
    with session_scope(world.url) as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def test_run_a_drill_from_the_drills_page(console_world: World) -> None:
    w = console_world
    r = w.post("/emergency-plans", "A:admin", json={"yaml": PLAN, "filename": "plan.yaml"})
    assert r.status_code == 200, r.text
    version = r.json()["id"]
    b = signed_in(w, "A:planner")
    page = b.get("/console/drills").text
    assert "运行演练" in page and "keepline plans drill" in page
    assert f'id="days" name="days" type="number" min="1" max="365" value="{DRILL_DAYS}"' in page
    assert f'value="{DRILL_REPLICATES}"' in page
    assert f'<option value="{version}" >epidemic-emergency v1' in page
    assert f'<option value="{SCENARIO_NAME}"' in page
    # refused: what was typed kept, each problem beside its field, nothing queued
    jobs_before = _count(w, Job)
    data = {"plan": str(version), "compare": str(version), "scenario": SCENARIO_NAME}
    r = b.post("/console/drills", {**data, "days": "0", "seed": "5"})
    assert r.status_code == 422
    assert 'id="days-error"' in r.text and 'value="0"' in r.text and 'value="5"' in r.text
    r = b.post("/console/drills", {**data, "days": "10"})
    assert r.status_code == 422 and 'id="compare-error"' in r.text and 'value="10"' in r.text
    assert f'<option value="{version}" selected>' in r.text  # the choices kept
    r = b.post("/console/drills", {"scenario": "no such scenario"})
    assert r.status_code == 422 and 'id="scenario-error"' in r.text
    assert _count(w, Job) == jobs_before
    # a small drill: to its job's page, its progress, then the link to its report
    drills_before = _count(w, DrillRun)
    r = b.post("/console/drills", {"scenario": SCENARIO_NAME, "days": "6", "replicates": "1"})
    assert r.status_code == 303, r.text[:400]
    job_id = _job_id(r.headers["location"])
    page = b.get(f"/console/jobs/{job_id}").text
    assert 'id="job-progress"' in page and "应急预案演练" in page
    assert 'href="/console/drills"' in page  # back to the drills
    frag = _until_done(b, job_id)
    done = Language("zh_CN").gettext("done")
    assert f'<strong id="job-state">{done}</strong>' in frag, frag
    found = re.search(r'id="open-drill" href="/console/drills/(\d+)"', frag)
    assert found, frag
    drill_id = int(found.group(1))
    assert _count(w, DrillRun) == drills_before + 1
    with session_scope(w.url) as s:
        row = s.get(DrillRun, drill_id)
        assert row is not None and (row.days, row.replicates, row.seed) == (6, 1, 1)
        assert row.plans[0]["version"] == 1 and row.scenario == SCENARIO_NAME
    assert b.get(f"/console/drills/{drill_id}").status_code == 200
    assert f'href="/console/drills/{drill_id}"' in b.get("/console/drills").text
    # another tenant: the job, its progress and the drill are 404 pages
    other = signed_in(w, "B:admin")
    for path in (f"/console/jobs/{job_id}", f"/console/jobs/{job_id}/progress"):
        assert other.get(path).status_code == 404, path
    assert other.get(f"/console/drills/{drill_id}").status_code == 404
    # roles: a viewer or health officer sees the drills, not the form, and may not post it
    for who in ("A:viewer", "A:health_officer", "A:storekeeper"):
        x = signed_in(w, who, "en")
        page = x.get("/console/drills").text
        assert f'href="/console/drills/{drill_id}"' in page and 'name="scenario"' not in page
        assert x.post("/console/drills", {"scenario": SCENARIO_NAME}).status_code == 403, who
    admin = signed_in(w, "A:admin", "en")
    assert "Run a drill" in admin.get("/console/drills").text
    assert _count(w, Job) == jobs_before + 1
