"""The roster import as background jobs (``people.import_job``), over the real app,
database and job runner: it writes what ``POST /workers/import`` writes, a file with bad
rows writes nothing and its result names each row and field, re-running it changes
nothing, its progress is rows checked over rows in all, and it is another tenant's (or
a role's that may not import) 404."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from keepline import db
from keepline.db import session_scope
from keepline.jobs.kinds import KINDS
from keepline.jobs.models import JobFile
from keepline.people import import_job
from keepline.people.models import Worker
from keepline.scope import EnterpriseScope, Role
from keepline.tabular import write_csv
from tests.console.pages import Browser, signed_in
from tests.worlds import A, World

HEAD = ["employee_no", "name", "team", "phone"]


def _csv(rows: list[list[str]]) -> bytes:
    return write_csv(HEAD, [dict(zip(HEAD, r, strict=True)) for r in rows]).encode()


def _ended(b: Browser, page: str, timeout: float = 60) -> int:
    """Wait for the import job behind ``page`` to end; its id."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if "hx-trigger" not in b.get(f"{page}/progress").text:
            found = re.search(r"/(\d+)$", page)
            assert found, page
            return int(found.group(1))
        time.sleep(0.1)
    raise AssertionError(f"{page} did not end")


def _result(world: World, job_id: int) -> dict[str, Any]:
    job = world.get(f"/jobs/{job_id}").json()
    assert job["state"] == "done", job
    return job["result"]


def _check(b: Browser, name: str, data: bytes) -> str:
    b.get("/console/workers/import")
    r = b.post("/console/workers/import", files={"file": (name, data)})
    assert r.status_code == 303, r.text[:300]
    page = r.headers["location"]
    _ended(b, page)
    return page


def _job_import(world: World, b: Browser, name: str, data: bytes) -> dict[str, Any]:
    """Upload, check, confirm, write: the write job's result."""
    page = _check(b, name, data)
    assert _result(world, _ended(b, page))["problems"] == []
    b.get(page)
    r = b.post(f"{page}/confirm")
    assert r.status_code == 303, r.text[:300]
    return _result(world, _ended(b, r.headers["location"]))


def _rows(world: World, nos: list[str]) -> list[dict[str, Any]]:
    with session_scope(world.url) as s:
        found = s.scalars(
            select(Worker)
            .where(Worker.enterprise_id == A, Worker.employee_no.in_(nos))
            .order_by(Worker.employee_no)
        ).all()
        return [
            {c.key: getattr(w, c.key) for c in Worker.__table__.columns if c.key != "updated_at"}
            for w in found
        ]


def _audited(world: World) -> int:
    return world.get("/audit", params={"limit": 1, "table": "workers"}).json()["total"]


def test_an_import_job_writes_what_the_api_import_writes(console_world: World) -> None:
    w = console_world
    team = w.get("/workers", params={"limit": 1}).json()["items"][0]["team"]
    b = signed_in(w, "A:health_officer")
    # The same rows under two sets of new numbers: one by the API, one by the job.
    rows = [["", "甲", team, "13800000001"], ["", "乙", team, ""]]
    api_file = _csv([[f"P0{i}", *r[1:]] for i, r in enumerate(rows)])
    job_file = _csv([[f"Q0{i}", *r[1:]] for i, r in enumerate(rows)])
    by_api = w.post("/workers/import", files={"file": ("r.csv", api_file)}).json()
    audited = _audited(w)
    by_job = _job_import(w, b, "r.csv", job_file)
    assert by_job["inserted"] == by_api["inserted"] == 2
    assert by_job["rows"] == 2 and by_job["updated"] == by_job["unchanged"] == 0
    assert _audited(w) == audited + 2  # one audited insert a worker
    api_rows, job_rows = _rows(w, ["P00", "P01"]), _rows(w, ["Q00", "Q01"])
    assert len(api_rows) == 2
    for a, j in zip(api_rows, job_rows, strict=True):
        assert {**a, "employee_no": ""} == {**j, "employee_no": ""}
    assert job_rows[0]["name"] == "甲" and job_rows[0]["phone"] == "13800000001"
    # The same file again changes nothing: counted unchanged, no row nor audit written.
    again = _job_import(w, b, "r.csv", job_file)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert _rows(w, ["Q00", "Q01"]) == job_rows and _audited(w) == audited + 2
    # The upload is not kept once written.
    with session_scope(w.url) as s:
        uploads = s.scalar(
            select(func.count()).select_from(JobFile).where(JobFile.name.like("upload-%"))
        )
    assert uploads == 0


