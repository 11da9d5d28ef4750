"""Contact tracing on the database, worked by hand on the tiny plant: contacts from the
roster and from access events, and their quarantine in one action."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment import contacts
from keepline.containment.schemas import QuarantineIn
from keepline.errors import InputError
from keepline.scope import EnterpriseScope
from tests.containment.world import EVENTS, open_a1_case, save


def test_contacts_from_roster_and_access_by_hand(session: Session, tiny: str) -> None:
    ho = EnterpriseScope(tiny, "ho")
    save(session, tiny, EVENTS)
    case = open_a1_case(session, ho)
    session.commit()
    assert case.infectious_from == dt.date(2026, 12, 2)  # 4 Dec − 2 days
    found = {c.employee_no: c for c in contacts.find_contacts(session, ho, case.id, min_minutes=15)}
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
    low = contacts.find_contacts(session, ho, case.id, min_minutes=10)
    assert "N1" in {c.employee_no for c in low}

    # Quarantine the access contacts in one action: 7 days from 5 Dec.
    access_only = QuarantineIn(
        how=["access"], start_day=dt.date(2026, 12, 5), reason="shared the line with a case"
    )
    done = contacts.quarantine_contacts(session, ho, case.id, access_only)
    session.commit()
    assert sorted(r.employee_no for r in done) == ["B1", "L1", "N3"]
    # The note says how each met the case, and why they are quarantined.
    assert {r.employee_no: r.note for r in done}["B1"] == (
        "contact by zone-shift, access: shared the line with a case"
    )
    assert {(r.kind, r.reason, r.end_day) for r in done} == {
        ("quarantine", "close-contact", dt.date(2026, 12, 11))
    }
    # Doing it again skips those already quarantined.
    assert contacts.quarantine_contacts(session, ho, case.id, access_only) == []
    with pytest.raises(InputError, match="N4 is not a contact"):
        contacts.quarantine_contacts(session, ho, case.id, QuarantineIn(employee_nos=["N4"]))
