"""Supplier and region status, lanes' transit days, shipments in and out, transport passes.

Functions take a session and the caller's enterprise id; every query is scoped to it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import NotFound
from keepline.logistics.models import (
    OPEN,
    CustomerShipment,
    LaneTransit,
    NodeState,
    NodeStatus,
    PurchaseShipment,
    ShipmentStatus,
    StatusKind,
    TransportPass,
)
from keepline.materials.reorder import Option
from keepline.plant import models as pm
from keepline.recordkit import bad, dates_in_order, enterprise, missing, now, plant_row

SEVERITY = {NodeState.normal: 0, NodeState.restricted: 1, NodeState.locked_down: 2}


def _audit(
    session: Session,
    eid: str,
    actor: str,
    action: str,
    table: str,
    key: str,
    before=None,
    after=None,
    reason: str | None = None,
) -> None:  # type: ignore[no-untyped-def]
    audit.record(
        session,
        enterprise_id=eid,
        actor=actor,
        action=action,
        table=table,
        key=key,
        before=before,
        after=after,
        reason=reason,
    )


# -- supplier and region status ---------------------------------------------------------


def regions(session: Session, eid: str) -> set[str]:
    """Region codes the plant knows: its suppliers' and its lanes' origins."""
    sup = session.scalars(select(pm.Supplier.region_code).where(pm.Supplier.enterprise_id == eid))
    lanes = session.scalars(select(pm.Lane.from_region).where(pm.Lane.enterprise_id == eid))
    return set(sup) | set(lanes)


@dataclass(frozen=True)
class StatusIn:
    kind: StatusKind
    node_id: str
    state: NodeState
    start: dt.date
    end: dt.date | None = None
    note: str = ""


def set_status(session: Session, eid: str, actor: str, s: StatusIn) -> NodeStatus:
    """Record a supplier's or region's state over dates; re-marks open shipments at risk."""
    enterprise(session, eid)
    kind = StatusKind(s.kind)
    state = NodeState(s.state)
    if kind == StatusKind.supplier:
        plant_row(session, pm.Supplier, eid, s.node_id, "node_id", "supplier")
    elif s.node_id not in regions(session, eid):
        raise bad("node_id", f"no supplier or lane is in region '{s.node_id}'")
    dates_in_order(("start", s.start), ("end", s.end))
    row = NodeStatus(
        enterprise_id=eid,
        kind=kind.value,
        node_id=s.node_id,
        state=state.value,
        start=s.start,
        end=s.end,
        note=s.note.strip(),
        actor=actor,
        recorded_at=now(),
    )
    session.add(row)
    session.flush()
    _audit(session, eid, actor, "insert", "node_statuses", str(row.id), after=row.values())
    refresh_risk(session, eid, actor)
    return row


def list_statuses(session: Session, eid: str, kind: StatusKind | None = None) -> list[NodeStatus]:
    q = select(NodeStatus).where(NodeStatus.enterprise_id == eid)
    if kind:
        q = q.where(NodeStatus.kind == StatusKind(kind).value)
    return list(session.scalars(q.order_by(NodeStatus.id)))


def _covers(row: NodeStatus | LaneTransit, day: dt.date) -> bool:
    return row.start <= day and (row.end is None or day <= row.end)


def state_on(rows: list[NodeStatus], kind: str, node_id: str, day: dt.date) -> NodeStatus | None:
    """The most recently recorded status of a node covering ``day`` (``None``: normal)."""
    hits = [r for r in rows if r.kind == kind and r.node_id == node_id and _covers(r, day)]
    return max(hits, key=lambda r: r.id) if hits else None


@dataclass(frozen=True)
class SupplierState:
    supplier_id: str
    region_code: str
    state: NodeState
    source: str  # 'supplier', 'region <code>' or ''
    until: dt.date | None  # end of the covering window (None: until further notice)
    note: str


def supplier_states(session: Session, eid: str, day: dt.date) -> dict[str, SupplierState]:
    """Each supplier's effective state on ``day``: the worse of its own and its region's."""
    rows = list_statuses(session, eid)
    out = {}
    for sup in session.scalars(select(pm.Supplier).where(pm.Supplier.enterprise_id == eid)):
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
    session: Session, eid: str, as_of: dt.date, horizon: int
) -> dict[str, np.ndarray]:
    """Per supplier, the days (from ``as_of``) on which it or its region is locked down."""
    rows = list_statuses(session, eid)
    sups = session.scalars(select(pm.Supplier).where(pm.Supplier.enterprise_id == eid))
    return {s.id: _locked_days(rows, s, as_of, horizon) for s in sups}


# -- lanes ------------------------------------------------------------------------------


def set_lane_transit(
    session: Session,
    eid: str,
    actor: str,
    lane_id: str,
    transit_days: int,
    start: dt.date,
    end: dt.date | None = None,
    note: str = "",
) -> LaneTransit:
    enterprise(session, eid)
    plant_row(session, pm.Lane, eid, lane_id, "lane_id", "lane")
    if transit_days < 0 or transit_days > 365:
        raise bad("transit_days", f"expected 0 to 365 days, got {transit_days}")
    dates_in_order(("start", start), ("end", end))
    row = LaneTransit(
        enterprise_id=eid,
        lane_id=lane_id,
        transit_days=transit_days,
        start=start,
        end=end,
        note=note.strip(),
        actor=actor,
        recorded_at=now(),
    )
    session.add(row)
    session.flush()
    _audit(session, eid, actor, "insert", "lane_transits", str(row.id), after=row.values())
    return row


@dataclass(frozen=True)
class LaneNow:
    lane_id: str
    from_region: str
    planned_transit_days: int
    transit_days: int
    note: str


def lanes_on(session: Session, eid: str, day: dt.date) -> list[LaneNow]:
    rows = list(session.scalars(select(LaneTransit).where(LaneTransit.enterprise_id == eid)))
    out = []
    for ln in session.scalars(
        select(pm.Lane).where(pm.Lane.enterprise_id == eid).order_by(pm.Lane.position)
    ):
        hits = [r for r in rows if r.lane_id == ln.id and _covers(r, day)]
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


def transit_by_region(session: Session, eid: str, day: dt.date) -> dict[str, int]:
    return {ln.from_region: ln.transit_days for ln in lanes_on(session, eid, day)}


# -- supply options as the reorder engine sees them ------------------------------------------


def supply_options_on(
    session: Session, eid: str, as_of: dt.date, horizon: int
) -> dict[str, list[Option]]:
    """Each material's options today: current transit days, lockdowns, activation."""
    transit = transit_by_region(session, eid, as_of)
    locked = locked_windows(session, eid, as_of, horizon)
    states = supplier_states(session, eid, as_of)
    sups = {
        s.id: s
        for s in session.scalars(select(pm.Supplier).where(pm.Supplier.enterprise_id == eid))
    }
    used = {
        (m, s)
        for m, s in session.execute(
            select(PurchaseShipment.material_id, PurchaseShipment.supplier_id).where(
                PurchaseShipment.enterprise_id == eid
            )
        )
    }
    out: dict[str, list[Option]] = defaultdict(list)
    for o in session.scalars(
        select(pm.SupplyOption)
        .where(pm.SupplyOption.enterprise_id == eid)
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


# -- purchase shipments --------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseIn:
    id: str
    material_id: str
    supplier_id: str
    qty: float
    ordered_on: dt.date
    eta: dt.date
    status: ShipmentStatus = ShipmentStatus.planned
    dispatched_on: dt.date | None = None


def _purchase(session: Session, eid: str, sid: str) -> PurchaseShipment:
    row = session.get(PurchaseShipment, (eid, sid))
    if row is None:
        raise missing("id", f"no purchase shipment '{sid}'")
    return row


def create_purchase(session: Session, eid: str, actor: str, p: PurchaseIn) -> PurchaseShipment:
    enterprise(session, eid)
    if not p.id.strip():
        raise bad("id", "a shipment needs an id (e.g. the purchase order number)")
    if session.get(PurchaseShipment, (eid, p.id)) is not None:
        raise bad("id", f"purchase shipment '{p.id}' already exists")
    mat = plant_row(session, pm.Material, eid, p.material_id, "material_id", "material")
    plant_row(session, pm.Supplier, eid, p.supplier_id, "supplier_id", "supplier")
    if session.get(pm.SupplyOption, (eid, p.material_id, p.supplier_id)) is None:
        raise bad("supplier_id", f"'{p.supplier_id}' is not a supply option for {mat.id}")
    if not (math.isfinite(p.qty) and p.qty > 0):
        raise bad("qty", f"expected a quantity > 0, got {p.qty:g}")
    status = ShipmentStatus(p.status)
    if status not in (ShipmentStatus.planned, ShipmentStatus.dispatched):
        raise bad("status", "a new shipment is planned or dispatched")
    if status == ShipmentStatus.dispatched and p.dispatched_on is None:
        raise bad("dispatched_on", "a dispatched shipment needs its dispatch date")
    dates_in_order(("ordered_on", p.ordered_on), ("dispatched_on", p.dispatched_on))
    dates_in_order(("ordered_on", p.ordered_on), ("eta", p.eta))
    dates_in_order(("dispatched_on", p.dispatched_on), ("eta", p.eta))
    row = PurchaseShipment(
        enterprise_id=eid,
        id=p.id,
        material_id=p.material_id,
        supplier_id=p.supplier_id,
        qty=float(p.qty),
        ordered_on=p.ordered_on,
        eta=p.eta,
        dispatched_on=p.dispatched_on,
        delivered_on=None,
        status=status.value,
        checkpoint=None,
        at_risk=False,
        risk_reason=None,
        updated_at=now(),
    )
    session.add(row)
    session.flush()
    _audit(session, eid, actor, "insert", "purchase_shipments", p.id, after=row.values())
    refresh_risk(session, eid, actor)
    return row


ALLOWED = {
    ShipmentStatus.planned: {ShipmentStatus.dispatched, ShipmentStatus.delivered},
    ShipmentStatus.dispatched: {ShipmentStatus.held, ShipmentStatus.delivered},
    ShipmentStatus.held: {ShipmentStatus.dispatched, ShipmentStatus.delivered},
    ShipmentStatus.delivered: set(),
}


def _check_transition(current: str, new: ShipmentStatus) -> None:
    cur = ShipmentStatus(current)
    if new not in ALLOWED[cur]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[cur])) or "nothing (delivered)"
        raise bad("status", f"a {cur.value} shipment can become {allowed}, not {new.value}")


