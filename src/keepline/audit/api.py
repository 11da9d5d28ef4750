"""Route: the enterprise's audit log, for its admins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, list_page
from keepline.audit import queries
from keepline.audit.auth import AuditReader
from keepline.audit.schemas import AuditOut

router = APIRouter(tags=["audit"], route_class=Route)


@router.get("/audit", response_model=Page[AuditOut])
def list_audit(
    session: DB,
    scope: AuditReader,
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
    q = queries.entries(
        scope,
        table=table,
        actor=actor,
        action=action,
        key=key,
        since=since,
    )
    return list_page(session, q, paging, queries.SORTS, "-id", AuditOut)
