"""Flow: a purchase shipment moves on, and its delivery writes a stock receipt.

Above ``logistics.purchases`` and ``materials.service`` (the ledger); both writes are in
the caller's transaction, so a receipt the ledger refuses leaves the shipment unmoved.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from keepline.logistics import purchases
from keepline.logistics.models import PurchaseShipment
from keepline.logistics.schemas import StatusChange
from keepline.materials import service as materials
from keepline.materials.models import MovementKind
from keepline.materials.schemas import MovementIn
from keepline.scope import EnterpriseScope


def advance_purchase(
    session: Session, scope: EnterpriseScope, sid: str, change: StatusChange
) -> PurchaseShipment:
    """Move a purchase shipment on: dispatched, held at a checkpoint, delivered.

    Delivery appends a receipt to the stock ledger (same transaction)."""
    move = purchases.move(session, scope, sid, change)
    if move.received is not None:
        row = move.row
        materials.record_movement(
            session,
            scope,
            MovementIn(
                material_id=row.material_id,
                kind=MovementKind.receipt,
                day=change.day,
                qty=row.qty,
                unit=move.received.unit,
                reason=f"purchase shipment {row.id} from {row.supplier_id}",
                ref=row.id,
            ),
        )
    return purchases.save_move(session, scope, move)