def advance_purchase(
    session: Session,
    eid: str,
    actor: str,
    sid: str,
    status: ShipmentStatus,
    day: dt.date,
    checkpoint: str | None = None,
    eta: dt.date | None = None,
) -> PurchaseShipment:
    """Move a purchase shipment on: dispatched, held at a checkpoint, delivered.

    Delivery appends a receipt to the stock ledger (same transaction)."""
    from keepline.materials import service as materials
    from keepline.materials.models import MovementKind

    enterprise(session, eid)
    row = _purchase(session, eid, sid)
    status = ShipmentStatus(status)
    _check_transition(row.status, status)
    before = row.values()
    dates_in_order(("ordered_on", row.ordered_on), ("day", day))
    if status == ShipmentStatus.dispatched and row.dispatched_on is None:
        row.dispatched_on = day
    dates_in_order(("dispatched_on", row.dispatched_on), ("day", day))
    if status == ShipmentStatus.held:
        if not (checkpoint or "").strip():
            raise bad("checkpoint", "say where the shipment is held")
        row.checkpoint = checkpoint.strip()  # type: ignore[union-attr]
    elif status == ShipmentStatus.dispatched:
        row.checkpoint = None
    if eta is not None:
        dates_in_order(("day", day), ("eta", eta))
        row.eta = eta
    if status == ShipmentStatus.delivered:
        row.delivered_on = day
        mat = session.get(pm.Material, (eid, row.material_id))
        if mat is None:
            raise bad("material_id", f"material '{row.material_id}' is no longer in the plant")
        materials.record_movement(
            session,
            eid,
            actor,
            materials.MovementIn(
                material_id=row.material_id,
                kind=MovementKind.receipt,
                day=day,
                qty=row.qty,
                unit=mat.unit,
                reason=f"purchase shipment {row.id} from {row.supplier_id}",
                ref=row.id,
            ),
        )
        row.at_risk, row.risk_reason = False, None
    row.status = status.value
    row.updated_at = now()
    session.flush()
    _audit(
        session, eid, actor, "update", "purchase_shipments", sid, before=before, after=row.values()
    )
    return row


