"""Visits, findings and rectification tasks: the state machine (allowed and refused, nothing
written on a refusal), overdue in plant time under a controlled clock, reach, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit.models import AuditEntry
from keepline.errors import InputError, NotFound
from keepline.government import visits
from keepline.government.models import Finding, FindingStep, Visit
from keepline.government.schemas import (
    FindingIn,
    RectificationAnswerIn,
    SendBackIn,
    VerifyIn,
    VisitIn,
)
from keepline.scope import EnterpriseScope, JurisdictionScope
from tests.government.world import (
    XUZHOU,
    XZ,
    ZHENGZHOU,
    ZZ,
    xuzhou_only,
)

DAY = dt.date(2026, 12, 10)
XQ = EnterpriseScope(XUZHOU, "user:admin@a.example")
ZM = EnterpriseScope(ZHENGZHOU, "user:admin@b.example")
XZ_ZONE = JurisdictionScope("xuzhou-economic-development-zone", "test")


class Clock:
    """``keepline.clock.now`` under the test's hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: dt.datetime) -> None:
        self.at = at
        monkeypatch.setattr(clock, "now", lambda: self.at)


def _world(s: Session) -> int:
    xuzhou_only(s)
    v = visits.add_visit(
        s,
        XZ,
        VisitIn.model_validate(
            {
                "enterprise_id": XUZHOU,
                "day": str(DAY),
                "visitors": ["市长 Mayor", "Deputy.Mayor@xuzhou.gov.example"],
                "topics": ["capacity", "materials", "capacity"],
                "notes": "asked about orders and raw materials",
            }
        ),
    )
    return v.id


def _finding(s: Session, visit_id: int, due: dt.date = DAY + dt.timedelta(days=5)) -> Finding:
    return visits.add_finding(
        s,
        XZ,
        visit_id,
        FindingIn.model_validate(
            {
                "text": "no backup supplier for the optical module",
                "category": "backup-suppliers",
                "severity": "high",
                "due_on": str(due),
            }
        ),
    )


def _writes(s: Session) -> tuple[int, int]:
    return (
        s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        s.scalar(select(func.count()).select_from(FindingStep)) or 0,
    )


def _visit_kept(session: Session, vid: int) -> None:
    v = session.get(Visit, vid)
    assert v is not None
    assert v.visitors == ["市长 Mayor", "deputy.mayor@xuzhou.gov.example"]
    assert v.topics == ["capacity", "materials"]  # the repeat dropped, the order kept
    assert v.jurisdiction_id == "xuzhou-municipal"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "gov_visits")).one()
    # Audited as a government write: the enterprise's jurisdiction, no enterprise.
    assert (entry.enterprise_id, entry.jurisdiction) == (None, "xuzhou-municipal")


def _visitors_refused(session: Session) -> None:
    before = _writes(session)
    body = {
        "enterprise_id": XUZHOU,
        "day": str(DAY),
        "visitors": ["liaison.chen@zzhitech.gov.example", "  ", "nobody@x.example"],
        "topics": ["prevention"],
    }
    with pytest.raises(InputError) as err:
        visits.add_visit(session, XZ, VisitIn.model_validate(body))
    assert err.value.field == "visitors"
    assert err.value.problems == [
        "visitors[1]: empty",
        "visitors[0]: no officer 'liaison.chen@zzhitech.gov.example' in 'xuzhou-municipal'",
        "visitors[2]: no officer 'nobody@x.example' in 'xuzhou-municipal'",
    ]
    # A visitor's name is bounded; topics come from the list.
    for bad_body in ({**body, "visitors": ["x" * 201]}, {**body, "topics": ["weather"]}):
        with pytest.raises(ValidationError):
            VisitIn.model_validate(bad_body)
    # The other city's enterprise, and the city's own from a zone under it: 404.
    with pytest.raises(NotFound, match="no enterprise 'zhengzhou-meters'"):
        visits.add_visit(session, XZ, VisitIn.model_validate({**body, "enterprise_id": ZHENGZHOU}))
    with pytest.raises(NotFound):
        visits.add_visit(session, XZ_ZONE, VisitIn.model_validate({**body, "visitors": ["x"]}))
    assert _writes(session) == before
    assert session.scalar(select(func.count()).select_from(Visit)) == 1


def _cycle(session: Session, vid: int) -> None:
    f = _finding(session, vid)
    assert f.status == "open"
    fid = f.id
    visits.answer(session, XQ, fid, RectificationAnswerIn(text="signed Changzhou as backup"))
    assert f.status == "answered" and f.answer == "signed Changzhou as backup"
    visits.send_back(session, XZ, fid, SendBackIn(reason="no contract attached"))
    assert f.status == "open" and f.sent_back_reason == "no contract attached"
    visits.answer(
        session,
        XQ,
        fid,
        RectificationAnswerIn(text="contract signed", attachment_name="contract.pdf"),
    )
    assert (f.status, f.attachment_name) == ("answered", "contract.pdf")
    visits.verify(session, XZ, fid, VerifyIn(note="seen"))
    assert f.status == "verified"
    out = visits.finding_out(session, f)
    assert [x.step for x in out.steps] == [
        "recorded",
        "answered",
        "sent-back",
        "answered",
        "verified",
    ]
    assert [x.actor for x in out.steps if x.step == "answered"] == [XQ.actor, XQ.actor]
    # Every write audited: the finding (insert + 4 updates) and its 5 steps; the
    # enterprise's answers under its own scope, the government's with no enterprise.
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.table_name.in_(("gov_findings", "gov_finding_steps")))
        .order_by(AuditEntry.id)
    ).all()
    assert len(rows) == 10
    mine = [(r.table_name, r.action) for r in rows if r.enterprise_id == XUZHOU]
    assert mine == [("gov_findings", "update"), ("gov_finding_steps", "insert")] * 2
    assert all(r.jurisdiction == "xuzhou-municipal" for r in rows if r.enterprise_id is None)


