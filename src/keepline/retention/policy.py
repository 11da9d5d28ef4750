"""The enterprise's retention rule: read it (defaults when none is set), set it (audited)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.retention.models import DEFAULT_DAYS, RetentionPolicy
from keepline.retention.schemas import RetentionIn, RetentionOut
from keepline.scope import EnterpriseScope


def current(session: Session, scope: EnterpriseScope) -> RetentionOut:
    row = session.get(RetentionPolicy, scope.enterprise_id)
    if row is None:
        return RetentionOut(**DEFAULT_DAYS, default=True)
    return RetentionOut(**{k: getattr(row, k) for k in DEFAULT_DAYS}, default=False)


def set_policy(session: Session, scope: EnterpriseScope, body: RetentionIn) -> RetentionOut:
    """Change the days given; the others keep their current (or default) values."""
    now = current(session, scope)
    values = {k: getattr(now, k) for k in DEFAULT_DAYS}
    values |= body.model_dump(exclude_none=True)
    if not now.default and values == {k: getattr(now, k) for k in DEFAULT_DAYS}:
        return now  # nothing changes: nothing written, nothing audited
    audit.upsert_row(
        session,
        RetentionPolicy,
        scope.enterprise_id,
        {
            "enterprise_id": scope.enterprise_id,
            **values,
            "updated_by": scope.actor,
            "updated_at": clock.now(),
        },
        enterprise_id=scope.enterprise_id,
        actor=scope.actor,
        table="retention_policies",
        audit_key=scope.enterprise_id,
    )
    return current(session, scope)
