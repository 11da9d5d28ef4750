"""Isolations and quarantines: date ranges with the rule that ends them (``days:N`` or
``negative-tests:N``). Every write is audited; the caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.containment import queries
from keepline.containment.models import Restriction
from keepline.containment.schemas import RestrictionEnd, RestrictionIn
from keepline.errors import InputError, msg, quote
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope

_RULE = re.compile(r"^(days|negative-tests):([1-9][0-9]{0,2})$")


# Who made and ended a restriction, and why it ended, the audit entry names itself.
_BOOKKEEPING = ("id", "enterprise_id", "created_by", "created_at", "ended_by", "end_reason")


def restriction_values(r: Restriction) -> dict[str, Any]:
    return r.values(without=_BOOKKEEPING)


def parse_end_rule(rule: str) -> tuple[str, int]:
    m = _RULE.match(rule.strip())
    if not m:
        raise InputError(
            [
                msg(
                    "end_rule: expected 'days:N' or 'negative-tests:N' (N ≥ 1), got %(rule)s",
                    rule=quote(rule),
                )
            ]
        )
    return m.group(1), int(m.group(2))


def add_restriction(
    session: Session,
    scope: EnterpriseScope,
    body: RestrictionIn,
    *,
    case_id: int | None = None,
    sample_id: str | None = None,
) -> Restriction:
    """Isolate or quarantine a worker from ``start_day``; ``days:N`` ends it after N
    days (``end_day`` = start + N − 1), ``negative-tests:N`` after N negative tests.
    ``case_id`` and ``sample_id`` link it to the case or sample that caused it."""
    queries.worker(session, scope, body.employee_no)
    how, n = parse_end_rule(body.end_rule)
    start = body.start_day
    r = Restriction(
        enterprise_id=scope.enterprise_id,
        employee_no=body.employee_no,
        kind=body.kind.value,
        reason=body.reason.value,
        start_day=start,
        end_day=start + dt.timedelta(days=n - 1) if how == "days" else None,
        end_rule=body.end_rule.strip(),
        negative_tests=0,
        case_id=case_id,
        sample_id=sample_id,
        note=body.note,
        created_by=scope.actor,
        created_at=dt.datetime.now(dt.UTC),
    )
    audit.add(session, scope, r, "restrictions", values=restriction_values)
    return r


def get_restriction(session: Session, scope: EnterpriseScope, rid: int) -> Restriction:
    return owned(session, scope, Restriction, rid, f"isolation/quarantine {rid} not found")


def end_restriction(
    session: Session, scope: EnterpriseScope, rid: int, body: RestrictionEnd
) -> Restriction:
    """End an isolation or quarantine: the worker is away up to ``end_day`` inclusive."""
    r = get_restriction(session, scope, rid)
    if body.end_day < r.start_day:
        raise InputError(
            [
                msg(
                    "end_day: %(end)s is before the start %(start)s",
                    end=body.end_day,
                    start=r.start_day,
                )
            ]
        )
    before = restriction_values(r)
    r.end_day = body.end_day
    r.ended_by = scope.actor
    r.end_reason = body.reason
    _audit_update(session, scope, r, before, body.reason)
    return r


def open_restrictions(
    session: Session, scope: EnterpriseScope, employee_nos: Sequence[str]
) -> list[Restriction]:
    """The isolations and quarantines of these workers that have no end day yet."""
    out: list[Restriction] = []
    keys = sorted(set(employee_nos))
    for i in range(0, len(keys), 500):
        out += session.scalars(
            select(Restriction).where(
                Restriction.enterprise_id == scope.enterprise_id,
                Restriction.employee_no.in_(keys[i : i + 500]),
                Restriction.end_day.is_(None),
            )
        )
    return out


def record_negative_tests(
    session: Session, scope: EnterpriseScope, tests: Sequence[tuple[str, dt.date, str]]
) -> int:
    """Count negative individual tests ``(worker, day taken, sample id)`` against open
    restrictions ending on negative tests; end those that reach their number (the
    worker is away up to the day before the result, ``day``). Returns how many ended."""
    by_worker: dict[str, list[tuple[dt.date, str]]] = {}
    for no, day, sid in tests:
        by_worker.setdefault(no, []).append((day, sid))
    ended = 0
    for r in open_restrictions(session, scope, list(by_worker)):
        how, n = parse_end_rule(r.end_rule)
        if how != "negative-tests":
            continue
        counted = [t for t in by_worker[r.employee_no] if t[0] >= r.start_day]
        if not counted:
            continue
        before = restriction_values(r)
        r.negative_tests += len(counted)
        if r.negative_tests >= n:
            last = max(t[0] for t in counted)
            r.end_day = max(r.start_day, last)
            r.ended_by = scope.actor
            r.end_reason = f"{r.negative_tests} negative test(s), last {counted[-1][1]}"
            ended += 1
        _audit_update(session, scope, r, before)
    return ended


def _audit_update(
    session: Session,
    scope: EnterpriseScope,
    r: Restriction,
    before: dict[str, Any],
    reason: str | None = None,
) -> None:
    audit.log(
        session,
        scope,
        "update",
        "restrictions",
        str(r.id),
        before=before,
        after=restriction_values(r),
        reason=reason,
    )
