"""The workforce the daily record leaves available, worked by hand on the tiny plant:
isolation, quarantine, a declaration's clearance and a zone's lock."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.containment import contacts, zone_states
from keepline.containment.schemas import QuarantineIn, ZoneStateIn
from keepline.containment.workforce import WorkerPlace, available, reasons_on, unfit_where
from keepline.health.models import Clearance
from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from tests.containment.world import EVENTS, at, open_a1_case, save


def test_availability_by_hand(session: Session, tiny: str) -> None:
    ho, eo = EnterpriseScope(tiny, "ho"), EnterpriseScope(tiny, "eo")
    save(session, tiny, EVENTS)
    case = open_a1_case(session, ho)
    contacts.quarantine_contacts(
        session, ho, case.id, QuarantineIn(how=["access"], start_day=dt.date(2026, 12, 5))
    )
    zone_states.change_zone_state(
        session,
        eo,
        "asm",
        ZoneStateIn(state="locked", reason="cases", closed_loop=True),
        at=at(6, "10:00"),
    )
    zone_states.change_zone_state(
        session, eo, "asm", ZoneStateIn(state="disinfecting", reason="x"), at=at(8, "09:00")
    )
    zone_states.change_zone_state(
        session, eo, "asm", ZoneStateIn(state="reopened", reason="x"), at=at(9, "08:00")
    )
    # L2 flagged by a declaration on 7 Dec, cleared on 9 Dec → away 7-8 Dec.
    session.add(
        Clearance(
            enterprise_id=tiny,
            employee_no="L2",
            cleared=True,
            flags=["fever"],
            flagged_on=dt.date(2026, 12, 7),
            cleared_by="ho",
            cleared_at=at(9, "10:00"),
            reason="normal temperature",
        )
    )
    session.commit()
    _check_sql_rule(session, ho)
    rep = available(session, ho, dt.date(2026, 12, 5), dt.date(2026, 12, 10))
    wf = rep.workforce
    assert (wf.zones, wf.shifts, wf.skills) == (
        ("asm", "lab", "dorm"),
        ("day", "night"),
        ("assembler", "tester"),
    )
    asm_day = wf.available[:, 0, 0, 0].tolist()
    asm_night = wf.available[:, 0, 1, 0].tolist()
    lab_day = wf.available[:, 1, 0, 1].tolist()
    # asm/day assemblers: A1 isolated, B1 quarantined → A2-A6 (dorm) 5 + B2-B5 (commuters) 4.
    # 6-7 Dec closed loop: only the 5 dorm residents; 8 Dec lock then disinfection, 9 Dec
    # disinfection until reopening: 0; 10 Dec reopened: 9.
    assert asm_day == [9, 5, 5, 0, 0, 9]
    # asm/night: N3 quarantined → 3 commuters, away while the zone is closed.
    assert asm_night == [3, 0, 0, 0, 0, 3]
    assert wf.available[:, 0, 1, 1].tolist() == asm_night  # they are testers too
    # lab/day testers: L1 quarantined → 2; L2 away 7-8 Dec → 1.
    assert lab_day == [2, 2, 1, 1, 2, 2]
    assert rep.workers == 18 and rep.uncounted == 0
    # Worker-days away: A1 6 + B1 6 + N3 6 + L1 6 + L2 2 + lock: (B2-B5, N1, N2, N4) × 2
    # days of the loop + (A2-A6, B2-B5, N1, N2, N4) × 2 closed days = 26 + 14 + 24 = 64.
    assert rep.away_worker_days == 64


def _check_sql_rule(session: Session, scope: EnterpriseScope) -> None:
    """``unfit_where`` (the rule as SQL: the roster's filter and Today's counts) names the
    same workers as the engine on every day around the scenario, and, on 6 Dec, those
    worked by hand: A1 isolated, B1 N3 L1 quarantined, the closed loop's commuters B2-B5
    N1 N2 N4 (L2's flag counts from 7 Dec until the day before its clearance on 9 Dec)."""
    places = [
        WorkerPlace(*r)
        for r in session.execute(select(Worker.employee_no, Worker.zone_id, Worker.housing))
    ]
    found = {}
    for d in range(3, 12):
        day = dt.date(2026, 12, d)
        rule = unfit_where(session, scope, day)
        sql = set(session.scalars(select(Worker.employee_no).where(rule)))
        assert sql == set(reasons_on(session, scope, day, places)), day
        found[d] = sql
    assert found[6] == {"A1", "B1", "N3", "L1", "B2", "B3", "B4", "B5", "N1", "N2", "N4"}
    assert "L2" in found[7] and "L2" in found[8] and "L2" not in found[9]
    assert found[10] == {"A1", "B1", "N3", "L1"}


def _cells(out: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first``."""
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{out}")


def test_headcount_counts_each_worker_once_and_adds_up(session: Session, tiny: str, cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 14 item 3: a zone-shift with two skills shows its people, not its largest
    skill, and the table adds up to the active workers."""
    ho = EnterpriseScope(tiny, "ho")
    # X1: a tester on the assembly day shift (asm/day: 11 assemblers + 1 tester).
    session.add(
        Worker(
            enterprise_id=tiny,
            employee_no="X1",
            name="Worker X1",
            zone_id="asm",
            shift_id="day",
            team_id="asm-a",
            skills=["tester"],
            housing="dorm",
            employment_status="active",
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    session.flush()
    day = dt.date(2026, 12, 5)
    open_a1_case(session, ho)  # A1 (asm/day assembler) isolated from 5 Dec
    session.commit()
    rep = available(session, ho, day, day)
    z, s = rep.workforce.zones.index("asm"), rep.workforce.shifts.index("day")
    # asm/day: assemblers A2-A6, B1-B5 = 10, testers X1 = 1 → 11 people (the largest
    # skill says 10). asm/night N1-N4 have both skills: 4 people, 4 under each skill.
    assert rep.workforce.available[0, z, s].tolist() == [10, 1]
    assert rep.heads[0].tolist() == [[11, 4], [3, 0], [0, 0]]
    # 11 + 4 + 3 = 18 at work; + A1 away = 19 active workers.
    assert rep.heads[0].sum() == 18 == rep.workers - 1
    r = cli(f"availability tiny --from {day} --to {day}")
    assert r.code == 0, r
    assert _cells(r.out, "asm")[:3] == ["asm", "day", "11"]
    assert _cells(r.out, "at work")[-1] == "18"
    assert _cells(r.out, "away")[-1] == "1"
    assert _cells(r.out, "active workers")[-1] == "19"
