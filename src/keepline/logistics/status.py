"""Supplier and region status over dates, and the at-risk mark it puts on open purchases.

Functions take ``(session, scope)``; every query is scoped to ``scope.enterprise_id``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import msg
from keepline.logistics import queries
from keepline.logistics.models import (
    LaneTransit,
    NodeState,
    NodeStatus,
    PurchaseShipment,
    StatusKind,
)
from keepline.logistics.schemas import LaneTransitIn, StatusIn
from keepline.logistics.shipments import audit_insert
from keepline.plant import models as pm
from keepline.recordkit import bad, dates_in_order, enterprise, now, plant_row
from keepline.scope import EnterpriseScope

D = TypeVar("D", NodeStatus, LaneTransit)

SEVERITY = {NodeState.normal: 0, NodeState.restricted: 1, NodeState.locked_down: 2}


def suppliers(session: Session, scope: EnterpriseScope) -> list[pm.Supplier]:
    return list(
        session.scalars(select(pm.Supplier).where(pm.Supplier.enterprise_id == scope.enterprise_id))
    )


def regions(session: Session, scope: EnterpriseScope) -> set[str]:
    """Region codes the plant knows: its suppliers' and its lanes' origins."""
    eid = scope.enterprise_id
    sup = session.scalars(select(pm.Supplier.region_code).where(pm.Supplier.enterprise_id == eid))
    lanes = session.scalars(select(pm.Lane.from_region).where(pm.Lane.enterprise_id == eid))
    return set(sup) | set(lanes)


def set_status(session: Session, scope: EnterpriseScope, s: StatusIn) -> NodeStatus:
    """Record a supplier's or region's state over dates; re-marks open shipments at risk."""
    eid = scope.enterprise_id
    enterprise(session, eid)
    kind = StatusKind(s.kind)
    state = NodeState(s.state)
    if kind == StatusKind.supplier:
        plant_row(session, pm.Supplier, eid, s.node_id, "node_id", "supplier")
    elif s.node_id not in regions(session, scope):
        raise bad("node_id", msg("no supplier or lane is in region '%(region)s'", region=s.node_id))
    row = add_dated(
        session,
        scope,
        NodeStatus,
        s,
        kind=kind.value,
        node_id=s.node_id,
        state=state.value,
    )
    refresh_risk(session, scope)
    return row


def list_statuses(
    session: Session, scope: EnterpriseScope, kind: StatusKind | None = None
) -> list[NodeStatus]:
    return list(session.scalars(queries.statuses(scope, kind).order_by(NodeStatus.id)))


def add_dated(
    session: Session,
    scope: EnterpriseScope,
    model: type[D],
    body: StatusIn | LaneTransitIn,
    **values: Any,
) -> D:
    """Insert (audited) a ``model`` row that holds from ``body.start`` to ``body.end``
    (checked in order), with ``values``, the body's note, who recorded it and when."""
    dates_in_order(("start", body.start), ("end", body.end))
    row = model(
        enterprise_id=scope.enterprise_id,
        **values,
        start=body.start,
        end=body.end,
        note=body.note.strip(),
        actor=scope.actor,
        recorded_at=now(),
    )
    audit_insert(session, scope, row, model.__tablename__)
    return row


def covers(row: NodeStatus | LaneTransit, day: dt.date) -> bool:
    """Whether a dated entry (a status, a lane's transit days) is in force on ``day``."""
    return row.start <= day and (row.end is None or day <= row.end)


def state_on(rows: list[NodeStatus], kind: str, node_id: str, day: dt.date) -> NodeStatus | None:
    """The most recently recorded status of a node covering ``day`` (``None``: normal)."""
    hits = [r for r in rows if r.kind == kind and r.node_id == node_id and covers(r, day)]
    return max(hits, key=lambda r: r.id) if hits else None


@dataclass(frozen=True)
class SupplierState:
    supplier_id: str
    region_code: str
    state: NodeState
    source: str  # 'supplier', 'region <code>' or ''
    until: dt.date | None  # end of the covering window (None: until further notice)
    note: str


def supplier_states(
    session: Session, scope: EnterpriseScope, day: dt.date
) -> dict[str, SupplierState]:
    """Each supplier's effective state on ``day``: the worse of its own and its region's."""
    rows = list_statuses(session, scope)
    out = {}
    for sup in suppliers(session, scope):
        best = SupplierState(sup.id, sup.region_code, NodeState.normal, "", None, "")
        for src, row in (
            ("supplier", state_on(rows, "supplier", sup.id, day)),
            (f"region {sup.region_code}", state_on(rows, "region", sup.region_code, day)),
        ):
            if row is None:
                continue
            st = NodeState(row.state)
            if SEVERITY[st] > SEVERITY[best.state]:
                best = SupplierState(sup.id, sup.region_code, st, src, row.end, row.note)
        out[sup.id] = best
    return out


def _locked_days(
    rows: list[NodeStatus], sup: pm.Supplier, as_of: dt.date, horizon: int
) -> np.ndarray:
    out = np.zeros(horizon, dtype=bool)
    for d in range(horizon):
        day = as_of + dt.timedelta(days=d)
        for kind, node in (("supplier", sup.id), ("region", sup.region_code)):
            r = state_on(rows, kind, node, day)
            if r is not None and r.state == NodeState.locked_down.value:
                out[d] = True
    return out


def locked_windows(
    session: Session, scope: EnterpriseScope, as_of: dt.date, horizon: int
) -> dict[str, np.ndarray]:
    """Per supplier, the days (from ``as_of``) on which it or its region is locked down."""
    rows = list_statuses(session, scope)
    return {s.id: _locked_days(rows, s, as_of, horizon) for s in suppliers(session, scope)}


def refresh_risk(session: Session, scope: EnterpriseScope) -> int:
    """Mark open purchase shipments at risk when their supplier or its region is locked down
    on any day from dispatch (or order) to the expected arrival; clear the mark otherwise.
    Returns how many shipments changed."""
    rows = list_statuses(session, scope)
    sups = {s.id: s for s in suppliers(session, scope)}
    changed = 0
    open_purchases = queries.purchases(scope, open_only=True).order_by(
        PurchaseShipment.eta, PurchaseShipment.id
    )
    for sh in list(session.scalars(open_purchases)):
        sup = sups.get(sh.supplier_id)
        reason = None
        if sup is not None:
            first = sh.dispatched_on or sh.ordered_on
            span = max(0, (sh.eta - first).days) + 1
            for d in range(span):
                day = first + dt.timedelta(days=d)
                for kind, node, label in (
                    ("supplier", sup.id, f"supplier {sup.id}"),
                    ("region", sup.region_code, f"region {sup.region_code}"),
                ):
                    r = state_on(rows, kind, node, day)
                    if r is not None and r.state == NodeState.locked_down.value:
                        until = r.end.isoformat() if r.end else "further notice"
                        reason = f"{label} locked down {r.start.isoformat()} to {until}"
                        break
                if reason:
                    break
        at_risk = reason is not None
        if at_risk != sh.at_risk or reason != sh.risk_reason:
            before = sh.values()
            sh.at_risk, sh.risk_reason, sh.updated_at = at_risk, reason, now()
            session.flush()
            audit.log(
                session,
                scope,
                "update",
                "purchase_shipments",
                sh.id,
                before=before,
                after=sh.values(),
                reason="supplier or region status changed",
            )
            changed += 1
    return changed
