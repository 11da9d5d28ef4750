"""Access events on the database: an import is idempotent, checked row by row, all or
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.containment.models import AccessEvent
from keepline.tabular import RowsError
from tests.containment.world import EVENTS, save, t


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


def test_access_events_audit_names_each_event(session: Session, tiny: str) -> None:
    """Issue 15 item 9: the audit log names every event written (worker, zone, times),
    a batch in one entry, not a count."""
    save(session, tiny, EVENTS)
    corrected = [("B1", "asm", t(3, "11:00"), t(3, "16:00"))]  # was out at 15:00
    save(session, tiny, corrected, name="fix.csv")
    session.commit()
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "access_events").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.record_key) for e in entries] == [
        ("insert", "gate.csv"),
        ("update", "fix.csv"),
    ]
    ins = entries[0].after
    assert ins is not None and ins["columns"] == ["employee_no", "zone_id", "t_in", "t_out"]
    # 2026-12-03 11:00 and 15:00 in Shanghai (UTC+8) are 03:00 and 07:00 UTC.
    b1_in = int(dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC).timestamp())
    b1_out = int(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC).timestamp())
    assert len(ins["rows"]) == 9 and ["B1", "asm", b1_in, b1_out] in ins["rows"]
    upd = entries[1].after
    assert upd is not None and upd["columns"][-2:] == ["t_out_before", "t_out"]
    assert upd["rows"] == [["B1", "asm", b1_in, b1_out, b1_out + 3600]]
    # What the log names is what the table holds.
    stored = session.execute(
        select(AccessEvent.employee_no, AccessEvent.zone_id, AccessEvent.t_in).order_by(
            AccessEvent.id
        )
    ).all()
    assert sorted(tuple(r) for r in stored) == sorted(tuple(r[:3]) for r in ins["rows"])
