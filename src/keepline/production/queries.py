"""The list queries of production: one ``select`` per list, scoped to the caller's
enterprise, with the columns a list may be sorted by (the routers page them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from keepline.db import columns
from keepline.production.models import OutputRecord, StoredPlan
from keepline.scope import EnterpriseScope

OUTPUT_SORTS = columns(OutputRecord, "day", "id", "line_id")
PLAN_SORTS = columns(StoredPlan, "id", "as_of")


def output(
    scope: EnterpriseScope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    line_id: str | None = None,
) -> Select[OutputRecord]:
    q = select(OutputRecord).where(OutputRecord.enterprise_id == scope.enterprise_id)
    if start:
        q = q.where(OutputRecord.day >= start)
    if end:
        q = q.where(OutputRecord.day <= end)
    if line_id:
        q = q.where(OutputRecord.line_id == line_id)
    return q


def plans(scope: EnterpriseScope) -> Select[StoredPlan]:
    return select(StoredPlan).where(StoredPlan.enterprise_id == scope.enterprise_id)
