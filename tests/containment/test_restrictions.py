"""Isolations and quarantines on the database: the rules that end them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.containment import restrictions
from keepline.containment.models import Restriction
from keepline.containment.schemas import RestrictionIn
from keepline.errors import InputError
from keepline.scope import EnterpriseScope
from tests.containment.world import D


def test_restriction_end_rules(session: Session, tiny: str) -> None:
    ho, lab = EnterpriseScope(tiny, "ho"), EnterpriseScope(tiny, "lab")
    zone_lock = dict(employee_no="B3", kind="quarantine", reason="zone-lock", start_day=D)
    r = restrictions.add_restriction(session, ho, RestrictionIn(**zone_lock, end_rule="days:3"))
    assert r.end_day == D + dt.timedelta(days=2)
    with pytest.raises(InputError, match="end_rule: expected 'days:N' or 'negative-tests:N'"):
        restrictions.add_restriction(session, ho, RestrictionIn(**zone_lock, end_rule="3d"))
    iso = restrictions.add_restriction(
        session,
        ho,
        RestrictionIn(
            employee_no="B4",
            kind="isolation",
            reason="declaration",
            start_day=D,
            end_rule="negative-tests:2",
        ),
    )
    restrictions.record_negative_tests(session, lab, [("B4", D + dt.timedelta(days=1), "S1")])
    assert iso.end_day is None and iso.negative_tests == 1
    restrictions.record_negative_tests(session, lab, [("B4", D + dt.timedelta(days=2), "S2")])
    assert iso.end_day == D + dt.timedelta(days=2)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Restriction)) == 2
