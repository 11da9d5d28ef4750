"""Issue 15 item 8: people who leave are marked as left from a day, not deleted: they
drop out of the roster, availability, screening and the missing declarations from that
day, and keep their records."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.workforce import available
from keepline.health import queries as health_queries
from keepline.health import service as health
from keepline.health.models import Declaration
from keepline.health.schemas import DeclarationIn
from keepline.people import queries, service
from keepline.people.models import EmploymentStatus
from keepline.people.schemas import LeaveIn
from keepline.scope import EnterpriseScope
from keepline.screening import planning
from keepline.screening.models import Sample, SampleMember
from keepline.screening.schemas import RoundIn
from keepline.tabular import RowsError, read_table
from tests.tiny_world import load_tiny
from tests.worlds import World

SCOPE = EnterpriseScope("tiny", "admin@tiny")


def _asm_day(session: Session, start: dt.date) -> np.ndarray:
    """Workers available in zone asm on the day shift, each of 7 days from ``start``."""
    wf = available(session, SCOPE, start, start + dt.timedelta(days=6)).workforce
    z, s = wf.zones.index("asm"), wf.shifts.index("day")
    return wf.available[:, z, s, :].max(axis=-1)


def test_a_leaver_drops_out_from_their_day_and_keeps_their_records(session: Session) -> None:
    load_tiny(session)
    today = clock.today()
    last = today + dt.timedelta(days=2)
    health.save_declarations(
        session,
        SCOPE,
        [(1, DeclarationIn(employee_no="B1", day=today, temperature_c=36.5))],
    )
    before = _asm_day(session, today)
    w = service.mark_left(session, SCOPE, "B1", LeaveIn(left_on=last + dt.timedelta(days=1)))
    session.commit()
    assert (w.employment_status, w.left_on) == ("left", today + dt.timedelta(days=3))
    # Availability: B1 (asm, day shift, assembler) counts for 3 days, then not.
    assert list(before - _asm_day(session, today)) == [0, 0, 0, 1, 1, 1, 1]

    # Who has not declared: B1 is expected on their last day, not the day after.
    def missing(day: dt.date) -> set[str]:
        return {r.employee_no for r in session.execute(health_queries.missing_query(SCOPE, day))}

    assert "B1" in missing(last) and "B1" not in missing(last + dt.timedelta(days=1))
    # Screening rounds: on the roster of the last day, not of the day after.
    for day, expected in ((last, 1), (last + dt.timedelta(days=1), 0)):
        body = RoundIn(day=day, zones=["asm"], shifts=["day"])
        r = planning.plan_round(session, SCOPE, body).round
        in_round = session.scalar(
            select(func.count())
            .select_from(SampleMember)
            .join(Sample, Sample.id == SampleMember.sample_id)
            .where(SampleMember.employee_no == "B1", Sample.round_id == r.id)
        )
        assert in_round == expected, day
    # The roster list: still there until they leave (the day is in the future).
    listed = {r.employee_no for r in session.execute(queries.roster(SCOPE)[0])}
    assert "B1" in listed
    assert service.summary(session, SCOPE)["rostered"] == 18  # B1 still counts today
    # Leaving from today: off the default roster list, listed under status 'left'.
    service.mark_left(session, SCOPE, "B1", LeaveIn(left_on=today))
    listed = {r.employee_no for r in session.execute(queries.roster(SCOPE)[0])}
    assert "B1" not in listed and len(listed) == 17
    assert service.summary(session, SCOPE)["rostered"] == 17
    gone = session.execute(queries.roster(SCOPE, employment_status=EmploymentStatus.left)[0]).all()
    assert [(r.employee_no, r.left_on) for r in gone] == [("B1", today)]
    # Their records stay.
    assert session.scalar(select(func.count()).select_from(Declaration)) == 1


def test_left_on_in_a_roster_file_and_a_second_import_changes_nothing(session: Session) -> None:
    load_tiny(session)
    csv = "employee_no,name,team,left_on\nB1,Worker B1,asm-b,2026-11-30\nB2,Worker B2,asm-b,\n"
    rep = service.import_roster(session, SCOPE, read_table("roster.csv", csv.encode()))
    assert (rep.updated, rep.unchanged) == (1, 1)  # B1 left; B2 as it was
    b1 = service.get_worker(session, SCOPE, "B1")
    assert (b1.employment_status, b1.left_on) == ("left", dt.date(2026, 11, 30))
    again = service.import_roster(session, SCOPE, read_table("roster.csv", csv.encode()))
    assert (again.updated, again.unchanged) == (0, 2)
    # A file with the status but not the day keeps the day already recorded.
    csv2 = "employee_no,name,team,employment_status\nB1,Worker B1,asm-b,left\n"
    third = service.import_roster(session, SCOPE, read_table("r2.csv", csv2.encode()))
    assert (third.updated, third.unchanged) == (0, 1)
    # A file with neither column (a plain roster) leaves the status alone: B1 stays left.
    plain = "employee_no,name,team\nB1,Worker B1,asm-b\nB2,Worker B2,asm-b\n"
    fourth = service.import_roster(session, SCOPE, read_table("r4.csv", plain.encode()))
    assert (fourth.updated, fourth.unchanged) == (0, 2)
    b1 = service.get_worker(session, SCOPE, "B1")
    assert (b1.employment_status, b1.left_on) == ("left", dt.date(2026, 11, 30))
    bad = "employee_no,name,team,employment_status,left_on\nB2,Worker B2,asm-b,active,2026-11-01\n"
    with pytest.raises(RowsError, match=r"r3\.csv row 2, field left_on: a day left for a wor"):
        service.import_roster(session, SCOPE, read_table("r3.csv", bad.encode()))


def test_leave_by_api_and_cli(world: World, cli) -> None:  # type: ignore[no-untyped-def]
    no = world.get("/workers", params={"limit": 1}).json()["items"][0]["employee_no"]
    r = world.post(f"/workers/{no}/leave", json={})
    assert r.status_code == 200, r.text
    assert (r.json()["employment_status"], r.json()["left_on"]) == ("left", str(world.today))
    listed = world.get("/workers", params={"limit": 1000}).json()["items"]
    assert no not in {w["employee_no"] for w in listed}
    left = world.get("/workers", params={"employment_status": "left"}).json()["items"]
    assert [w["employee_no"] for w in left] == [no]
    viewer = world.post(f"/workers/{no}/leave", who="A:viewer", json={})
    assert viewer.status_code == 403
    other = listed[0]["employee_no"]
    res = cli(f"people leave {other} -e xuzhou-qpcr --on 2026-12-31")
    assert res.code == 0, res
    assert f"xuzhou-qpcr {other}: left from 2026-12-31" in res.out
    res = cli(f"people leave {other} -e xuzhou-qpcr --on 31/12/2026")
    assert res.code == 2 and "--on: '31/12/2026' is not a date; use YYYY-MM-DD" in res.err
