"""Access events on the database: an import is idempotent, checked row by row, all or
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
