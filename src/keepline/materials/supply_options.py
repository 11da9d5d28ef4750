"""Flow: each material's supply options today, as the reorder engine sees them — the plant
file's options with logistics' current transit days, supplier and region lockdowns, and
which backups are already in use (a purchase has been placed with them).

Above ``logistics`` (status, lanes, purchases); used by ``materials.outlook``."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.logistics import lanes, purchases, status
from keepline.logistics.models import NodeState
from keepline.materials.reorder import Option
from keepline.plant import models as pm
from keepline.scope import EnterpriseScope


def supply_options_on(
    session: Session, scope: EnterpriseScope, as_of: dt.date, horizon: int
) -> dict[str, list[Option]]:
    """Each material's options today: current transit days, lockdowns, activation."""
    transit = lanes.transit_by_region(session, scope, as_of)
    locked = status.locked_windows(session, scope, as_of, horizon)
    states = status.supplier_states(session, scope, as_of)
    sups = {s.id: s for s in status.suppliers(session, scope)}
    used = purchases.ordered_pairs(session, scope)
    out: dict[str, list[Option]] = defaultdict(list)
    for o in session.scalars(
        select(pm.SupplyOption)
        .where(pm.SupplyOption.enterprise_id == scope.enterprise_id)
        .order_by(pm.SupplyOption.material_id, pm.SupplyOption.position)
    ):
        sup = sups[o.supplier_id]
        blocked = locked[sup.id]
        st = states[sup.id]
        note = ""
        if st.state != NodeState.normal:
            until = f" until {st.until.isoformat()}" if st.until else " until further notice"
            note = f"{st.source} {st.state.value}{until}"
        elif blocked.any():
            first = as_of + dt.timedelta(days=int(np.flatnonzero(blocked)[0]))
            note = f"locked down from {first.isoformat()}"
        out[o.material_id].append(
            Option(
                supplier=o.supplier_id,
                priority=o.priority,
                lead_time_days=o.lead_time_days,
                transit_days=transit.get(sup.region_code, 0),
                min_order=o.min_order,
                capacity_per_day=o.capacity_per_day if o.capacity_per_day > 0 else math.inf,
                activation_days=o.activation_days,
                active=o.priority == 1
                or o.activation_days == 0
                or (o.material_id, o.supplier_id) in used,
                dispatch_blocked=blocked,
                status_note=note,
            )
        )
    return dict(out)
