"""Confirmed cases: the infectious window, and the isolation a case starts. Every write
is audited; the caller owns the transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.containment import queries
from keepline.containment.models import Case, Reason, RestrictionKind
from keepline.containment.restrictions import add_restriction, end_restriction, open_restrictions
from keepline.containment.schemas import CaseIn, RestrictionEnd, RestrictionIn
from keepline.errors import InputError, msg
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope

# Two days before sample or onset: the start of infectiousness used by China's
# protocol (9th edition, 2022) and the WHO contact definition.
INFECTIOUS_DAYS_BEFORE = 2
CASE_END_RULE = "negative-tests:2"  # discharge after two negative tests (9th edition)


def case_values(c: Case) -> dict[str, Any]:
    return c.values(without=("id", "enterprise_id", "created_by", "created_at"))


def open_case(
    session: Session, scope: EnterpriseScope, body: CaseIn, *, sample_id: str | None = None
) -> Case:
    """Record a confirmed case and isolate the worker from ``confirmed_on``
    (``sample_id``: the sample that confirmed it).

    The infectious window runs from two days before the earlier of sample and onset
    (or confirmation when neither is known) to the day of isolation.
    """
    queries.worker(session, scope, body.employee_no)
    confirmed_on = body.confirmed_on
    anchors = [d for d in (body.sample_day, body.onset_day) if d is not None] or [confirmed_on]
    start = min(anchors) - dt.timedelta(days=INFECTIOUS_DAYS_BEFORE)
    if start > confirmed_on:
        raise InputError([msg("confirmed_on: before the sample or symptom onset")])
    c = Case(
        enterprise_id=scope.enterprise_id,
        employee_no=body.employee_no,
        confirmed_on=confirmed_on,
        sample_day=body.sample_day,
        onset_day=body.onset_day,
        infectious_from=start,
        infectious_to=confirmed_on,
        sample_id=sample_id,
        status="open",
        created_by=scope.actor,
        created_at=dt.datetime.now(dt.UTC),
    )
    audit.add(session, scope, c, "cases", values=case_values)
    # A pool-positive isolation is superseded by the case's own.
    for r in open_restrictions(session, scope, [body.employee_no]):
        if r.reason == Reason.pool_positive:
            end = RestrictionEnd(
                end_day=max(r.start_day, confirmed_on), reason="confirmed as a case"
            )
            end_restriction(session, scope, r.id, end)
    isolation = RestrictionIn(
        employee_no=body.employee_no,
        kind=RestrictionKind.isolation,
        reason=Reason.case,
        start_day=confirmed_on,
        end_rule=CASE_END_RULE,
    )
    add_restriction(session, scope, isolation, case_id=c.id, sample_id=sample_id)
    return c


def get_case(session: Session, scope: EnterpriseScope, case_id: int) -> Case:
    return owned(session, scope, Case, case_id, f"case {case_id} not found")
