"""List queries over the audit log: the caller orders and pages them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select

from keepline.audit.models import AuditEntry
from keepline.db import columns
from keepline.scope import EnterpriseScope

SORTS = columns(AuditEntry, "id", "at", "table_name")


def entries(
    scope: EnterpriseScope,
    *,
    table: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    key: str | None = None,
    since: dt.datetime | None = None,
) -> Select[Any]:
    """The enterprise's audit entries, filtered."""
    q = select(AuditEntry).where(AuditEntry.enterprise_id == scope.enterprise_id)
    if table:
        q = q.where(AuditEntry.table_name == table)
    if actor:
        q = q.where(AuditEntry.actor == actor)
    if action:
        q = q.where(AuditEntry.action == action)
    if key:
        q = q.where(AuditEntry.record_key == key)
    if since:
        q = q.where(AuditEntry.at >= since)
    return q
