"""The record read for the triggers, on the tiny plant, against values worked by hand:
cases in the window by their worker's zone, declarations' plant-local times, fever by
zone, the city's status in force."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment import cases
from keepline.containment.schemas import CaseIn
from keepline.health.models import Declaration
from keepline.plans import city, snapshot
from keepline.plans import schema as s
from keepline.plans.engine import Positive
from keepline.plans.schemas import CityStatusIn
from keepline.scope import EnterpriseScope
from tests.plans.helpers import one_rule
from tests.tiny_world import load_tiny

D = dt.date(2026, 12, 5)
SCOPE = EnterpriseScope("tiny", "t")


def declare(session: Session, no: str, hhmm: str, temp: float, day: dt.date = D) -> None:
    local = dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=clock.plant_tz())
    flags = ["fever"] if temp >= 37.3 else []
    session.add(
        Declaration(
            enterprise_id="tiny",
            employee_no=no,
            day=D,
            temperature_c=temp,
            symptoms=[],
            health_code="green",
            risk_travel=False,
            close_contact=False,
            flags=flags,
            flagged=bool(flags),
            declared_at=local.astimezone(dt.UTC),
        )
    )


def test_the_snapshot_reads_the_record_as_worked_by_hand(session: Session) -> None:
    load_tiny(session)
    # A1 works in asm, L1 in lab, B1 in asm (tests/tiny_world.py).
    for no, day in (("A1", D), ("L1", D - dt.timedelta(days=1)), ("B1", D - dt.timedelta(days=3))):
        cases.open_case(session, SCOPE, CaseIn(employee_no=no, confirmed_on=day))
    declare(session, "A2", "08:30", 36.6)
    declare(session, "A3", "09:30", 38.2)
    declare(session, "L2", "07:00", 38.5)
    declare(session, "N1", "06:00", 36.5, day=D + dt.timedelta(days=1))  # made late
    city.set_status(session, SCOPE, CityStatusIn(day=D - dt.timedelta(days=2), risk_level="medium"))
    city.set_status(session, SCOPE, CityStatusIn(day=D + dt.timedelta(days=1), control_area=True))
    session.flush()
    plans = [
        one_rule({"kind": "positive_in_zone", "within_days": 3}),
        one_rule({"kind": "missing_declarations_share", "share_above": 0.5, "by_time": "09:00"}),
        one_rule({"kind": "missing_declarations_share", "share_above": 0.5, "by_time": "08:00"}),
        one_rule({"kind": "fever_in_zone"}),
        one_rule({"kind": "city_risk", "control_area": True}),
    ]
    snap = snapshot.read_snapshot(session, SCOPE, D, plans)
    assert snap.as_of is None  # a day past: the end of the day
    # The window D-2..D holds A1 (asm, D) and L1 (lab, D-1); B1 (D-3) is outside it.
    assert snap.positives == (
        Positive(D - dt.timedelta(days=1), "lab", s.PositiveKind.case),
        Positive(D, "asm", s.PositiveKind.case),
    )
    # 18 workers on the roster. By 08:00: L2 (07:00); by 09:00: A2 (08:30) too; A3
    # (09:30) and N1 (made the next day) after both.
    assert snap.declarations_expected == 18
    assert snap.declarations_made_at == (
        dt.time(8, 0),
        dt.time(9, 0),
        dt.time(23, 59, 59),
        dt.time(23, 59, 59),
    )
    assert snap.fevers == {"asm": 1, "lab": 1}
    # Medium risk from D-2; the control area only from D+1.
    assert (snap.city_risk_level, snap.control_area) == (s.RiskLevel.medium, False)
    later = snapshot.read_snapshot(session, SCOPE, D + dt.timedelta(days=1), plans)
    assert (later.city_risk_level, later.control_area) == (None, True)
    # Only what the triggers ask for is read.
    only_fever = snapshot.read_snapshot(session, SCOPE, D, plans[3:4])
    assert only_fever.positives == () and only_fever.declarations_expected == 0
    assert only_fever.fevers == {"asm": 1, "lab": 1}
    session.rollback()