def list_purchases(
    session: Session, eid: str, *, open_only: bool = False, at_risk: bool | None = None
) -> list[PurchaseShipment]:
    q = select(PurchaseShipment).where(PurchaseShipment.enterprise_id == eid)
    if open_only:
        q = q.where(PurchaseShipment.status.in_([s.value for s in OPEN]))
    if at_risk is not None:
        q = q.where(PurchaseShipment.at_risk.is_(at_risk))
    return list(session.scalars(q.order_by(PurchaseShipment.eta, PurchaseShipment.id)))


def refresh_risk(session: Session, eid: str, actor: str) -> int:
    """Mark open purchase shipments at risk when their supplier or its region is locked down
    on any day from dispatch (or order) to the expected arrival; clear the mark otherwise.
    Returns how many shipments changed."""
    rows = list_statuses(session, eid)
    sups = {
        s.id: s
        for s in session.scalars(select(pm.Supplier).where(pm.Supplier.enterprise_id == eid))
    }
    changed = 0
    for sh in list_purchases(session, eid, open_only=True):
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
            _audit(
                session,
                eid,
                actor,
                "update",
                "purchase_shipments",
                sh.id,
                before=before,
                after=sh.values(),
                reason="supplier or region status changed",
            )
            changed += 1
    return changed


