"""What logistics' records share: the status a shipment may move to, the checkpoint of a
held one, and the audit entries of an insert and of a change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import msg
from keepline.logistics.models import CustomerShipment, PurchaseShipment, ShipmentStatus
from keepline.recordkit import bad, now
from keepline.scope import EnterpriseScope

ALLOWED = {
    ShipmentStatus.planned: {ShipmentStatus.dispatched, ShipmentStatus.delivered},
    ShipmentStatus.dispatched: {ShipmentStatus.held, ShipmentStatus.delivered},
    ShipmentStatus.held: {ShipmentStatus.dispatched, ShipmentStatus.delivered},
    ShipmentStatus.delivered: set(),
}


def check_transition(current: str, new: ShipmentStatus) -> None:
    cur = ShipmentStatus(current)
    if new not in ALLOWED[cur]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[cur])) or "nothing (delivered)"
        raise bad(
            "status",
            msg(
                "a %(current)s shipment can become %(allowed)s, not %(new)s",
                current=cur.value,
                allowed=allowed,
                new=new.value,
            ),
        )


def set_checkpoint(
    row: PurchaseShipment | CustomerShipment, status: ShipmentStatus, checkpoint: str | None
) -> None:
    """A held shipment says where it is held; dispatching it again clears the place."""
    if status == ShipmentStatus.held:
        if not (checkpoint or "").strip():
            raise bad("checkpoint", msg("say where the shipment is held"))
        row.checkpoint = (checkpoint or "").strip()
    elif status == ShipmentStatus.dispatched:
        row.checkpoint = None


def audit_insert(session: Session, scope: EnterpriseScope, row: Any, table: str) -> None:
    """Insert ``row`` and audit it (keyed by its id, with its values after the flush)."""
    audit.add(session, scope, row, table)


def save_status(
    session: Session,
    scope: EnterpriseScope,
    row: PurchaseShipment | CustomerShipment,
    status: ShipmentStatus,
    before: dict[str, Any],
    table: str,
) -> None:
    """Give a checked shipment its new status and record the change (audited)."""
    row.status = status.value
    row.updated_at = now()
    session.flush()
    audit.log(session, scope, "update", table, row.id, before=before, after=row.values())
