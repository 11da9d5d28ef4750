"""Route: the enterprise's audit log, for its admins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from keepline.apikit.auth import Admin
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of
from keepline.audit import service
from keepline.audit.models import AuditEntry
from keepline.audit.schemas import AuditOut

router = APIRouter(tags=["audit"], route_class=Route)
SORTS = {"id": AuditEntry.id, "at": AuditEntry.at, "table_name": AuditEntry.table_name}


@router.get("/audit", response_model=Page[AuditOut])
def list_audit(
    session: DB,
    caller: Admin,
    paging: Paging,
    table: Annotated[str | None, Query(max_length=64, description="e.g. workers")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="e.g. user:a@b.cn")] = None,
    action: Annotated[
        str | None, Query(max_length=20, description="insert, update, delete")
    ] = None,
    key: Annotated[str | None, Query(max_length=300, description="The record's key.")] = None,
    since: dt.datetime | None = None,
) -> Response:
    """Who changed which record, when, from what to what; newest first by default
    (sort by id, at or table_name)."""
    q = service.query(
        caller.enterprise_id,  # type: ignore[arg-type]
        table=table,
        actor=actor,
        action=action,
        key=key,
        since=since,
    )
    rows, total = fetch_page(session, q, paging, SORTS, "-id")
    return page_of([AuditOut.model_validate(r) for r in rows], total, paging)
