"""Issue 15 item 11: health data is kept no longer than the enterprise's retention rule;
the purge deletes with an audit row each, says first what it would delete, and keeps
what an open case, a running isolation or a daily report not yet submitted needs.

Counts are worked by hand from the tiny plant (tests/tiny_world.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit.models import AuditEntry
from keepline.containment import cases, restrictions
from keepline.containment.models import AccessEvent, Case, Restriction
from keepline.containment.schemas import CaseIn, RestrictionEnd, RestrictionIn
from keepline.government import daily_report
from keepline.government.models import Jurisdiction, Registration
from keepline.government.schemas import ReportSubmitIn
from keepline.health import service as health
from keepline.health.models import Clearance, Declaration
from keepline.health.schemas import DeclarationIn
from keepline.retention import policy, purge
from keepline.retention.schemas import PurgeOut, RetentionIn
from keepline.scope import EnterpriseScope
from keepline.screening import planning
from keepline.screening.models import Round, Sample, SampleMember
from keepline.screening.schemas import RoundIn
from tests.tiny_world import load_tiny
from tests.worlds import World

AS_OF = dt.date(2026, 11, 30)
SCOPE = EnterpriseScope("tiny", "admin@tiny")


def ago(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


def _declarations(session: Session, workers: list[str], days: int = 40) -> None:
    """One declaration a day for ``days`` days ending AS_OF (inserted as rows: the
    service refuses days in the future of the real clock, not needed here)."""
    now = dt.datetime.now(dt.UTC)
    for no in workers:
        for i in range(days):
            session.add(
                Declaration(
                    enterprise_id="tiny",
                    employee_no=no,
                    day=ago(i),
                    temperature_c=36.5,
                    symptoms=[],
                    health_code="green",
                    risk_travel=False,
                    close_contact=False,
                    flags=[],
                    flagged=False,
                    declared_at=now,
                )
            )


def _rows(out: PurgeOut) -> dict[str, int]:
    return {t.table: t.rows for t in out.tables if t.rows}


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _deleted(session: Session, table: str) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == table, AuditEntry.action == "delete")
        )
    )


def test_declarations_past_28_days_go_each_audited_and_an_open_case_keeps_its_own(
    session: Session,
) -> None:
    load_tiny(session)
    _declarations(session, ["A1", "A2", "B1"])  # 3 × 40 = 120 rows, ago(39)..AS_OF
    # Clearances: A1's cleared flag of 35 days ago goes; B1's flag not cleared stays.
    for no, cleared in (("A1", True), ("B1", False)):
        session.add(
            Clearance(
                enterprise_id="tiny", employee_no=no, cleared=cleared, flags=["fever"],
                flagged_on=ago(35), cleared_by="doc" if cleared else None,
                cleared_at=None, reason=None,
            )
        )  # fmt: skip
    # A2 is an open case (isolated since 3 days ago): all of A2's declarations stay.
    cases.open_case(
        session, SCOPE, CaseIn(employee_no="A2", confirmed_on=ago(3), sample_day=ago(4))
    )
    session.commit()
    assert policy.current(session, SCOPE).declarations_days == 28  # the default

    # Cut-off ago(28): days ago(39)..ago(29) go, 11 days × 2 workers (A1, B1) = 22.
    dry = purge.purge(session, SCOPE, as_of=AS_OF, dry_run=True)
    assert _rows(dry) == {"declarations": 22, "clearances": 1}
    cut = {t.table: t.cutoff for t in dry.tables}
    assert cut["declarations"] == dt.date(2026, 11, 2) == ago(28)
    assert cut["access_events"] == ago(28) and cut["cases"] == ago(365)
    assert any("open case" in k and "A2" in k for k in dry.kept)
    session.commit()
    assert _count(session, Declaration) == 120 and _deleted(session, "declarations") == []

    done = purge.purge(session, SCOPE, as_of=AS_OF)
    session.commit()
    assert _rows(done) == _rows(dry)
    assert _count(session, Declaration) == 120 - 22
    logged = _deleted(session, "declarations")
    assert len(logged) == 22
    assert {e.record_key for e in logged} == {
        f"{no}/{ago(i).isoformat()}" for no in ("A1", "B1") for i in range(29, 40)
    }
    # Keyed, not kept: the purged health data is not copied into the log.
    assert all(e.before is None and e.actor == "admin@tiny" for e in logged)
    assert logged[0].reason == "retention: declarations before 2026-11-02"
    a2 = session.scalar(
        select(func.count()).select_from(Declaration).where(Declaration.employee_no == "A2")
    )
    assert a2 == 40
    assert [e.record_key for e in _deleted(session, "clearances")] == ["A1"]
    assert session.get(Clearance, ("tiny", "B1")) is not None
    # Nothing is left to purge.
    again = purge.purge(session, SCOPE, as_of=AS_OF)
    assert _rows(again) == {}


def test_cases_restrictions_screening_and_access_events(session: Session) -> None:
    load_tiny(session)
    # N1: a case 400 days ago, discharged 390 days ago: case and isolation go (365).
    old_id = cases.open_case(session, SCOPE, CaseIn(employee_no="N1", confirmed_on=ago(400))).id
    (iso,) = restrictions.open_restrictions(session, SCOPE, ["N1"])
    restrictions.end_restriction(
        session, SCOPE, iso.id, RestrictionEnd(end_day=ago(390), reason="two negatives")
    )
    # B2's quarantine ended 114 days ago goes (90); B3's, ended 14 days ago, stays.
    for no, start in (("B2", 120), ("B3", 20)):
        body = RestrictionIn(
            employee_no=no, kind="quarantine", reason="close-contact", start_day=ago(start)
        )
        restrictions.add_restriction(session, SCOPE, body)
    # A1: an open case, infectious from 33 days ago (sample 31 days ago).
    cases.open_case(
        session, SCOPE, CaseIn(employee_no="A1", confirmed_on=ago(30), sample_day=ago(31))
    )
    # Screening: a lab round 100 days ago (L1..L3: 3 tubes) goes (90); one 10 days ago stays.
    for n in (100, 10):
        planning.plan_round(session, SCOPE, RoundIn(day=ago(n), zones=["lab"]))
    # Access events ending 35 and 60 days ago go; 32 days ago stays (A1's case window
    # opens 33 days ago: tracing reads every worker's events from then), 5 days ago too.
    for no, n in (("B1", 35), ("N2", 60), ("B1", 32), ("B1", 5)):
        t0 = clock.day_start(ago(n)) + 9 * 3600
        session.add(
            AccessEvent(
                enterprise_id="tiny", employee_no=no, zone_id="asm", t_in=t0, t_out=t0 + 3600
            )
        )
    session.commit()

    dry = purge.purge(session, SCOPE, as_of=AS_OF, dry_run=True)
    expected = {
        "screening_sample_members": 3,
        "screening_samples": 3,
        "screening_rounds": 1,
        "restrictions": 2,  # N1's isolation (with its case) and B2's quarantine
        "cases": 1,
        "access_events": 2,
    }
    assert _rows(dry) == expected
    cut = {t.table: t.cutoff for t in dry.tables}
    assert cut["access_events"] == ago(33)  # held back from ago(28) by A1's case
    assert cut["screening_rounds"] == ago(90)  # A1's case (33) and isolation (30) are later
    session.commit()
    done = purge.purge(session, SCOPE, as_of=AS_OF)
    session.commit()
    session.expire_all()
    assert _rows(done) == expected
    assert session.scalars(select(Case.employee_no)).all() == ["A1"]
    assert session.get(Case, old_id) is None
    assert sorted(session.scalars(select(Restriction.employee_no))) == ["A1", "B3"]
    assert _count(session, Round) == 1 and _count(session, Sample) == 3
    assert _count(session, SampleMember) == 3
    assert sorted(
        (clock.local_day(clock.from_epoch(t)), no)
        for no, t in session.execute(select(AccessEvent.employee_no, AccessEvent.t_in))
    ) == [(ago(32), "B1"), (ago(5), "B1")]
    # Audit: a row each, but access events a thousand to an entry (here one, naming 2).
    for table, n in expected.items():
        entries = _deleted(session, table)
        if table == "access_events":
            assert len(entries) == 1
            before = entries[0].before
            assert before is not None and before["columns"][:2] == ["employee_no", "zone_id"]
            assert sorted(r[0] for r in before["rows"]) == ["B1", "N2"]
        else:
            assert len(entries) == n, table
    assert {e.record_key for e in _deleted(session, "cases")} == {str(old_id)}


def test_an_unsubmitted_daily_report_holds_its_days(session: Session) -> None:
    load_tiny(session)
    _declarations(session, ["A1"])  # ago(39)..AS_OF
    session.add(Jurisdiction(id="xz", name="Xuzhou", kind="city", parent_id=None, path="xz/",
                             position=0))  # fmt: skip
    session.add(
        Registration(
            enterprise_id="tiny", jurisdiction_id="xz", industry="test", scale="small",
            address="1 Road", contact_name="Li", contact_phone="13800000000",
            resumption_state="resumed", registered_on=ago(100), registered_by="gov",
        )
    )  # fmt: skip
    session.commit()
    # Registered, no report submitted yet: every day since registration is still due.
    held = purge.purge(session, SCOPE, as_of=AS_OF, dry_run=True)
    assert _rows(held) == {}
    assert {t.table: t.cutoff for t in held.tables}["declarations"] == ago(100)
    assert any("daily reports not yet submitted" in k for k in held.kept)
    # The report of 35 days ago submitted: days after it are still due (ago(34) on).
    daily_report.submit(session, SCOPE, ReportSubmitIn(day=ago(35)))
    session.commit()
    out = purge.purge(session, SCOPE, as_of=AS_OF)
    session.commit()
    assert _rows(out) == {"declarations": 5}  # ago(39)..ago(35)
    assert min(session.scalars(select(Declaration.day))) == ago(34)


def test_the_rule_is_set_per_enterprise_and_audited(session: Session) -> None:
    load_tiny(session)
    _declarations(session, ["A1"])
    out = policy.set_policy(session, SCOPE, RetentionIn(declarations_days=14))
    assert (out.declarations_days, out.access_events_days, out.default) == (14, 28, False)
    session.commit()
    logged = session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "retention_policies")
    ).all()
    assert [(e.action, e.after and e.after["declarations_days"]) for e in logged] == [
        ("insert", 14)
    ]
    assert _rows(purge.purge(session, SCOPE, as_of=AS_OF, dry_run=True)) == {
        "declarations": 25  # ago(39)..ago(15)
    }
    with pytest.raises(ValueError, match="greater than or equal to 14"):
        RetentionIn(declarations_days=7)


def test_retention_by_cli(session: Session, cli) -> None:  # type: ignore[no-untyped-def]
    load_tiny(session)
    _declarations(session, ["A1", "B1", "N1"])
    session.commit()
    res = cli("retention run tiny --dry-run --as-of 2026-11-30")
    assert res.code == 0, res
    assert "would delete" in res.out and "declarations" in res.out
    assert "2026-11-02" in res.out
    assert "tiny: 33 rows would be deleted (dry run)" in res.out
    assert _count(session, Declaration) == 120
    res = cli("retention run tiny --as-of 2026-11-30")
    assert res.code == 0, res
    assert "tiny: 33 rows deleted, each audited" in res.out
    session.expire_all()
    assert _count(session, Declaration) == 87
    res = cli("retention set tiny --declarations 10")
    assert res.code != 0 and "greater than or equal to 14" in res.err
    res = cli("retention run")
    assert res.code != 0 and "--all" in res.err
    res = cli("retention run --all --dry-run")
    assert res.code == 0 and "tiny" in res.out


def test_retention_api_is_for_admins(world: World) -> None:
    r = world.get("/retention")
    assert r.status_code == 200 and r.json()["declarations_days"] == 28
    assert r.json()["default"] is True
    r = world.client.put("/retention", headers=world.h(), json={"access_events_days": 21})
    assert r.status_code == 200 and r.json()["access_events_days"] == 21
    bad = world.client.put("/retention", headers=world.h(), json={"cases_days": 3})
    assert bad.status_code == 422
    preview = world.get("/retention/preview")
    assert preview.status_code == 200 and preview.json()["dry_run"] is True
    assert {t["table"] for t in preview.json()["tables"]} >= {"declarations", "access_events"}
    for who in ("A:health_officer", "A:viewer"):
        assert world.get("/retention", who=who).status_code == 403
        assert world.post("/retention/run", who=who).status_code == 403
    run = world.post("/retention/run")
    assert run.status_code == 200 and run.json()["dry_run"] is False
    # B's rule is its own.
    assert world.get("/retention", who="B:admin").json()["access_events_days"] == 28


def test_the_log_does_not_keep_what_the_purge_deleted(session: Session) -> None:
    """The declarations' own audit entries (written with their temperatures) lose their
    values when the declarations go; the kept ones keep theirs."""
    load_tiny(session)
    items = [
        (i + 1, DeclarationIn(employee_no="A1", day=ago(i), temperature_c=36.0 + i / 100))
        for i in range(40)
    ]
    health.save_declarations(session, SCOPE, items, today=AS_OF)
    session.commit()

    def written() -> dict[str, dict | None]:
        return dict(
            session.execute(
                select(AuditEntry.record_key, AuditEntry.after).where(
                    AuditEntry.table_name == "declarations", AuditEntry.action == "insert"
                )
            ).all()
        )

    assert written()[f"A1/{ago(35).isoformat()}"] == {
        "temperature_c": 36.35, "symptoms": [], "health_code": "green",
        "risk_travel": False, "close_contact": False,
    }  # fmt: skip
    purge.purge(session, SCOPE, as_of=AS_OF)
    session.commit()
    after = written()
    assert len(after) == 40  # who wrote which record when: kept
    gone = {f"A1/{ago(i).isoformat()}" for i in range(29, 40)}
    assert all(after[k] is None for k in gone)
    assert all(v is not None and v["temperature_c"] > 0 for k, v in after.items() if k not in gone)
    (redaction,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "redact"))
    assert (redaction.table_name, redaction.record_key, redaction.after) == (
        "audit_log",
        "declarations",
        {"entries": 11},
    )
