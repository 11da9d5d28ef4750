"""Zone states on the database: the cycle open → restricted → locked → disinfecting →
reopened, with its history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from keepline.containment import zone_states
from keepline.containment.schemas import ZoneStateIn
from keepline.errors import InputError
from keepline.scope import EnterpriseScope
from tests.containment.world import at


def change(
    session: Session,
    eid: str,
    state: str,
    reason: str,
    *,
    closed_loop: bool = False,
    at: dt.datetime | None = None,
) -> None:
    """Change zone 'asm' as 'eo'."""
    body = ZoneStateIn(state=state, reason=reason, closed_loop=closed_loop)
    zone_states.change_zone_state(session, EnterpriseScope(eid, "eo"), "asm", body, at=at)


def test_zone_states_follow_the_cycle_with_history(session: Session, tiny: str) -> None:
    with pytest.raises(
        InputError, match="zone 'asm' is open; it can go to restricted, locked, not disinfecting"
    ):
        change(session, tiny, "disinfecting", "clean")
    change(session, tiny, "restricted", "case in team asm-a", at=at(5, "09:00"))
    change(session, tiny, "locked", "second case", closed_loop=True, at=at(6, "10:00"))
    with pytest.raises(InputError, match="is locked; it can go to disinfecting, not reopened"):
        change(session, tiny, "reopened", "too soon")
    change(session, tiny, "disinfecting", "all negative", at=at(8, "09:00"))
    change(session, tiny, "reopened", "disinfected", at=at(9, "08:00"))
    session.commit()
    scope = EnterpriseScope(tiny, "viewer")
    hist = zone_states.zone_history(session, scope, "asm")
    assert [(h.previous, h.state, h.day, h.by) for h in hist] == [
        ("open", "restricted", dt.date(2026, 12, 5), "eo"),
        ("restricted", "locked", dt.date(2026, 12, 6), "eo"),
        ("locked", "disinfecting", dt.date(2026, 12, 8), "eo"),
        ("disinfecting", "reopened", dt.date(2026, 12, 9), "eo"),
    ]
    assert zone_states.zone_states(session, scope)["asm"].state == "reopened"
    assert zone_states.zone_states(session, scope)["lab"] is None
