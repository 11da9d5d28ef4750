"""Write and read the audit log. Every write in keepline goes through :func:`record`
(one change) or :func:`record_many` (a bulk write, inserted in one statement).

The writes take the enterprise (or jurisdiction) and actor of the record as keywords:
every capability's service calls them with its scope's; reads take the scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.scope import EnterpriseScope, Scope


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    out: dict[str, Any] = {}
    for k, v in values.items():
        out[k] = v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
    return out


def record(
    session: Session,
    *,
    enterprise_id: str | None,
    actor: str,
    action: str,
    table: str,
    key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    jurisdiction: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        enterprise_id=enterprise_id,
        jurisdiction=jurisdiction,
        at=dt.datetime.now(dt.UTC),
        actor=actor,
        action=action,
        table_name=table,
        record_key=key,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    session.add(entry)
    return entry


def _tenant(scope: Scope) -> tuple[str | None, str | None]:
    """The enterprise and the jurisdiction (one of them is None) of ``scope``."""
    if isinstance(scope, EnterpriseScope):
        return scope.enterprise_id, None
    return None, scope.jurisdiction


def log(
    session: Session,
    scope: Scope,
    action: str,
    table: str,
    key: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    jurisdiction: str | None = None,
) -> AuditEntry:
    """:func:`record` one change made under ``scope`` (its tenant and actor).

    ``jurisdiction``: the one the changed record belongs to, when it is not the scope's
    own (a sub-jurisdiction's record, or an enterprise's registration)."""
    enterprise_id, own = _tenant(scope)
    return record(
        session,
        enterprise_id=enterprise_id,
        jurisdiction=jurisdiction or own,
        actor=scope.actor,
        action=action,
        table=table,
        key=key,
        before=before,
        after=after,
        reason=reason,
    )


@dataclass(frozen=True)
class Change:
    """One row's change in a bulk write."""

    action: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def record_many(
    session: Session,
    *,
    enterprise_id: str | None,
    actor: str,
    table: str,
    changes: Sequence[Change],
    reason: str | None = None,
    jurisdiction: str | None = None,
) -> int:
    """Record many changes to one table in one INSERT (bulk imports: thousands of rows)."""
    if not changes:
        return 0
    at = dt.datetime.now(dt.UTC)
    session.execute(
        insert(AuditEntry),
        [
            {
                "enterprise_id": enterprise_id,
                "jurisdiction": jurisdiction,
                "at": at,
                "actor": actor,
                "action": c.action,
                "table_name": table,
                "record_key": c.key,
                "before": _jsonable(c.before),
                "after": _jsonable(c.after),
                "reason": reason,
            }
            for c in changes
        ],
    )
    return len(changes)


def entries(
    session: Session,
    scope: EnterpriseScope | None,
    *,
    limit: int = 100,
    table: str | None = None,
) -> list[AuditEntry]:
    """The newest entries, of the scope's enterprise or (``None``: the shell's view of the
    whole database) of all."""
    q = select(AuditEntry)
    if scope is not None:
        q = q.where(AuditEntry.enterprise_id == scope.enterprise_id)
    if table:
        q = q.where(AuditEntry.table_name == table)
    q = q.order_by(AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(q))


def count(session: Session, scope: EnterpriseScope) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.enterprise_id == scope.enterprise_id)
        )
        or 0
    )


def add_row(
    session: Session,
    row: Any,
    *,
    enterprise_id: str,
    actor: str,
    table: str,
    values: Callable[[Any], dict[str, Any]],
    reason: str | None = None,
) -> Any:
    """Insert ``row`` and audit it as an insert keyed by its id, with ``values(row)`` read
    after the flush (so the id and column defaults are in it)."""
    session.add(row)
    session.flush()
    record(
        session,
        enterprise_id=enterprise_id,
        actor=actor,
        action="insert",
        table=table,
        key=str(row.id),
        after=values(row),
        reason=reason,
    )
    return row


def add(
    session: Session,
    scope: Scope,
    row: Any,
    table: str,
    values: Callable[[Any], dict[str, Any]] | None = None,
    reason: str | None = None,
    jurisdiction: str | None = None,
) -> Any:
    """:func:`add_row` under ``scope`` (``jurisdiction`` as in :func:`log`); ``values``
    defaults to the row's ``values()``."""
    session.add(row)
    session.flush()
    after = values(row) if values is not None else row.values()
    log(
        session,
        scope,
        "insert",
        table,
        str(row.id),
        after=after,
        reason=reason,
        jurisdiction=jurisdiction,
    )
    return row


def upsert_row(
    session: Session,
    model: type[Any],
    key: Any,
    values: dict[str, Any],
    *,
    enterprise_id: str | None,
    jurisdiction: str | None = None,
    actor: str,
    table: str,
    audit_key: str,
) -> Any:
    """Insert the row of ``model`` with primary key ``key``, or update it to ``values``
    (every column), and audit an insert or an update only when a column changed."""
    row = session.get(model, key)
    before = None if row is None else {k: getattr(row, k) for k in values}
    if row is None:
        row = model(**values)
        session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    session.flush()
    after = {k: getattr(row, k) for k in values}
    if before != after:
        record(
            session,
            enterprise_id=enterprise_id,
            jurisdiction=jurisdiction,
            actor=actor,
            action="insert" if before is None else "update",
            table=table,
            key=audit_key,
            before=before,
            after=after,
        )
    return row
