"""Flow: record a line's output and, with ``backflush``, issue its bill of materials from
stock — every issue checked by the ledger; in the caller's transaction, so nothing is
written (not even the output) if any issue would leave a material's stock negative.

Above ``production.service`` (output) and ``materials.service`` (the ledger)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from keepline.materials import service as materials
from keepline.materials.models import MovementKind
from keepline.materials.schemas import MovementIn
from keepline.production import service as production
from keepline.production.models import OutputRecord
from keepline.production.schemas import OutputIn
from keepline.scope import EnterpriseScope


def record_output(session: Session, scope: EnterpriseScope, o: OutputIn) -> OutputRecord:
    """Record what a line made on a day; with ``o.backflush``, issue its materials too."""
    row = production.record_output(session, scope, o)
    if o.backflush:
        for item in production.bill_of_materials(session, scope, o.product_id):
            mat = materials.material(session, scope, item.material_id)
            materials.record_movement(
                session,
                scope,
                MovementIn(
                    material_id=mat.id,
                    kind=MovementKind.issue,
                    day=o.day,
                    qty=item.qty_per_unit * o.qty,
                    unit=mat.unit,
                    reason=f"backflush: {o.qty:g} {o.product_id} on {o.line_id}",
                    ref=f"output:{row.id}",
                ),
            )
    return row