def scheduled_receipts(
    session: Session, eid: str, as_of: dt.date, horizon: int
) -> dict[str, np.ndarray]:
    """Open purchase shipments not at risk, by material and day of expected arrival from
    ``as_of`` (an overdue one counts on ``as_of``)."""
    out: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(horizon))
    for sh in list_purchases(session, eid, open_only=True, at_risk=False):
        d = max(0, (sh.eta - as_of).days)
        if d < horizon:
            arr = out[sh.material_id]
            arr[d] += sh.qty
    return dict(out)


# -- customer shipments -------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerIn:
    id: str
    order_id: str
    qty: float
    planned_on: dt.date


def _shipped_for_order(
    session: Session, eid: str, order_id: str, exclude: str | None = None
) -> float:
    rows = session.scalars(
        select(CustomerShipment).where(
            CustomerShipment.enterprise_id == eid, CustomerShipment.order_id == order_id
        )
    )
    return sum(r.qty for r in rows if r.id != exclude)


def create_customer_shipment(
    session: Session, eid: str, actor: str, c: CustomerIn
) -> CustomerShipment:
    enterprise(session, eid)
    if not c.id.strip():
        raise bad("id", "a shipment needs an id (e.g. the delivery note number)")
    if session.get(CustomerShipment, (eid, c.id)) is not None:
        raise bad("id", f"customer shipment '{c.id}' already exists")
    order = plant_row(session, pm.Order, eid, c.order_id, "order_id", "order")
    if not (math.isfinite(c.qty) and c.qty > 0):
        raise bad("qty", f"expected a quantity > 0, got {c.qty:g}")
    booked = _shipped_for_order(session, eid, order.id)
    if booked + c.qty > order.qty + 1e-9:
        raise bad(
            "qty",
            f"{c.qty:g} more would exceed order {order.id}: {order.qty:g} ordered, "
            f"{booked:g} already in shipments",
        )
    row = CustomerShipment(
        enterprise_id=eid,
        id=c.id,
        order_id=order.id,
        qty=float(c.qty),
        planned_on=c.planned_on,
        dispatched_on=None,
        delivered_on=None,
        status=ShipmentStatus.planned.value,
        checkpoint=None,
        updated_at=now(),
    )
    session.add(row)
    session.flush()
    _audit(session, eid, actor, "insert", "customer_shipments", c.id, after=row.values())
    return row


def _finished_goods(
    session: Session, eid: str, product_id: str, day: dt.date, exclude: str
) -> float:
    """Made up to ``day`` minus what has left in other shipments of the product."""
    from keepline.production.service import produced_total

    made = produced_total(session, eid, product_id, day)
    left = 0.0
    q = (
        select(CustomerShipment)
        .join(
            pm.Order,
            (pm.Order.enterprise_id == CustomerShipment.enterprise_id)
            & (pm.Order.id == CustomerShipment.order_id),
        )
        .where(
            CustomerShipment.enterprise_id == eid,
            pm.Order.product_id == product_id,
            CustomerShipment.dispatched_on.is_not(None),
        )
    )
    for r in session.scalars(q):
        if r.id != exclude:
            left += r.qty
    return made - left


