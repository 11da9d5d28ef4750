"""Issue 15 item 8: erasing a worker deletes their records one audited row at a time (no
silent database cascade), and is refused while their case is open."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import db
from keepline.audit.models import AuditEntry
from keepline.console import links
from keepline.containment import cases, restrictions
from keepline.containment.models import AccessEvent, Case, Restriction
from keepline.containment.schemas import CaseIn, RestrictionEnd, RestrictionIn
from keepline.errors import InputError
from keepline.health import service as health
from keepline.health.models import Clearance, Declaration
from keepline.health.schemas import DeclarationIn
from keepline.people import erasure
from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from keepline.screening import planning
from keepline.screening.models import SampleMember
from keepline.screening.schemas import RoundIn
from tests.containment.world import save, t
from tests.tiny_world import load_tiny

D = dt.date(2026, 11, 20)
SCOPE = EnterpriseScope("tiny", "admin@tiny")


def _deletes(session: Session) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, key in session.execute(
        select(AuditEntry.table_name, AuditEntry.record_key)
        .where(AuditEntry.action == "delete")
        .order_by(AuditEntry.id)
    ):
        out.setdefault(table, []).append(key)
    return out


def _b1_with_records(session: Session) -> int:
    """B1 with 3 declarations (one with fever: a clearance), 2 access events, a sample, a
    case (ended) whose tracing quarantined B2. Returns the case id."""
    load_tiny(session)
    items = [
        (i + 1, DeclarationIn(employee_no="B1", day=D + dt.timedelta(days=i), temperature_c=temp))
        for i, temp in enumerate((36.5, 38.2, 36.6))
    ]
    health.save_declarations(session, SCOPE, items, today=D + dt.timedelta(days=2))
    save(
        session,
        "tiny",
        [("B1", "asm", t(1, "08:00"), t(1, "12:00")), ("B1", "lab", t(1, "13:00"), t(1, "14:00"))],
    )
    planning.plan_round(session, SCOPE, RoundIn(day=D, zones=["asm"], shifts=["day"]))
    c = cases.open_case(session, SCOPE, CaseIn(employee_no="B1", confirmed_on=D + dt.timedelta(3)))
    (iso,) = restrictions.open_restrictions(session, SCOPE, ["B1"])
    restrictions.end_restriction(
        session, SCOPE, iso.id, RestrictionEnd(end_day=D + dt.timedelta(10), reason="2 negatives")
    )
    q = RestrictionIn(employee_no="B2", kind="quarantine", reason="close-contact", start_day=D)
    restrictions.add_restriction(session, SCOPE, q, case_id=c.id)
    session.commit()
    return c.id


def test_erasing_a_worker_audits_every_deleted_row(session: Session) -> None:
    case_id = _b1_with_records(session)
    b1_members = session.scalars(
        select(SampleMember.sample_id).where(SampleMember.employee_no == "B1")
    ).all()
    assert len(b1_members) == 1
    (iso_id,) = session.scalars(select(Restriction.id).where(Restriction.employee_no == "B1"))
    links.tokens(session, SCOPE, ["B1"], b"a signing key")  # the console's personal link
    session.commit()
    deleted = erasure.delete_worker(session, SCOPE, "B1")
    session.commit()
    assert deleted == {
        "declaration_links": 1,
        "declarations": 3,
        "clearances": 1,
        "access_events": 2,
        "screening_sample_members": 1,
        "restrictions": 1,
        "cases": 1,
        "workers": 1,
    }
    logged = _deletes(session)
    events = logged.pop("access_events")
    assert logged == {
        "declarations": ["B1/2026-11-20", "B1/2026-11-21", "B1/2026-11-22"],
        "clearances": ["B1"],
        "screening_sample_members": [f"{b1_members[0]}/B1"],
        "restrictions": [str(iso_id)],
        "cases": [str(case_id)],
        "declaration_links": ["B1"],
        "workers": ["B1"],
    }
    assert len(events) == 2 and all(k.startswith("B1/") for k in events)
    assert {k.split("/")[1] for k in events} == {"asm", "lab"}
    # An admin's erasure keeps the values (recoverable); the fever reading is there.
    fever = session.scalar(
        select(AuditEntry.before).where(
            AuditEntry.record_key == "B1/2026-11-21", AuditEntry.action == "delete"
        )
    )
    assert fever is not None and fever["temperature_c"] == 38.2
    # B2's quarantine lost its link to the case: an audited update, not a silent SET NULL.
    link = session.execute(
        select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.table_name == "restrictions",
            AuditEntry.action == "update",
            AuditEntry.reason == erasure.REASON,
        )
    ).one()
    assert link == ({"case_id": case_id}, {"case_id": None})
    for model in (Declaration, Clearance, AccessEvent, SampleMember, Restriction, Case):
        left = session.scalar(
            select(func.count()).select_from(model).where(model.employee_no == "B1")
        )
        assert left == 0, model.__tablename__
    assert session.get(Worker, ("tiny", "B1")) is None


def test_erasure_is_refused_while_the_case_is_open(session: Session) -> None:
    load_tiny(session)
    cases.open_case(session, SCOPE, CaseIn(employee_no="A1", confirmed_on=D))
    session.commit()
    with pytest.raises(InputError, match="'A1' has an open case"):
        erasure.delete_worker(session, SCOPE, "A1")
    session.rollback()
    assert session.get(Worker, ("tiny", "A1")) is not None
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_every_table_naming_a_worker_is_emptied_by_the_erasure() -> None:
    """A new table with a foreign key to workers must join erasure.CHILDREN, or its rows
    would go by the database's cascade, unaudited."""
    referring = {
        fk.parent.table.name
        for table in db.Base.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == "workers"
    }
    assert referring == {m.__tablename__ for m, _ in erasure.CHILDREN}
