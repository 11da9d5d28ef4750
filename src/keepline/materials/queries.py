"""The list queries of materials: one ``select`` per list, scoped to the caller's
enterprise, with the columns a list may be sorted by (the routers page them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select

from keepline.materials.models import PreventionPolicy, StockMovement
from keepline.plant import models as pm
from keepline.scope import EnterpriseScope

MATERIAL_SORTS: dict[str, Any] = {
    "id": pm.Material.id,
    "name": pm.Material.name,
    "kind": pm.Material.kind,
}
MOVEMENT_SORTS: dict[str, Any] = {
    "day": StockMovement.day,
    "id": StockMovement.id,
    "kind": StockMovement.kind,
}
POLICY_SORTS: dict[str, Any] = {
    "effective_from": PreventionPolicy.effective_from,
    "id": PreventionPolicy.id,
}


def materials(scope: EnterpriseScope, kind: str | None = None) -> Select[pm.Material]:
    q = select(pm.Material).where(pm.Material.enterprise_id == scope.enterprise_id)
    if kind:
        q = q.where(pm.Material.kind == kind)
    return q


def movements(
    scope: EnterpriseScope,
    material_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Select[StockMovement]:
    q = select(StockMovement).where(
        StockMovement.enterprise_id == scope.enterprise_id,
        StockMovement.material_id == material_id,
    )
    if start:
        q = q.where(StockMovement.day >= start)
    if end:
        q = q.where(StockMovement.day <= end)
    return q


def policies(scope: EnterpriseScope) -> Select[PreventionPolicy]:
    return select(PreventionPolicy).where(PreventionPolicy.enterprise_id == scope.enterprise_id)