def advance_customer_shipment(
    session: Session,
    eid: str,
    actor: str,
    sid: str,
    status: ShipmentStatus,
    day: dt.date,
    checkpoint: str | None = None,
) -> CustomerShipment:
    """Dispatch (needs finished goods made and not yet shipped), hold, deliver."""
    enterprise(session, eid)
    row = session.get(CustomerShipment, (eid, sid))
    if row is None:
        raise missing("id", f"no customer shipment '{sid}'")
    status = ShipmentStatus(status)
    _check_transition(row.status, status)
    before = row.values()
    if row.dispatched_on is None and status in (
        ShipmentStatus.dispatched,
        ShipmentStatus.delivered,
    ):
        order = session.get(pm.Order, (eid, row.order_id))
        if order is None:
            raise bad("order_id", f"order '{row.order_id}' is no longer in the plant")
        available = _finished_goods(session, eid, order.product_id, day, row.id)
        if row.qty > available + 1e-9:
            raise bad(
                "qty",
                f"{row.qty:g} {order.product_id} to ship on {day.isoformat()} but only "
                f"{max(available, 0):g} made and not yet shipped",
            )
        row.dispatched_on = day
    dates_in_order(("dispatched_on", row.dispatched_on), ("day", day))
    if status == ShipmentStatus.held:
        if not (checkpoint or "").strip():
            raise bad("checkpoint", "say where the shipment is held")
        row.checkpoint = checkpoint.strip()  # type: ignore[union-attr]
    elif status == ShipmentStatus.dispatched:
        row.checkpoint = None
    if status == ShipmentStatus.delivered:
        row.delivered_on = day
    row.status = status.value
    row.updated_at = now()
    session.flush()
    _audit(
        session, eid, actor, "update", "customer_shipments", sid, before=before, after=row.values()
    )
    return row


def list_customer_shipments(
    session: Session, eid: str, order_id: str | None = None
) -> list[CustomerShipment]:
    q = select(CustomerShipment).where(CustomerShipment.enterprise_id == eid)
    if order_id:
        q = q.where(CustomerShipment.order_id == order_id)
    return list(session.scalars(q.order_by(CustomerShipment.planned_on, CustomerShipment.id)))


# -- transport passes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PassIn:
    id: str
    vehicle: str
    valid_from: dt.date
    valid_until: dt.date
    driver: str = ""
    issued_by: str = ""
    shipment_id: str | None = None


def create_pass(session: Session, eid: str, actor: str, p: PassIn) -> TransportPass:
    enterprise(session, eid)
    if not p.id.strip():
        raise bad("id", "a pass needs its number")
    if session.get(TransportPass, (eid, p.id)) is not None:
        raise bad("id", f"transport pass '{p.id}' already exists")
    if not p.vehicle.strip():
        raise bad("vehicle", "a pass needs the vehicle's plate")
    dates_in_order(("valid_from", p.valid_from), ("valid_until", p.valid_until))
    if (
        p.shipment_id
        and session.get(PurchaseShipment, (eid, p.shipment_id)) is None
        and session.get(CustomerShipment, (eid, p.shipment_id)) is None
    ):
        raise bad("shipment_id", f"unknown shipment '{p.shipment_id}'")
    row = TransportPass(
        enterprise_id=eid,
        id=p.id,
        vehicle=p.vehicle.strip(),
        driver=p.driver,
        issued_by=p.issued_by,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        shipment_id=p.shipment_id,
        updated_at=now(),
    )
    session.add(row)
    session.flush()
    _audit(session, eid, actor, "insert", "transport_passes", p.id, after=row.values())
    return row


def list_passes(session: Session, eid: str, valid_on: dt.date | None = None) -> list[TransportPass]:
    q = select(TransportPass).where(TransportPass.enterprise_id == eid)
    if valid_on is not None:
        q = q.where(TransportPass.valid_from <= valid_on, TransportPass.valid_until >= valid_on)
    return list(session.scalars(q.order_by(TransportPass.valid_until, TransportPass.id)))


def get_pass(session: Session, eid: str, pid: str) -> TransportPass:
    row = session.get(TransportPass, (eid, pid))
    if row is None:
        raise NotFound(f"no transport pass '{pid}'", field="id")
    return row
