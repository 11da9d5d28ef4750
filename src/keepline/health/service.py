"""Daily declarations: check, store (one per worker per day), flag, clear.

A declaration with fever (≥ 37.3 °C, the threshold of China's COVID-19 prevention and
control protocol for workplaces), any symptom, a yellow or red health code, or travel
to a risk area marks the worker not cleared; only a health officer clears them, with a
reason. A close contact is recorded but handled by quarantine, not by this flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from keepline import clock, db
from keepline.audit import service as audit
from keepline.errors import InputError, NotFound, msg, quote
from keepline.health.models import Clearance, Declaration, Flag, HealthCode
from keepline.health.schemas import ClearIn, DeclarationIn
from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from keepline.tabular import RowProblem, RowsError

FEVER_C = 37.3
CHUNK = 2000
EARLIEST = dt.date(2000, 1, 1)
DECLARATION_FIELDS = ("temperature_c", "symptoms", "health_code", "risk_travel", "close_contact")


def flags_of(d: DeclarationIn) -> list[str]:
    """Why a declaration stops the worker (empty: it does not)."""
    out = []
    if d.temperature_c >= FEVER_C:
        out.append(Flag.fever.value)
    if d.symptoms:
        out.append(Flag.symptoms.value)
    if d.health_code is not HealthCode.green:
        out.append(Flag.health_code.value)
    if d.risk_travel:
        out.append(Flag.risk_travel.value)
    return out


def _values(d: DeclarationIn) -> dict[str, Any]:
    return dict(
        temperature_c=float(d.temperature_c),
        symptoms=[s.value for s in d.symptoms],
        health_code=d.health_code.value,
        risk_travel=d.risk_travel,
        close_contact=d.close_contact,
    )


def declaration_values(row: Declaration) -> dict[str, Any]:
    return {k: getattr(row, k) for k in DECLARATION_FIELDS}


def _upsert_audited(
    session: Session,
    scope: EnterpriseScope,
    model: type[Declaration] | type[Clearance],
    index: list[str],
    update: list[str],
    rows: list[dict[str, Any]],
    changes: list[audit.Change],
    reason: str | None = None,
) -> None:
    """Insert ``rows`` of ``model``, updating ``update`` where the ``index`` key exists,
    ``CHUNK`` rows a statement; ``changes`` (one per row) go to the audit log with them."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=index, set_={c: getattr(stmt.excluded, c) for c in update}
    )
    for i in range(0, len(rows), CHUNK):
        session.execute(stmt, rows[i : i + CHUNK])
        audit.record_many(
            session,
            enterprise_id=scope.enterprise_id,
            actor=scope.actor,
            table=model.__tablename__,
            changes=changes[i : i + CHUNK],
            reason=reason,
        )


@dataclass
class SaveReport:
    received: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    flagged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)


def check_declarations(
    session: Session,
    scope: EnterpriseScope,
    items: Sequence[tuple[int, DeclarationIn]],
    today: dt.date | None = None,
) -> tuple[list[DeclarationIn], list[RowProblem]]:
    """Split ``(row, declaration)`` pairs into good ones and problems: an unknown worker,
    a day in the future, the same worker and day twice."""
    today = today or clock.today()
    q = select(Worker.employee_no).where(Worker.enterprise_id == scope.enterprise_id)
    nos = {d.employee_no for _, d in items}
    if len(nos) <= 500:  # a few workers (one declaration): look them up, not the roster
        q = q.where(Worker.employee_no.in_(sorted(nos)))
    known = set(session.scalars(q))
    seen: dict[tuple[str, dt.date], int] = {}
    good: list[DeclarationIn] = []
    problems: list[RowProblem] = []
    for row, d in items:
        bad = False
        if d.employee_no not in known:
            why = msg("unknown worker %(no)s", no=quote(d.employee_no))
            problems.append(RowProblem(row, "employee_no", why))
            bad = True
        if d.day > today:
            why = msg("%(day)s is in the future (today is %(today)s)", day=d.day, today=today)
            problems.append(RowProblem(row, "day", why))
            bad = True
        elif d.day < EARLIEST:
            why = msg("%(day)s is before %(earliest)s", day=d.day, earliest=EARLIEST)
            problems.append(RowProblem(row, "day", why))
            bad = True
        key = (d.employee_no, d.day)
        if key in seen:
            problems.append(
                RowProblem(
                    row,
                    "employee_no",
                    msg(
                        "%(no)s on %(day)s is also on row %(row)s",
                        no=quote(d.employee_no),
                        day=d.day,
                        row=seen[key],
                    ),
                )
            )
            bad = True
        else:
            seen[key] = row
        if not bad:
            good.append(d)
    return good, problems