def _refusals(session: Session, vid: int) -> None:
    fid = _finding(session, vid).id
    cases = [
        (
            lambda: visits.verify(session, XZ, fid, VerifyIn()),
            "only answered tasks can be verified",
        ),
        (
            lambda: visits.send_back(session, XZ, fid, SendBackIn(reason="x")),
            "only answered tasks can be sent back",
        ),
    ]
    for call, message in cases:
        before = (_writes(session), session.get(Finding, fid).values())  # type: ignore[union-attr]
        with pytest.raises(
            InputError, match=f"status: rectification task {fid} is open: {message}"
        ):
            call()
        assert (_writes(session), session.get(Finding, fid).values()) == before  # type: ignore[union-attr]
    visits.answer(session, XQ, fid, RectificationAnswerIn(text="done"))
    with pytest.raises(InputError, match="is answered: only open tasks can be answered"):
        visits.answer(session, XQ, fid, RectificationAnswerIn(text="again"))
    visits.verify(session, XZ, fid, VerifyIn())
    before = (_writes(session), session.get(Finding, fid).values())  # type: ignore[union-attr]
    for call in (
        lambda: visits.answer(session, XQ, fid, RectificationAnswerIn(text="more")),
        lambda: visits.verify(session, XZ, fid, VerifyIn()),
        lambda: visits.send_back(session, XZ, fid, SendBackIn(reason="x")),
    ):
        with pytest.raises(InputError, match=r"status: rectification task .* is verified"):
            call()
    assert (_writes(session), session.get(Finding, fid).values()) == before  # type: ignore[union-attr]
    # A due date before the visit: refused naming the field.
    with pytest.raises(
        InputError, match=r"due_on: 2026-12-09 is before the visit's day 2026-12-10"
    ):
        _finding(session, vid, due=DAY - dt.timedelta(days=1))


def _reach(session: Session, vid: int) -> None:
    fid = _finding(session, vid).id
    with pytest.raises(NotFound, match=f"no rectification task {fid}"):
        visits.answer(session, ZM, fid, RectificationAnswerIn(text="not ours"))
    with pytest.raises(NotFound, match=f"no visit {vid}"):
        visits.visit_of(session, ZZ, vid)
    with pytest.raises(NotFound, match=f"no finding {fid}"):
        visits.verify(session, ZZ, fid, VerifyIn())
    with pytest.raises(NotFound):
        visits.add_finding(
            session,
            XZ_ZONE,
            vid,
            FindingIn(text="x", category="logistics", due_on=DAY),  # type: ignore[arg-type]
        )
    assert session.execute(visits.findings_query(session, ZZ)).all() == []
    assert session.execute(visits.own_findings_query(ZM)).all() == []
    assert [f.id for f in session.scalars(visits.own_findings_query(XQ))] == [fid]
    assert [v.id for v in session.scalars(visits.visits_query(session, XZ))] == [vid]
    assert session.execute(visits.visits_query(session, ZZ)).all() == []
    with pytest.raises(NotFound):
        visits.findings_query(session, XZ, jurisdiction="zhengzhou-municipal")


def test_overdue_in_plant_time(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    vid = _world(session)
    due = DAY + dt.timedelta(days=2)  # 2026-12-12
    fid = _finding(session, vid, due=due).id
    c = Clock(monkeypatch, dt.datetime(2026, 12, 12, 15, 59, tzinfo=dt.UTC))  # 23:59 in Xuzhou
    out = visits.finding_out(session, session.get(Finding, fid))  # type: ignore[arg-type]
    assert out.overdue is False
    assert session.execute(visits.findings_query(session, XZ, overdue=True)).all() == []
    c.at = dt.datetime(2026, 12, 12, 16, 1, tzinfo=dt.UTC)  # 00:01 on the 13th in Xuzhou
    out = visits.finding_out(session, session.get(Finding, fid))  # type: ignore[arg-type]
    assert out.overdue is True
    assert [f.id for f in session.scalars(visits.findings_query(session, XZ, overdue=True))] == [
        fid
    ]
    assert [f.id for f in session.scalars(visits.own_findings_query(XQ, overdue=True))] == [fid]
    assert visits.open_counts(session, XUZHOU, clock.today()) == (1, 1)
    # Answered but not verified: still overdue; verified: no longer.
    visits.answer(session, XQ, fid, RectificationAnswerIn(text="done late"))
    assert visits.finding_out(session, session.get(Finding, fid)).overdue is True  # type: ignore[arg-type]
    visits.verify(session, XZ, fid, VerifyIn())
    assert visits.finding_out(session, session.get(Finding, fid)).overdue is False  # type: ignore[arg-type]
    assert session.execute(visits.findings_query(session, XZ, overdue=True)).all() == []
    assert visits.open_counts(session, XUZHOU, clock.today()) == (0, 0)


def test_a_visit_its_visitors_and_its_reach(session: Session) -> None:
    vid = _world(session)
    _visit_kept(session, vid)
    _visitors_refused(session)
    _reach(session, vid)


def test_the_rectification_cycle_and_refused_transitions(session: Session) -> None:
    vid = _world(session)
    _cycle(session, vid)
    _refusals(session, vid)