def test_two_bad_rows_write_nothing_and_are_named_with_their_fields(console_world: World) -> None:
    w = console_world
    team = w.get("/workers", params={"limit": 1}).json()["items"][0]["team"]
    before = w.get("/workers", params={"limit": 1}).json()["total"]
    audited = _audited(w)
    bad = _csv(
        [
            ["R01", "甲", team, ""],
            ["R02", "乙", "no-such-team", ""],
            ["R03", "丙", team, ""],
            ["R04", "丁", team, "12345"],
        ]
    )
    b = signed_in(w, "A:admin")
    page = _check(b, "bad.csv", bad)
    result = _result(w, _ended(b, page))
    # rows 3 and 5 (row 1 is the header): the team, then the phone
    assert [(p["row"], p["field"]) for p in result["problems"]] == [(3, "team"), (5, "phone")]
    assert "no-such-team" in result["problems"][0]["message"]
    assert "'12345'" in result["problems"][1]["message"]
    assert w.get("/workers", params={"limit": 1}).json()["total"] == before
    assert _audited(w) == audited
    # No confirm for a file with bad rows.
    b.get(page)
    assert b.post(f"{page}/confirm").status_code == 400
    assert w.get("/workers", params={"limit": 1}).json()["total"] == before


def test_an_import_job_is_its_tenants_and_its_roles(console_world: World) -> None:
    w = console_world
    # the roles of the API's import (people.auth.RosterEditor: admins, health officers)
    assert KINDS["roster_import"].roles == import_job.ROSTER_EDITORS
    assert set(import_job.ROSTER_EDITORS) == {Role.admin, Role.health_officer}
    assert KINDS["roster_import"].private
    assert (
        w.post("/workers/import", who="A:planner", files={"file": ("r.csv", b"x")}).status_code
        == 403
    )
    b = signed_in(w, "A:admin")
    page = _check(b, "r.csv", _csv([["T01", "甲", "no-such-team", ""]]))
    job_id = _ended(b, page)
    assert w.get(f"/jobs/{job_id}").status_code == 200
    # another enterprise: 404, in the API and on the pages
    assert w.get(f"/jobs/{job_id}", who="B:admin").status_code == 404
    other = signed_in(w, "B:admin")
    assert other.get(page).status_code == 404
    assert other.get(f"{page}/progress").status_code == 404
    assert other.get(f"/console/jobs/{job_id}/progress").status_code == 404
    # a role that may not import: the job (its rows, its file) is not theirs to read
    for who in ("A:storekeeper", "A:planner", "A:viewer"):
        assert w.get(f"/jobs/{job_id}", who=who).status_code == 404, who
        assert job_id not in [j["id"] for j in w.get("/jobs", who=who).json()], who
        assert signed_in(w, who).get(page).status_code == 403, who
        params = {"filename": "r.csv", "upload": "0" * 32}
        r = w.post("/jobs", who=who, json={"kind": "roster_import", "params": params})
        assert r.status_code == 403, who
    assert job_id in [j["id"] for j in w.get("/jobs", who="A:health_officer").json()]


def test_the_progress_is_rows_checked_over_rows_in_all(console_world: World) -> None:
    """1,200 rows reported every 500 rows checked: 0, 500/1200, 1000/1200, 1."""
    w = console_world
    team = w.get("/workers", params={"limit": 1}).json()["items"][0]["team"]
    data = _csv([[f"U{i:04d}", "甲", team, ""] for i in range(1200)])
    scope = EnterpriseScope(A, "test", Role.admin)
    with session_scope(w.url) as s:
        params = dict(import_job.submit_check(s, scope, "u.csv", data).params)
    seen: list[tuple[float, str]] = []
    factory = sessionmaker(bind=db.get_engine(w.url), expire_on_commit=False)
    result = import_job.run_job(factory, scope, params, lambda f, m: seen.append((f, m)))
    assert seen == [
        (0.0, import_job.STAGE_READ),
        (0.0, import_job.STAGE_CHECK),
        (500 / 1200, import_job.STAGE_CHECK),
        (1000 / 1200, import_job.STAGE_CHECK),
        (1.0, import_job.STAGE_CHECK),
    ]
    assert (result["rows"], result["inserted"], result["problems"]) == (1200, 1200, [])
    # a check writes nothing
    with session_scope(w.url) as s:
        assert s.scalar(select(func.count()).where(Worker.employee_no.like("U%"))) == 0
