"""Write and read the audit log. Every write in keepline goes through :func:`record`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry


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
    enterprise_id: str,
    actor: str,
    action: str,
    table: str,
    key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        enterprise_id=enterprise_id,
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


def entries(
    session: Session, enterprise_id: str, *, limit: int = 100, table: str | None = None
) -> list[AuditEntry]:
    q = select(AuditEntry).where(AuditEntry.enterprise_id == enterprise_id)
    if table:
        q = q.where(AuditEntry.table_name == table)
    q = q.order_by(AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(q))
