"""Lanes into the plant: their transit days over dates (checkpoints, detours).

Functions take ``(session, scope)``; every query is scoped to ``scope.enterprise_id``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.errors import NotFound, msg
from keepline.logistics.models import LaneTransit
from keepline.logistics.schemas import LaneTransitIn
from keepline.logistics.status import add_dated, covers
from keepline.plant import models as pm
from keepline.plant.service import in_file_order
from keepline.recordkit import bad, enterprise, plant_row
from keepline.scope import EnterpriseScope


def get_lane(session: Session, scope: EnterpriseScope, lane_id: str) -> pm.Lane:
    """The lane ``lane_id`` named in a path (404 when the enterprise has none)."""
    lane = session.get(pm.Lane, (scope.enterprise_id, lane_id))
    if lane is None:
        raise NotFound(f"no lane '{lane_id}'", field="lane_id")
    return lane


def set_lane_transit(
    session: Session, scope: EnterpriseScope, lane_id: str, t: LaneTransitIn
) -> LaneTransit:
    eid = scope.enterprise_id
    enterprise(session, eid)
    plant_row(session, pm.Lane, eid, lane_id, "lane_id", "lane")
    if t.transit_days < 0 or t.transit_days > 365:
        raise bad("transit_days", msg("expected 0 to 365 days, got %(days)s", days=t.transit_days))
    return add_dated(session, scope, LaneTransit, t, lane_id=lane_id, transit_days=t.transit_days)


@dataclass(frozen=True)
class LaneNow:
    lane_id: str
    from_region: str
    planned_transit_days: int
    transit_days: int
    note: str


def lanes_on(session: Session, scope: EnterpriseScope, day: dt.date) -> list[LaneNow]:
    eid = scope.enterprise_id
    rows = list(session.scalars(select(LaneTransit).where(LaneTransit.enterprise_id == eid)))
    out = []
    for ln in in_file_order(session, pm.Lane, eid):
        hits = [r for r in rows if r.lane_id == ln.id and covers(r, day)]
        cur = max(hits, key=lambda r: r.id) if hits else None
        out.append(
            LaneNow(
                ln.id,
                ln.from_region,
                ln.transit_days,
                cur.transit_days if cur else ln.transit_days,
                cur.note if cur else "",
            )
        )
    return out


def transit_by_region(session: Session, scope: EnterpriseScope, day: dt.date) -> dict[str, int]:
    return {ln.from_region: ln.transit_days for ln in lanes_on(session, scope, day)}


def transits_by_region(session: Session, scope: EnterpriseScope) -> list[tuple[str, LaneTransit]]:
    """Every recorded transit entry of a lane the plant still has, with the lane's origin
    region, in the order recorded."""
    eid = scope.enterprise_id
    region = {
        ln.id: ln.from_region
        for ln in session.scalars(select(pm.Lane).where(pm.Lane.enterprise_id == eid))
    }
    rows = session.scalars(
        select(LaneTransit).where(LaneTransit.enterprise_id == eid).order_by(LaneTransit.id)
    )
    return [(region[lt.lane_id], lt) for lt in rows if lt.lane_id in region]
