"""The daily report's figures, counted by hand on a small daily record of the Xuzhou plant."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.models import Case, Restriction, ZoneStateChange
from keepline.difficulties.models import Difficulty
from keepline.errors import InputError
from keepline.government import daily_report, reports
from keepline.government.models import Department
from keepline.government.schemas import ReportSubmitIn
from keepline.health.models import Clearance, Declaration
from keepline.logistics.models import CustomerShipment
from keepline.materials.models import StockMovement
from keepline.people.models import Worker
from keepline.production.models import OutputRecord
from keepline.scope import EnterpriseScope
from keepline.screening.models import Round, Sample, SampleMember
from tests.government.world import XUZHOU, XZ, load_cities, load_plants, register_both

D = dt.date(2026, 12, 16)
AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
E = XUZHOU


def _worker(no: str, zone: str, housing: str = "commuter", status: str = "active") -> Worker:
    return Worker(
        enterprise_id=E,
        employee_no=no,
        name=f"Name {no}",
        phone="13800000000",
        id_number=None,
        zone_id=zone,
        shift_id="day",
        team_id="t",
        skills=[],
        housing=housing,
        employment_status=status,
        updated_at=AT,
    )


def _record(s: Session) -> None:
    # 10 active in assembly (6 commuters, 4 in the dormitory), 2 in optics, 1 who left.
    ws = [_worker(f"A{i}", "assembly", "commuter" if i < 6 else "dorm-north") for i in range(10)]
    ws += [
        _worker("O0", "optics"),
        _worker("O1", "optics"),
        _worker("L0", "assembly", status="left"),
    ]
    s.add_all(ws)
    s.flush()
    s.add_all(
        [
            # A0 isolated since D-2 (open); O0 quarantined D..D+13; A9's ended before D.
            Restriction(
                enterprise_id=E,
                employee_no="A0",
                kind="isolation",
                reason="case",
                start_day=D - dt.timedelta(days=2),
                end_day=None,
                end_rule="days:14",
                created_by="t",
                created_at=AT,
            ),
            Restriction(
                enterprise_id=E,
                employee_no="O0",
                kind="quarantine",
                reason="close-contact",
                start_day=D,
                end_day=D + dt.timedelta(days=13),
                end_rule="days:14",
                created_by="t",
                created_at=AT,
            ),
            Restriction(
                enterprise_id=E,
                employee_no="A9",
                kind="quarantine",
                reason="close-contact",
                start_day=D - dt.timedelta(days=20),
                end_day=D - dt.timedelta(days=6),
                end_rule="days:14",
                created_by="t",
                created_at=AT,
            ),
            # A1 flagged on D, not cleared; A2 flagged D-1 and cleared D-1 (counts as cleared).
            Clearance(
                enterprise_id=E, employee_no="A1", cleared=False, flags=["fever"], flagged_on=D
            ),
            Clearance(
                enterprise_id=E,
                employee_no="A2",
                cleared=True,
                flags=[],
                flagged_on=D - dt.timedelta(days=1),
                cleared_at=dt.datetime.combine(D - dt.timedelta(days=1), dt.time(4), dt.UTC),
            ),
            # Optics locked on D (not a closed loop); the canteen restricted since D-3.
            ZoneStateChange(
                enterprise_id=E,
                zone_id="optics",
                state="locked",
                previous="open",
                at=AT,
                day=D,
                by="t",
                reason="case",
                closed_loop=False,
            ),
            ZoneStateChange(
                enterprise_id=E,
                zone_id="canteen",
                state="restricted",
                previous="open",
                at=AT,
                day=D - dt.timedelta(days=3),
                by="t",
                reason="x",
            ),
            # The office locked only after D: does not count.
            ZoneStateChange(
                enterprise_id=E,
                zone_id="office",
                state="locked",
                previous="open",
                at=AT,
                day=D + dt.timedelta(days=1),
                by="t",
                reason="x",
            ),
        ]
    )
    # 8 active workers declared on D, one flagged; the leaver's declaration does not count.
    for no in ["A0", "A1", "A3", "A4", "A5", "A6", "O0", "O1", "L0"]:
        s.add(
            Declaration(
                enterprise_id=E,
                employee_no=no,
                day=D,
                temperature_c=36.5,
                symptoms=[],
                health_code="green",
                risk_travel=False,
                close_contact=False,
                flags=["fever"] if no == "A1" else [],
                flagged=no == "A1",
                declared_at=AT,
            )
        )
    # Screening: a round on D: a pool of A3, A4 (present) and A5 (absent), positive; a
    # retest of A3, positive. A case confirmed on D; a closed one before.
    r = Round(
        enterprise_id=E,
        day=D,
        test_type="pcr",
        pool_size=3,
        zones=[],
        shifts=[],
        assay={},
        created_by="t",
        created_at=AT,
    )
    s.add(r)
    s.flush()
    s.add_all(
        [
            Sample(
                enterprise_id=E,
                id="P1",
                round_id=r.id,
                kind="pool",
                collection_point="x",
                verdict="positive",
            ),
            Sample(
                enterprise_id=E,
                id="R1",
                round_id=r.id,
                kind="retest",
                parent_id="P1",
                collection_point="x",
                verdict="positive",
            ),
        ]
    )
    s.flush()
    s.add_all(
        [
            SampleMember(enterprise_id=E, sample_id="P1", employee_no="A3", position=0),
            SampleMember(enterprise_id=E, sample_id="P1", employee_no="A4", position=1),
            SampleMember(
                enterprise_id=E, sample_id="P1", employee_no="A5", position=2, absent=True
            ),
            SampleMember(enterprise_id=E, sample_id="R1", employee_no="A3", position=0),
            Case(
                enterprise_id=E,
                employee_no="A3",
                confirmed_on=D,
                infectious_from=D,
                infectious_to=D,
                created_by="t",
                created_at=AT,
            ),
            Case(
                enterprise_id=E,
                employee_no="A6",
                confirmed_on=D - dt.timedelta(days=9),
                infectious_from=D,
                infectious_to=D,
                status="closed",
                created_by="t",
                created_at=AT,
            ),
            # 12 qpcr-96 on the 24/day line: that line at 0.5, the plant (4 lines) at 0.125.
            OutputRecord(
                enterprise_id=E,
                line_id="qpcr96-line",
                product_id="qpcr-96",
                day=D,
                qty=12,
                actor="t",
                recorded_at=AT,
            ),
            # JS-CDC-001 fully dispatched: no longer at risk.
            CustomerShipment(
                enterprise_id=E,
                id="S1",
                order_id="JS-CDC-001",
                qty=300,
                planned_on=D,
                status="dispatched",
                updated_at=AT,
            ),
            # 700 masks issued in the 7 days ending D: 100 a day; stock 60000 - 700.
            StockMovement(
                enterprise_id=E,
                material_id="mask-kn95",
                day=D - dt.timedelta(days=2),
                kind="issue",
                qty=-700,
                unit="piece",
                actor="t",
                recorded_at=AT,
            ),
        ]
    )
    s.flush()


def test_figures_counted_by_hand(session: Session) -> None:
    load_plants(session)
    load_cities(session)
    register_both(session)
    _record(session)
    f = daily_report.compute(session, [E], D)[E]
    # 12 active; away: A0 (isolated), A1 (not cleared), O0 and O1 (optics locked) -> 8.
    assert (f.rostered, f.on_site) == (12, 8)
    assert (f.isolated, f.quarantined, f.not_cleared) == (1, 1, 1)
    assert (f.declared, f.declarations_missing, f.declarations_flagged) == (8, 4, 1)
    assert (f.screening_rounds, f.people_screened, f.positives) == (1, 2, 1)
    assert (f.new_cases, f.open_cases) == (1, 1)
    assert (f.zones_restricted, f.zones_locked) == (1, 1)
    assert f.output_units == 12
    assert (f.capacity_lines, f.utilisation) == (4, 0.125)
    # Front-line on D: XZ-HC-005 overdue (due 12-15); JS-CDC-003 needs 180000/12000 = 15
    # days, 5 left; HN-CDC-002 (10.4 of 16) and SD-CDC-004 (12.5 of 21) fit; JS-CDC-001
    # is dispatched. Livelihood XZ-CH-006: 60/16 = 3.75 of 10 days: fits.
    assert (f.front_line_at_risk, f.livelihood_at_risk) == (2, 0)
    assert {o["order"] for o in f.detail["orders_at_risk"]} == {"XZ-HC-005", "JS-CDC-003"}
    masks = next(m for m in f.detail["materials"] if m["material"] == "mask-kn95")
    assert masks == {
        "material": "mask-kn95",
        "stock": 59300,
        "use_per_day": 100,
        "days_of_cover": 593.0,
    }
    # Nothing personal in the report.
    text = str(f.values())
    for secret in ("Name A", "13800000000", "A3", "36.5"):
        assert secret not in text


def test_submit_freezes_and_refuses_the_future_and_a_second_time(session: Session) -> None:
    load_plants(session)
    load_cities(session)
    register_both(session)
    scope = EnterpriseScope(E, "test")
    today = clock.today()
    out = daily_report.submit(session, scope, ReportSubmitIn(day=today))
    assert out.status == "submitted"
    with pytest.raises(InputError, match=r"day: .*already submitted"):
        daily_report.submit(session, scope, ReportSubmitIn(day=today))
    with pytest.raises(InputError, match=r"day: .*in the future"):
        daily_report.submit(session, scope, ReportSubmitIn(day=today + dt.timedelta(days=1)))
    # Frozen: a worker added later does not change the submitted report.
    session.add(_worker("NEW", "assembly"))
    session.flush()
    assert daily_report.draft(session, scope, today).rostered == out.rostered == 0
    assert reports.stored(session, E, today) is not None


def test_an_unregistered_enterprise_cannot_report(session: Session) -> None:
    load_plants(session)
    with pytest.raises(InputError, match="enterprise: 'xuzhou-qpcr' is not registered"):
        daily_report.submit(session, EnterpriseScope(E, "t"), ReportSubmitIn(day=clock.today()))


def test_open_difficulties_at_the_end_of_the_day(session: Session) -> None:
    """Submitted by the end of D (plant time) and not closed by then: two of four."""
    load_plants(session)
    load_cities(session)
    register_both(session)
    dept = session.scalars(
        select(Department).where(Department.jurisdiction_id == XZ.jurisdiction)
    ).first()
    assert dept is not None
    day = clock.today() - dt.timedelta(days=2)  # over: its end, not now, counts
    end = dt.datetime.fromtimestamp(clock.day_start(day + dt.timedelta(days=1)), dt.UTC)

    def difficulty(submitted: dt.datetime, closed: dt.datetime | None) -> Difficulty:
        return Difficulty(
            enterprise_id=E, jurisdiction_id=XZ.jurisdiction, category="finance", text="t",
            attachments=[], state="closed" if closed else "submitted",
            department_jurisdiction=dept.jurisdiction_id, department_id=dept.id,
            submitted_by="x", submitted_at=submitted, accept_due=submitted,
            propose_due=submitted, close_due=submitted, closed_at=closed, missed=[],
        )  # fmt: skip

    hour = dt.timedelta(hours=1)
    session.add_all(
        [
            difficulty(end - 48 * hour, None),  # open
            difficulty(end - 48 * hour, end - hour),  # closed during D
            difficulty(end - 48 * hour, end + hour),  # closed after D: open at its end
            difficulty(end + hour, None),  # submitted after D
        ]
    )
    session.flush()
    assert daily_report.compute(session, [E], day)[E].open_difficulties == 2
    before = daily_report.compute(session, [E], day - dt.timedelta(days=3))[E]
    assert before.open_difficulties == 0
    # Submitted and read back: the figure is stored with the report.
    out = daily_report.submit(session, EnterpriseScope(E, "test"), ReportSubmitIn(day=day))
    assert out.open_difficulties == 2 and out.status == "submitted"