def save_declarations(
    session: Session,
    scope: EnterpriseScope,
    items: Sequence[tuple[int, DeclarationIn]],
    *,
    source: str = "request",
    valid_rows_only: bool = False,
    today: dt.date | None = None,
    problems: Sequence[RowProblem] = (),
) -> SaveReport:
    """Store declarations (``(row, declaration)`` pairs) in bulk, in the caller's transaction.

    Rows that fail :func:`check_declarations` (or come with ``problems`` found while
    reading a file) are rejected: with any, nothing is written unless ``valid_rows_only``.
    A declaration equal to the stored one changes nothing; a different one replaces it.
    """
    good, found = check_declarations(session, scope, items, today)
    report = SaveReport(received=len(items) + len({p.row for p in problems}))
    report.rejected = sorted([*problems, *found], key=lambda p: p.row)
    if report.rejected and not valid_rows_only:
        raise RowsError(source, report.rejected)
    if not good:
        return report

    enterprise_id = scope.enterprise_id
    days = sorted({d.day for d in good})
    nos = sorted({d.employee_no for d in good})
    existing: dict[tuple[str, dt.date], dict[str, Any]] = {}
    for i in range(0, len(days), 500):
        q = select(Declaration).where(
            Declaration.enterprise_id == enterprise_id, Declaration.day.in_(days[i : i + 500])
        )
        if len(nos) <= 500:  # a few workers (one declaration): theirs, not the whole day's
            q = q.where(Declaration.employee_no.in_(nos))
        for r in session.scalars(q):
            existing[(r.employee_no, r.day)] = declaration_values(r)
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    changes: list[audit.Change] = []
    newly_flagged: dict[str, tuple[dt.date, list[str]]] = {}
    for d in good:
        values = _values(d)
        flags = flags_of(d)
        old = existing.get((d.employee_no, d.day))
        if old is not None and old == values:
            report.unchanged += 1
            continue
        rows.append(
            dict(
                enterprise_id=enterprise_id,
                employee_no=d.employee_no,
                day=d.day,
                flags=flags,
                flagged=bool(flags),
                declared_at=now,
                **values,
            )
        )
        key = f"{d.employee_no}/{d.day.isoformat()}"
        if old is None:
            report.inserted += 1
            changes.append(audit.Change("insert", key, None, values))
        else:
            report.replaced += 1
            changes.append(audit.Change("update", key, old, values))
        if flags:
            report.flagged += 1
            prev = newly_flagged.get(d.employee_no)
            if prev is None or d.day >= prev[0]:
                newly_flagged[d.employee_no] = (d.day, flags)
    _upsert_audited(
        session,
        scope,
        Declaration,
        ["enterprise_id", "employee_no", "day"],
        [*DECLARATION_FIELDS, "flags", "flagged", "declared_at"],
        rows,
        changes,
    )
    _flag_workers(session, scope, newly_flagged)
    db.analyze_after_bulk(session, len(rows), "declarations")
    db.analyze_after_bulk(session, len(newly_flagged), "clearances")
    return report


def _flag_workers(
    session: Session, scope: EnterpriseScope, flagged: dict[str, tuple[dt.date, list[str]]]
) -> None:
    """Mark workers not cleared (bulk); audited as changes to their clearance."""
    if not flagged:
        return
    enterprise_id = scope.enterprise_id
    current = {
        c.employee_no: c
        for c in session.scalars(select(Clearance).where(Clearance.enterprise_id == enterprise_id))
    }
    rows: list[dict[str, Any]] = []
    changes: list[audit.Change] = []
    for no, (day, flags) in flagged.items():
        c = current.get(no)
        before = clearance_values(c) if c is not None else None
        if c is not None and not c.cleared and c.flagged_on is not None and c.flagged_on > day:
            continue  # an older declaration does not move the flag date back
        after = dict(
            cleared=False,
            flags=flags,
            flagged_on=day,
            cleared_by=None,
            cleared_at=None,
            reason=None,
        )
        if before == after:
            continue
        rows.append(dict(enterprise_id=enterprise_id, employee_no=no, **after))
        changes.append(audit.Change("update" if before else "insert", no, before, after))
    if not rows:
        return
    _upsert_audited(
        session,
        scope,
        Clearance,
        ["enterprise_id", "employee_no"],
        ["cleared", "flags", "flagged_on", "cleared_by", "cleared_at", "reason"],
        rows,
        changes,
        reason="health declaration flagged",
    )


def clearance_values(c: Clearance) -> dict[str, Any]:
    return dict(
        cleared=c.cleared,
        flags=list(c.flags),
        flagged_on=c.flagged_on,
        cleared_by=c.cleared_by,
        cleared_at=c.cleared_at,
        reason=c.reason,
    )


def get_declaration(
    session: Session, scope: EnterpriseScope, employee_no: str, day: dt.date
) -> Declaration:
    d = session.get(Declaration, (scope.enterprise_id, employee_no, day))
    if d is None:
        raise NotFound(
            msg("no declaration by %(no)s for %(day)s", no=quote(employee_no), day=day),
            field="employee_no",
        )
    return d


def clear_worker(
    session: Session, scope: EnterpriseScope, employee_no: str, body: ClearIn
) -> Clearance:
    """A health officer lets a flagged worker work again, saying why."""
    enterprise_id, actor, reason = scope.enterprise_id, scope.actor, body.reason
    if session.get(Worker, (enterprise_id, employee_no)) is None:
        raise NotFound(msg("no worker %(no)s", no=quote(employee_no)), field="employee_no")
    c = session.get(Clearance, (enterprise_id, employee_no))
    if c is None or c.cleared:
        raise InputError(
            [
                msg(
                    "employee_no: worker %(no)s is not flagged; nothing to clear",
                    no=quote(employee_no),
                )
            ]
        )
    before = clearance_values(c)
    c.cleared = True
    c.cleared_by = actor
    c.cleared_at = dt.datetime.now(dt.UTC)
    c.reason = reason
    audit.log(
        session,
        scope,
        "update",
        "clearances",
        employee_no,
        before=before,
        after=clearance_values(c),
        reason=reason,
    )
    session.flush()
    return c
