"""Cases, contact tracing, quarantine, zone states and availability on the database,
worked by hand on the tiny plant (times are plant-local, Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment import service
from keepline.containment.models import AccessEvent, Restriction
from keepline.errors import InputError
from keepline.health.models import Clearance
from keepline.tabular import RowsError, read_table
from tests.tiny_world import load_tiny

D = dt.date(2026, 12, 1)


def t(day: int, hhmm: str) -> str:
    return f"{dt.date(2026, 12, day).isoformat()}T{hhmm}"


EVENTS = [
    ("A1", "asm", t(3, "08:00"), t(3, "12:00")),  # the case
    ("A1", "lab", t(3, "13:00"), t(3, "14:00")),  # the case
    ("A1", "asm", t(1, "08:00"), t(1, "20:00")),  # the case, before the window
    ("B1", "asm", t(3, "11:00"), t(3, "15:00")),  # 11:00-12:00 → 60 min
    ("N1", "asm", t(3, "07:00"), t(3, "08:10")),  # 10 min < 15
    ("L1", "lab", t(3, "13:30"), t(3, "16:00")),  # 13:30-14:00 → 30 min
    ("N2", "asm", t(1, "08:00"), t(1, "20:00")),  # with the case, but before the window
    ("N3", "asm", t(2, "23:00"), t(3, "08:20")),  # entered the night before → 20 min
    ("B2", "lab", t(3, "11:00"), t(3, "13:00")),  # leaves as the case arrives → 0
]


def events_csv(rows) -> bytes:
    text = "employee_no,zone,time_in,time_out\n" + "".join(",".join(r) + "\n" for r in rows)
    return text.encode()


@pytest.fixture
def tiny(session: Session) -> str:
    eid = load_tiny(session)
    session.commit()
    return eid


def save(session: Session, eid: str, rows, name: str = "gate.csv"):
    items = service.events_from_table(read_table(name, events_csv(rows)))
    return service.save_events(session, eid, "gate", items, name)


def test_access_events_import_idempotent_and_checked(session: Session, tiny: str) -> None:
    rep = save(session, tiny, EVENTS)
    session.commit()
    assert (rep.inserted, rep.unchanged) == (9, 0)
    again = save(session, tiny, EVENTS)
    session.commit()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 9)
    n = session.scalar(select(func.count()).select_from(AccessEvent))
    bad = [
        ("B3", "asm", t(4, "09:00"), t(4, "10:00")),
        ("B4", "asm", t(4, "10:00"), t(4, "09:59")),
    ]
    with pytest.raises(
        RowsError, match=r"gate.csv row 3, field time_out: time out .* is not after"
    ):
        save(session, tiny, bad)
    with pytest.raises(RowsError, match="row 2, field zone: unknown zone 'roof'"):
        save(session, tiny, [("B3", "roof", t(4, "09:00"), t(4, "10:00"))])
    with pytest.raises(RowsError, match="row 2, field time_in: expected an ISO 8601 time"):
        save(session, tiny, [("B3", "asm", "yesterday", t(4, "10:00"))])
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AccessEvent)) == n


def test_contacts_from_roster_and_access_by_hand(session: Session, tiny: str) -> None:
    save(session, tiny, EVENTS)
    case = service.open_case(
        session,
        tiny,
        "ho",
        "A1",
        confirmed_on=dt.date(2026, 12, 5),
        sample_day=dt.date(2026, 12, 4),
    )
    session.commit()
    assert case.infectious_from == dt.date(2026, 12, 2)  # 4 Dec − 2 days
    found = {c.employee_no: c for c in service.contacts(session, tiny, case.id, min_minutes=15)}
    # Access: B1 60 min, L1 30 min, N3 20 min; N1 (10 min), N2 (outside), B2 (0) are not.
    assert {k: c.minutes for k, c in found.items() if "access" in c.how} == {
        "B1": 60.0,
        "L1": 30.0,
        "N3": 20.0,
    }
    assert found["B1"].zones == {"asm": 60.0} and found["L1"].zones == {"lab": 30.0}
    assert found["N3"].first_overlap == dt.datetime(2026, 12, 2, 23, 0, tzinfo=clock.plant_tz())
    # Roster: team asm-a → A2..A6; asm/day → A*, B*; dormitory 'dorm' on day shift → A*, L*.
    assert set(found) == {f"A{i}" for i in range(2, 7)} | {f"B{i}" for i in range(1, 6)} | {
        "L1",
        "L2",
        "L3",
        "N3",
    }
    assert found["A2"].how == ["team", "zone-shift", "dormitory"]
    assert found["B1"].how == ["zone-shift", "access"]
    assert found["L2"].how == ["dormitory"]
    # A lower threshold brings in N1's 10 minutes.
    low = service.contacts(session, tiny, case.id, min_minutes=10)
    assert "N1" in {c.employee_no for c in low}

    # Quarantine the access contacts in one action: 7 days from 5 Dec.
    done = service.quarantine_contacts(
        session, tiny, "ho", case.id, how=["access"], start_day=dt.date(2026, 12, 5)
    )
    session.commit()
    assert sorted(r.employee_no for r in done) == ["B1", "L1", "N3"]
    assert {(r.kind, r.reason, r.end_day) for r in done} == {
        ("quarantine", "close-contact", dt.date(2026, 12, 11))
    }
    # Doing it again skips those already quarantined.
    assert (
        service.quarantine_contacts(
            session, tiny, "ho", case.id, how=["access"], start_day=dt.date(2026, 12, 5)
        )
        == []
    )
    with pytest.raises(InputError, match="N4 is not a contact"):
        service.quarantine_contacts(session, tiny, "ho", case.id, employee_nos=["N4"])


def at(day: int, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 12, day, h, m, tzinfo=clock.plant_tz())


def test_zone_states_follow_the_cycle_with_history(session: Session, tiny: str) -> None:
    with pytest.raises(
        InputError, match="zone 'asm' is open; it can go to restricted, locked, not disinfecting"
    ):
        service.change_zone_state(session, tiny, "eo", "asm", "disinfecting", "clean")
    service.change_zone_state(
        session, tiny, "eo", "asm", "restricted", "case in team asm-a", at=at(5, "09:00")
    )
    service.change_zone_state(
        session, tiny, "eo", "asm", "locked", "second case", closed_loop=True, at=at(6, "10:00")
    )
    with pytest.raises(InputError, match="is locked; it can go to disinfecting, not reopened"):
        service.change_zone_state(session, tiny, "eo", "asm", "reopened", "too soon")
    service.change_zone_state(
        session, tiny, "eo", "asm", "disinfecting", "all negative", at=at(8, "09:00")
    )
    service.change_zone_state(
        session, tiny, "eo", "asm", "reopened", "disinfected", at=at(9, "08:00")
    )
    session.commit()
    hist = service.zone_history(session, tiny, "asm")
    assert [(h.previous, h.state, h.day, h.by) for h in hist] == [
        ("open", "restricted", dt.date(2026, 12, 5), "eo"),
        ("restricted", "locked", dt.date(2026, 12, 6), "eo"),
        ("locked", "disinfecting", dt.date(2026, 12, 8), "eo"),
        ("disinfecting", "reopened", dt.date(2026, 12, 9), "eo"),
    ]
    assert service.zone_states(session, tiny)["asm"].state == "reopened"
    assert service.zone_states(session, tiny)["lab"] is None


def test_availability_by_hand(session: Session, tiny: str) -> None:
    save(session, tiny, EVENTS)
    case = service.open_case(
        session,
        tiny,
        "ho",
        "A1",
        confirmed_on=dt.date(2026, 12, 5),
        sample_day=dt.date(2026, 12, 4),
    )
    service.quarantine_contacts(
        session, tiny, "ho", case.id, how=["access"], start_day=dt.date(2026, 12, 5)
    )
    service.change_zone_state(
        session, tiny, "eo", "asm", "locked", "cases", closed_loop=True, at=at(6, "10:00")
    )
    service.change_zone_state(session, tiny, "eo", "asm", "disinfecting", "x", at=at(8, "09:00"))
    service.change_zone_state(session, tiny, "eo", "asm", "reopened", "x", at=at(9, "08:00"))
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
    rep = service.workforce(session, tiny, dt.date(2026, 12, 5), dt.date(2026, 12, 10))
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


def test_restriction_end_rules(session: Session, tiny: str) -> None:
    r = service.add_restriction(
        session,
        tiny,
        "ho",
        "B3",
        kind="quarantine",
        reason="zone-lock",
        start_day=D,
        end_rule="days:3",
    )
    assert r.end_day == D + dt.timedelta(days=2)
    with pytest.raises(InputError, match="end_rule: expected 'days:N' or 'negative-tests:N'"):
        service.add_restriction(
            session,
            tiny,
            "ho",
            "B3",
            kind="quarantine",
            reason="zone-lock",
            start_day=D,
            end_rule="3d",
        )
    iso = service.add_restriction(
        session,
        tiny,
        "ho",
        "B4",
        kind="isolation",
        reason="declaration",
        start_day=D,
        end_rule="negative-tests:2",
    )
    service.record_negative_tests(session, tiny, "lab", [("B4", D + dt.timedelta(days=1), "S1")])
    assert iso.end_day is None and iso.negative_tests == 1
    service.record_negative_tests(session, tiny, "lab", [("B4", D + dt.timedelta(days=2), "S2")])
    assert iso.end_day == D + dt.timedelta(days=2)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Restriction)) == 2
