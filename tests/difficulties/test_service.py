"""The difficulties' services on both backends.

Time limits on a controlled clock: accepted at 59 and 61 minutes, a solution at 23 and
25 hours, closed within and past 7 days; escalation once overdue, not before, once.
Steps not allowed write nothing; tenancy; per-department figures against hand counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.difficulties import queries, service
from keepline.difficulties.models import Difficulty, DifficultyEvent
from keepline.difficulties.schemas import ConfirmIn, ReopenIn, TransferIn
from keepline.errors import InputError, NotFound
from keepline.government import dashboard
from keepline.plans import snapshot
from keepline.scope import JurisdictionScope
from tests.difficulties.world import T0, XQ, XUZHOU, XZ_CITY, ZM, ZZ_CITY, ZZ_ZONE, Clock, submit

H = dt.timedelta(hours=1)


def test_accept_at_59_minutes_is_on_time_at_61_late(cities: Session, hand_clock: Clock) -> None:
    on_time, late = submit(cities, XQ), submit(cities, XQ)
    assert on_time.accept_due == T0 + dt.timedelta(minutes=60)  # Jiangmen: 60 minutes
    hand_clock.at(minutes=59)
    service.handle(cities, XZ_CITY, on_time.id, "accept")
    hand_clock.at(minutes=61)
    service.handle(cities, XZ_CITY, late.id, "accept")
    assert on_time.missed == [] and late.missed == ["accept"]
    assert on_time.accepted_at == T0 + dt.timedelta(minutes=59)


def test_a_solution_at_23_hours_is_on_time_at_25_late(cities: Session, hand_clock: Clock) -> None:
    a, b = submit(cities, XQ), submit(cities, XQ)
    hand_clock.at(minutes=30)
    for d in (a, b):
        service.handle(cities, XZ_CITY, d.id, "accept")
    hand_clock.at(hours=23)
    service.handle(cities, XZ_CITY, a.id, "propose", "a bank's bridging loan")
    hand_clock.at(hours=25)
    service.handle(cities, XZ_CITY, b.id, "propose", "a bank's bridging loan")
    assert a.missed == [] and b.missed == ["propose"]
    assert a.state == b.state == "in-progress"


def test_a_jurisdictions_own_limit_and_inherited_route(cities: Session, hand_clock: Clock) -> None:
    # The Zhengzhou zone asks for a solution within 12 h; accepting is the default 60 min.
    logistics = submit(cities, ZM, "logistics-and-passes")
    finance = submit(cities, ZM, "finance")  # not routed by the zone: the city's rule
    assert (logistics.department_jurisdiction, logistics.department_id) == (
        "zhengzhou-hitech-zone",
        "transport",
    )
    assert (finance.department_jurisdiction, finance.department_id) == (
        "zhengzhou-municipal",
        "industry-it",
    )
    assert logistics.propose_due - T0 == 12 * H
    assert logistics.accept_due - T0 == dt.timedelta(minutes=60)
    assert logistics.close_due - T0 == dt.timedelta(days=7)


def test_closed_within_and_past_7_days(cities: Session, hand_clock: Clock) -> None:
    rows = [submit(cities, XQ), submit(cities, XQ)]
    hand_clock.at(minutes=10)
    for d in rows:
        service.handle(cities, XZ_CITY, d.id, "accept")
        service.handle(cities, XZ_CITY, d.id, "propose", "s")
        service.handle(cities, XZ_CITY, d.id, "resolve")
    hand_clock.at(days=7)  # exactly at the limit: met
    service.answer(cities, XQ, rows[0].id, ConfirmIn(rating=5))
    hand_clock.at(days=7, seconds=1)
    service.answer(cities, XQ, rows[1].id, ConfirmIn(rating=2, comment="slow"))
    assert rows[0].missed == [] and rows[1].missed == ["close"]


def test_a_transfer_gives_the_new_department_its_own_hour(
    cities: Session, hand_clock: Clock
) -> None:
    d = submit(cities, XQ, "raw-materials")
    hand_clock.at(minutes=50)
    service.transfer(
        cities, XZ_CITY, d.id, TransferIn(department="market", note="a price question")
    )
    assert d.state == "transferred" and d.department_id == "market"
    assert d.accept_due == T0 + dt.timedelta(minutes=110)
    assert d.propose_due == T0 + 24 * H  # the solution's clock keeps running
    hand_clock.at(minutes=109)
    service.handle(cities, XZ_CITY, d.id, "accept")
    assert d.missed == [] and d.state == "accepted"


def test_a_reopening_restarts_the_solution_and_closing_clocks(
    cities: Session, hand_clock: Clock
) -> None:
    d = submit(cities, XQ)
    hand_clock.at(minutes=5)
    service.handle(cities, XZ_CITY, d.id, "accept")
    service.handle(cities, XZ_CITY, d.id, "propose", "s")
    service.handle(cities, XZ_CITY, d.id, "resolve")
    t = hand_clock.at(days=2)
    service.answer(cities, XQ, d.id, ReopenIn(reason="the loan did not come"))
    assert d.state == "in-progress" and d.proposed_at is None
    assert d.propose_due == t + 24 * H and d.close_due == t + dt.timedelta(days=7)
    kinds = [e.kind for e in queries.one_for_enterprise(cities, XQ, d.id, t).history]
    assert kinds == ["submitted", "accepted", "proposed", "resolved", "reopened"]


def _escalations(session: Session) -> list[tuple[int, str | None]]:
    return list(
        session.execute(
            select(DifficultyEvent.difficulty_id, DifficultyEvent.limit_name)
            .where(DifficultyEvent.kind == "escalated")
            .order_by(DifficultyEvent.id)
        ).all()
    )


def test_escalation_when_overdue_not_before_and_once(cities: Session, hand_clock: Clock) -> None:
    x = submit(cities, XQ)
    z = submit(cities, ZM, "logistics-and-passes")
    audits = cities.scalar(select(func.count()).select_from(AuditEntry))
    assert service.escalate_overdue(cities, T0 + dt.timedelta(minutes=60)) == []  # not yet
    assert cities.scalar(select(func.count()).select_from(AuditEntry)) == audits
    out = service.escalate_overdue(cities, T0 + dt.timedelta(minutes=61))
    assert [(e.difficulty_id, e.limit) for e in out] == [(x.id, "accept"), (z.id, "accept")]
    # To each jurisdiction's command: Xuzhou's own, and the zone's is the city's.
    assert [(e.to_jurisdiction, e.to_department) for e in out] == [
        ("xuzhou-municipal", "command"),
        ("zhengzhou-municipal", "command"),
    ]
    assert cities.scalar(select(func.count()).select_from(AuditEntry)) == audits + 2
    # Running twice, or later, escalates nothing it escalated already.
    assert service.escalate_overdue(cities, T0 + dt.timedelta(minutes=61)) == []
    assert service.escalate_overdue(cities, T0 + dt.timedelta(hours=11)) == []
    # The zone's 12-hour solution limit passes before Xuzhou's 24 hours.
    out = service.escalate_overdue(cities, T0 + dt.timedelta(hours=13))
    assert [(e.difficulty_id, e.limit) for e in out] == [(z.id, "propose")]
    hand_clock.at(hours=14)
    service.handle(cities, XZ_CITY, x.id, "accept")
    service.handle(cities, ZZ_CITY, z.id, "accept")
    out = service.escalate_overdue(cities, T0 + dt.timedelta(hours=25))
    assert [(e.difficulty_id, e.limit) for e in out] == [(x.id, "propose")]
    assert _escalations(cities) == [
        (x.id, "accept"),
        (z.id, "accept"),
        (z.id, "propose"),
        (x.id, "propose"),
    ]
    # The enterprise sees it flagged and escalated.
    shown = queries.one_for_enterprise(cities, XQ, x.id, T0 + dt.timedelta(hours=25))
    assert shown.escalated and [o.limit for o in shown.overdue] == ["propose"]
    assert shown.missed == ["accept"]
    # The emergency plans' read: the limits passed, since when.
    items = queries.overdue_for_enterprise(cities, XUZHOU_ID, T0 + dt.timedelta(hours=25))
    assert [(i.id, i.limit, i.since) for i in items] == [(x.id, "propose", T0 + 24 * H)]


XUZHOU_ID = XQ.enterprise_id


# -- steps not allowed, tenancy ------------------------------------------------------------


def _written(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        session.scalar(select(func.count()).select_from(DifficultyEvent)) or 0,
    )


def test_steps_not_allowed_write_nothing(cities: Session, hand_clock: Clock) -> None:
    d = submit(cities, XQ)
    before = _written(cities)
    attempts = [
        lambda: service.answer(cities, XQ, d.id, ConfirmIn(rating=5)),  # close unaccepted
        lambda: service.answer(cities, XQ, d.id, ReopenIn(reason="r")),
        lambda: service.handle(cities, XZ_CITY, d.id, "propose", "s"),
        lambda: service.handle(cities, XZ_CITY, d.id, "resolve"),
    ]
    for attempt in attempts:
        with pytest.raises(InputError) as e:
            attempt()
        assert e.value.field == "state" and "it is submitted" in str(e.value)
    with pytest.raises(InputError) as e:
        service.transfer(cities, XZ_CITY, d.id, TransferIn(department="nowhere", note="n"))
    assert e.value.field == "department"
    with pytest.raises(InputError) as e:  # another city's department
        service.transfer(
            cities,
            XZ_CITY,
            d.id,
            TransferIn(department="transport", jurisdiction="zhengzhou-municipal", note="n"),
        )
    assert e.value.field == "department"
    assert _written(cities) == before and d.state == "submitted" and d.closed_at is None
    service.handle(cities, XZ_CITY, d.id, "accept")
    with pytest.raises(InputError, match="cannot accept"):
        service.handle(cities, XZ_CITY, d.id, "accept")


def test_each_side_sees_only_its_own(cities: Session, hand_clock: Clock) -> None:
    x = submit(cities, XQ, "prevention-materials")  # → Xuzhou's health commission
    z = submit(cities, ZM)
    for call in (
        lambda: service.own(cities, ZM, x.id),
        lambda: service.visible(cities, ZZ_CITY, x.id),
        lambda: service.visible(cities, ZZ_ZONE, x.id),
        lambda: service.handle(cities, ZZ_CITY, x.id, "accept"),
        lambda: service.visible(cities, XZ_CITY, z.id),
        # Xuzhou's development zone: the plant is registered in the city itself.
        lambda: service.visible(
            cities, JurisdictionScope("xuzhou-economic-development-zone", "t"), x.id
        ),
    ):
        with pytest.raises(NotFound):
            call()
    # A department's officer sees its own queue only; the command what was escalated.
    health = JurisdictionScope("xuzhou-municipal", "t", department="health")
    transport = JurisdictionScope("xuzhou-municipal", "t", department="transport")
    command = JurisdictionScope("xuzhou-municipal", "t", department="command")

    def ids(scope: JurisdictionScope) -> list[int]:
        return list(
            cities.scalars(queries.gov_query(cities, scope, T0).with_only_columns(Difficulty.id))
        )

    assert ids(health) == [x.id] and ids(transport) == [] and ids(command) == []
    assert ids(XZ_CITY) == [x.id] and ids(ZZ_CITY) == [z.id]
    service.escalate_overdue(cities, T0 + 2 * H)
    assert ids(command) == [x.id]


# -- per-department figures, worked by hand --------------------------------------------------


def _handled(
    cities: Session,
    clock_: Clock,
    category: str,
    *,
    accept: float | None = None,
    propose: float | None = None,
    close: float | None = None,
    rating: int = 3,
) -> Difficulty:
    """A difficulty submitted at T0 and taken through the steps at the hours given."""
    d = submit(cities, XQ, category)
    if accept is not None:
        clock_.at(hours=accept)
        service.handle(cities, XZ_CITY, d.id, "accept")
    if propose is not None:
        clock_.at(hours=propose)
        service.handle(cities, XZ_CITY, d.id, "propose", "s")
    if close is not None:
        clock_.at(hours=close)
        service.handle(cities, XZ_CITY, d.id, "resolve")
        service.answer(cities, XQ, d.id, ConfirmIn(rating=rating))
    clock_.at()
    return d


def test_department_figures_against_hand_counts(cities: Session, hand_clock: Clock) -> None:
    # industry-it (finance and policy are routed there):
    _handled(cities, hand_clock, "finance", accept=0.5, propose=10, close=48, rating=4)  # on time
    _handled(
        cities, hand_clock, "finance", accept=1.5, propose=20, close=72, rating=2
    )  # accept late
    _handled(cities, hand_clock, "finance", accept=0.1, propose=30, close=192, rating=1)  # 2 late
    _handled(cities, hand_clock, "finance", accept=0.2)  # open, no solution by 24 h
    hand_clock.at(days=8, minutes=30)
    submit(cities, XQ, "policy")  # open, 30 minutes old: not overdue
    # health (prevention materials):
    hand_clock.at()
    _handled(cities, hand_clock, "prevention-materials", accept=0.05, propose=2, close=4, rating=5)
    _handled(cities, hand_clock, "prevention-materials")  # never accepted
    # logistics → transport, transferred at 30 min to market, accepted, a solution at 5 h:
    d = submit(cities, XQ, "logistics-and-passes")
    hand_clock.at(minutes=30)
    service.transfer(cities, XZ_CITY, d.id, TransferIn(department="market", note="prices"))
    hand_clock.at(minutes=60)
    service.handle(cities, XZ_CITY, d.id, "accept")
    hand_clock.at(hours=5)
    service.handle(cities, XZ_CITY, d.id, "propose", "s")
    submit(cities, ZM)  # Zhengzhou's: not in Xuzhou's figures
    at = hand_clock.at(days=8, hours=1)

    out = queries.department_figures(cities, XZ_CITY, at)
    got = {
        f.department: (
            f.received,
            f.open,
            f.closed,
            f.on_time,
            f.overdue,
            f.median_hours_to_close,
            f.rating_mean,
            f.rating_count,
        )
        for f in out.departments
    }
    assert got == {
        # 5 received; open: the 4th and the policy one; closed 3, of which on time the 1st;
        # overdue: the 2nd (accepted late), 3rd (solution and closing late), 4th (no
        # solution); median of 48, 72, 192 h = 72; ratings (4 + 2 + 1) / 3.
        "industry-it": (5, 2, 3, 1, 3, 72.0, round(7 / 3, 4), 3),
        # closed in 4 h rated 5; the other never accepted.
        "health": (2, 1, 1, 1, 1, 4.0, 5.0, 1),
        # held by market now; past its 7-day closing limit at 8 days.
        "market": (1, 1, 0, 0, 1, None, None, 0),
    }
    # The dashboard: open and overdue by department, and in total.
    board = dashboard.dashboard(cities, XZ_CITY, at.date(), trend_days=0)
    queue = {(q.department, q.open, q.overdue) for q in board.by_department}
    assert queue == {("industry-it", 2, 1), ("health", 1, 1), ("market", 1, 1)}
    assert (board.total.difficulties_open, board.total.difficulties_overdue) == (4, 3)
    city = next(f for f in board.by_jurisdiction if f.key == "xuzhou-municipal")
    assert (city.difficulties_open, city.difficulties_overdue) == (4, 3)


def test_the_plans_trigger_counts_each_overdue_difficulty_once(
    cities: Session, hand_clock: Clock
) -> None:
    """The emergency plans' ``difficulty_overdue`` reads the record through
    ``plans.snapshot``: a past day is read at its end (00:00 the next day, plant time)."""
    a, _b = submit(cities, XQ), submit(cities, XQ)  # T0 = 09:00 on 1 December in Xuzhou
    hand_clock.at(minutes=30)
    service.handle(cities, XZ_CITY, a.id, "accept")  # b is never accepted
    hand_clock.at(days=3)  # 4 December: the days below are past, each read at its end
    nov30, dec1, dec2 = dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 2)
    assert snapshot.overdue_difficulties(cities, XQ, nov30) == 0  # neither submitted yet
    # End of 1 December = T0 + 15 h: b is past its 60-minute accept limit, a (accepted,
    # solution due at T0 + 24 h) is not past anything.
    assert snapshot.overdue_difficulties(cities, XQ, dec1) == 1
    # End of 2 December = T0 + 39 h: a is past its solution limit; b is past two limits
    # (accept and solution) and still counts once.
    at = dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    assert len(queries.overdue_for_enterprise(cities, XUZHOU, at)) == 3
    assert snapshot.overdue_difficulties(cities, XQ, dec2) == 2
    assert snapshot.overdue_difficulties(cities, ZM, dec2) == 0  # the other enterprise's
