"""The list queries of materials: one ``select`` per list, scoped to the caller's
enterprise, with the columns a list may be sorted by (the routers page them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from keepline.db import columns
from keepline.materials.models import PreventionPolicy, StockMovement
from keepline.plant import models as pm
from keepline.scope import EnterpriseScope

MATERIAL_SORTS = columns(pm.Material, "id", "name", "kind")
MOVEMENT_SORTS = columns(StockMovement, "day", "id", "kind")
POLICY_SORTS = columns(PreventionPolicy, "effective_from", "id")


def materials(scope: EnterpriseScope, kind: str | None = None) -> Select[pm.Material]:
    q = select(pm.Material).where(pm.Material.enterprise_id == scope.enterprise_id)
    if kind:
        q = q.where(pm.Material.kind == kind)
    return q


def movements(
    scope: EnterpriseScope,
    material_id: str | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Select[StockMovement]:
    """The ledger's movements (of one material, or of every one when ``material_id`` is
    ``None``)."""
    q = select(StockMovement).where(StockMovement.enterprise_id == scope.enterprise_id)
    if material_id is not None:
        q = q.where(StockMovement.material_id == material_id)
    if start:
        q = q.where(StockMovement.day >= start)
    if end:
        q = q.where(StockMovement.day <= end)
    return q


def policies(scope: EnterpriseScope) -> Select[PreventionPolicy]:
    return select(PreventionPolicy).where(PreventionPolicy.enterprise_id == scope.enterprise_id)
