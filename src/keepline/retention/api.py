"""Routes: the enterprise's retention rule, the purge's dry run and the purge (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from keepline.apikit.deps import DB, Route
from keepline.retention import policy, purge
from keepline.retention.auth import RetentionAdmin
from keepline.retention.schemas import PurgeOut, RetentionIn, RetentionOut

router = APIRouter(tags=["retention"], route_class=Route)


@router.get("/retention", response_model=RetentionOut)
def get_rule(session: DB, scope: RetentionAdmin) -> RetentionOut:
    """Days each kind of health record is kept (keepline's defaults until one is set)."""
    return policy.current(session, scope)


@router.put("/retention", response_model=RetentionOut)
def set_rule(body: RetentionIn, session: DB, scope: RetentionAdmin) -> RetentionOut:
    """Set the days kept (at least 14); what is not given keeps its value. Audited."""
    return policy.set_policy(session, scope, body)


@router.get("/retention/preview", response_model=PurgeOut)
def preview(session: DB, scope: RetentionAdmin) -> PurgeOut:
    """What the purge would delete today: rows per table, the cut-off days, and what
    holds records back (open cases, running isolations, daily reports due). Changes
    nothing."""
    return purge.purge(session, scope, dry_run=True)


@router.post("/retention/run", response_model=PurgeOut)
def run(session: DB, scope: RetentionAdmin) -> PurgeOut:
    """Delete what the rule no longer keeps, each row audited (it also runs daily)."""
    return purge.purge(session, scope)
