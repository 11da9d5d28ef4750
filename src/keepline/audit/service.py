"""Write and read the audit log. Every write in keepline goes through :func:`record`
(one change) or :func:`record_many` (a bulk write, inserted in one statement).

The writes take the enterprise (or jurisdiction) and actor of the record as keywords:
every capability's service calls them with its scope's; reads take the scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    delete,
    event,
    func,
    insert,
    null,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit.models import AuditEntry, EnterpriseVersion
from keepline.scope import EnterpriseScope, Scope

# Rows named in one audit entry of a bulk write (record_rows): an entry stays a few
# tens of kB, and a gate device's hour of events is a handful of entries, not thousands.
ROWS_PER_ENTRY = 1000
_DELETE_CHUNK = 500


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: _plain(v) for k, v in values.items()}


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
        at=clock.now(),
        actor=actor,
        action=action,
        table_name=table,
        record_key=key,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    session.add(entry)
    _changed(session, enterprise_id)
    return entry


CHANGED = "keepline_changed_enterprises"


def _changed(session: Session, enterprise_id: str | None) -> None:
    """Note that this transaction changes ``enterprise_id``'s record: its version is
    raised when the transaction commits."""
    if enterprise_id is not None:
        session.info.setdefault(CHANGED, set()).add(enterprise_id)


@event.listens_for(Session, "before_commit")
def _raise_versions(session: Session) -> None:
    """Raise the version of each enterprise this transaction changed, as its last
    statements: in the same commit as the changes (a reader that sees the new version
    sees them), and the row lock held only while committing."""
    changed = session.info.pop(CHANGED, None)
    if not changed:
        return
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    for eid in sorted(changed):
        stmt = make(EnterpriseVersion).values(enterprise_id=eid, version=1)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["enterprise_id"],
                set_={"version": EnterpriseVersion.version + 1},
            )
        )


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(CHANGED, None)


def version(session: Session, scope: EnterpriseScope) -> int:
    """The enterprise's version (see ``EnterpriseVersion``): read it *before* what it
    keys, so what is read is at least as new."""
    stmt = select(EnterpriseVersion.version).where(
        EnterpriseVersion.enterprise_id == scope.enterprise_id
    )
    return session.scalar(stmt) or 0


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
    _changed(session, enterprise_id)
    at = clock.now()
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


def record_rows(
    session: Session,
    *,
    enterprise_id: str | None,
    actor: str,
    action: str,
    table: str,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    reason: str | None = None,
) -> int:
    """Audit a bulk write compactly but recoverably: one entry per ``ROWS_PER_ENTRY``
    rows, its ``after`` (``before`` for a delete) ``{"columns": [...], "rows": [[...]]}``
    naming every row written. ``key`` names the batch (its source); returns the entries."""
    entries = 0
    for i in range(0, len(rows), ROWS_PER_ENTRY):
        chunk = {
            "columns": list(columns),
            "rows": [[_plain(v) for v in r] for r in rows[i : i + ROWS_PER_ENTRY]],
        }
        record(
            session,
            enterprise_id=enterprise_id,
            actor=actor,
            action=action,
            table=table,
            key=key[:300],
            before=chunk if action == "delete" else None,
            after=None if action == "delete" else chunk,
            reason=reason,
        )
        entries += 1
    return entries


def delete_rows(
    session: Session,
    model: type[Any],
    where: Sequence[ColumnElement[bool]],
    *,
    enterprise_id: str,
    actor: str,
    key: Callable[[Row[Any]], str],
    values: Callable[[Row[Any]], dict[str, Any]] | None = None,
    reason: str | None = None,
    compact: Sequence[str] | None = None,
    redact: bool = False,
) -> int:
    """Delete the rows of ``model`` matching ``where`` (which must name the enterprise),
    each one audited: one delete entry a row keyed by ``key(row)`` with ``values(row)``
    as its ``before`` (``None``: the key alone, for a purge that must not keep what it
    deletes), or, with ``compact`` (columns), :func:`record_rows` entries naming those
    columns of every row. Rows are deleted by primary key, so exactly the rows audited
    go. ``redact``: the earlier entries of the deleted records lose their values too
    (:func:`redact_values`). Returns the number deleted."""
    table = model.__table__
    rows = session.execute(select(*table.c).where(*where)).all()
    if not rows:
        return 0
    if compact is not None:
        record_rows(
            session,
            enterprise_id=enterprise_id,
            actor=actor,
            action="delete",
            table=table.name,
            key=f"{len(rows)} rows",
            columns=compact,
            rows=[[getattr(r, c) for c in compact] for r in rows],
            reason=reason,
        )
    else:
        record_many(
            session,
            enterprise_id=enterprise_id,
            actor=actor,
            table=table.name,
            changes=[Change("delete", key(r), values(r) if values else None, None) for r in rows],
            reason=reason,
        )
    pk = list(table.primary_key.columns)
    ids = [tuple(getattr(r, c.name) for c in pk) for r in rows]
    for i in range(0, len(ids), _DELETE_CHUNK):
        chunk = ids[i : i + _DELETE_CHUNK]
        cond = pk[0].in_([k[0] for k in chunk]) if len(pk) == 1 else tuple_(*pk).in_(chunk)
        session.execute(delete(table).where(cond))
    if redact and compact is None:
        redact_values(
            session,
            enterprise_id=enterprise_id,
            actor=actor,
            table=table.name,
            keys=sorted({key(r) for r in rows}),
            reason=reason,
        )
    return len(rows)


def redact_values(
    session: Session,
    *,
    enterprise_id: str,
    actor: str,
    table: str,
    keys: Sequence[str] | None = None,
    before: dt.datetime | None = None,
    reason: str | None = None,
) -> int:
    """Remove the values (``before``, ``after``) from the entries of ``table`` about the
    records ``keys`` (or, for entries naming many records, written before ``before``):
    a purge must not leave the health data it deleted in the log. Who did what to which
    record, and when, stays; the redaction itself is one entry. Returns the entries."""
    base = [
        AuditEntry.enterprise_id == enterprise_id,
        AuditEntry.table_name == table,
        or_(AuditEntry.before.is_not(None), AuditEntry.after.is_not(None)),
    ]
    conds: list[list[ColumnElement[bool]]] = []
    if keys is not None:
        conds = [
            # the purge's own delete entries carry no values
            [
                *base,
                AuditEntry.action != "delete",
                AuditEntry.record_key.in_(keys[i : i + _DELETE_CHUNK]),
            ]
            for i in range(0, len(keys), _DELETE_CHUNK)
        ]
    elif before is not None:
        conds = [[*base, AuditEntry.at < before]]
    n = 0
    for c in conds:
        ids = list(session.scalars(select(AuditEntry.id).where(*c)))
        if ids:
            session.execute(
                update(AuditEntry).where(AuditEntry.id.in_(ids)).values(before=null(), after=null())
            )
            n += len(ids)
    if n:
        record(
            session,
            enterprise_id=enterprise_id,
            actor=actor,
            action="redact",
            table="audit_log",
            key=table,
            after={"entries": n},
            reason=reason,
        )
    return n
