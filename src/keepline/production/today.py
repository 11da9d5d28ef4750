"""The planner's inputs from today's state: a pure function, no database.

The continuity planner (``keepline.continuity.plan``) plans a plant file from its
``horizon_start``. To re-plan from a day D of the daily record, this module rewrites the
plant for D, from the state at the end of the day before:

* ``horizon_start`` = D; each raw material's ``on_hand`` = the ledger's stock;
* orders: what remains to ship (ordered − dispatched − delivered, less finished goods
  already made and not yet shipped, which are allocated to the product's open orders most
  urgent first: priority class, then due date); orders with nothing left are dropped; an
  overdue order is due on D (its lateness counts from today);
* open purchase shipments not at risk become one-off supply options of a pseudo-supplier
  ``inbound-<id>`` in region ``000000`` (no lane: 0 transit days), free, with the shipment's
  quantity as capacity and dispatch blocked on every day but its expected arrival — so the
  planner receives exactly that quantity on that day, or not at all if it is not needed;
* supplier and region lockdowns become disruptions (clipped to the horizon; open-ended ones
  last to its end); lanes slower than the plant file's become transit delays. A
  ``restricted`` state does not change the plan (it is shown, not modelled).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from keepline.plant.schema import (
    PRIORITY_ORDER,
    MaterialKind,
    NodeKind,
    Order,
    PlantFile,
    Priority,
    Supplier,
    SupplyOption,
)
from keepline.scenario import Disruption, Scenario, TransitDelay

INBOUND_REGION = "000000"


@dataclass(frozen=True)
class Receipt:
    shipment_id: str
    material: str
    qty: float
    eta: dt.date


@dataclass(frozen=True)
class Lockdown:
    kind: str  # 'supplier' or 'region'
    node_id: str
    start: dt.date
    end: dt.date | None  # inclusive; None: until further notice


@dataclass(frozen=True)
class SlowLane:
    region: str
    transit_days: int  # current
    start: dt.date
    end: dt.date | None


@dataclass
class TodayState:
    """The daily record at the end of the day before ``start``."""

    start: dt.date
    stock: dict[str, float]
    shipped: dict[str, float]  # order -> dispatched or delivered
    finished_goods: dict[str, float]  # product -> made and not yet shipped
    receipts: list[Receipt] = field(default_factory=list)
    lockdowns: list[Lockdown] = field(default_factory=list)
    slow_lanes: list[SlowLane] = field(default_factory=list)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return (s or "x")[:55]


def _window(
    start: dt.date, end: dt.date | None, day0: dt.date, horizon: int
) -> tuple[int, int] | None:
    """(start_day, days) of [start, end] within [day0, day0 + horizon), or None."""
    first = max(0, (start - day0).days)
    last = horizon - 1 if end is None else min(horizon - 1, (end - day0).days)
    return None if last < first else (first, last - first + 1)


def remaining_orders(plant: PlantFile, state: TodayState) -> tuple[list[Order], dict[str, float]]:
    """Orders with what remains to make and ship from ``state.start``; and, per order, the
    finished goods allocated to it."""
    stock = dict(state.finished_goods)
    allocated: dict[str, float] = {}
    urgent = sorted(
        plant.orders, key=lambda o: (PRIORITY_ORDER.index(Priority(o.priority)), o.due, o.id)
    )
    out = {}
    for o in urgent:
        left = max(0.0, o.qty - state.shipped.get(o.id, 0.0))
        take = min(left, stock.get(o.product, 0.0))
        if take > 0:
            stock[o.product] -= take
            allocated[o.id] = take
        left -= take
        if left > 1e-9:
            out[o.id] = o.model_copy(update={"qty": left, "due": max(o.due, state.start)})
    return [out[o.id] for o in plant.orders if o.id in out], allocated


def plant_for_today(
    plant: PlantFile, state: TodayState, horizon: int
) -> tuple[PlantFile, Scenario]:
    """The plant and scenario the planner needs to plan from ``state.start``."""
    day0 = state.start
    orders, _ = remaining_orders(plant, state)
    materials = []
    suppliers = list(plant.suppliers)
    disruptions: list[Disruption] = []
    by_material: dict[str, list[Receipt]] = {}
    for r in state.receipts:
        by_material.setdefault(r.material, []).append(r)
    for m in plant.materials:
        update: dict[str, object] = {"on_hand": max(0.0, float(state.stock.get(m.id, m.on_hand)))}
        if m.kind != MaterialKind.prevention and m.id in by_material:
            extra = []
            for r in by_material[m.id]:
                d = max(0, (r.eta - day0).days)
                if d >= horizon:
                    continue
                sid = f"inbound-{_slug(r.shipment_id)}"
                suppliers.append(
                    Supplier(
                        id=sid,
                        name=f"purchase shipment {r.shipment_id}",
                        region_code=INBOUND_REGION,
                    )
                )
                extra.append(
                    SupplyOption(
                        supplier=sid,
                        priority=99,
                        lead_time_days=0,
                        capacity_per_day=r.qty,
                        unit_cost=0.0,
                    )
                )
                for w in ((0, d), (d + 1, horizon - d - 1)):
                    if w[1] > 0:
                        disruptions.append(
                            Disruption(kind=NodeKind.supplier, id=sid, start_day=w[0], days=w[1])
                        )
            update["supply_options"] = [*m.supply_options, *extra]
        materials.append(m.model_copy(update=update))
    known_regions = {s.region_code for s in plant.suppliers}
    known_suppliers = {s.id for s in plant.suppliers}
    for lk in state.lockdowns:
        if (lk.kind == "region" and lk.node_id not in known_regions) or (
            lk.kind == "supplier" and lk.node_id not in known_suppliers
        ):
            continue  # a region with no supplier changes nothing the planner models
        w = _window(lk.start, lk.end, day0, horizon)
        if w:
            disruptions.append(
                Disruption(kind=NodeKind(lk.kind), id=lk.node_id, start_day=w[0], days=w[1])
            )
    delays = []
    for sl in state.slow_lanes:
        extra = sl.transit_days - plant.transit_days(sl.region)
        w = _window(sl.start, sl.end, day0, horizon)
        if extra > 0 and w and sl.region in known_regions:
            delays.append(
                TransitDelay(region=sl.region, extra_days=extra, start_day=w[0], days=w[1])
            )
    today = plant.model_copy(
        update={
            "horizon_start": day0,
            "materials": materials,
            "suppliers": suppliers,
            "orders": orders,
        }
    )
    scenario = Scenario(
        name=f"state of {(day0 - dt.timedelta(days=1)).isoformat()}",
        description="from the daily record",
        disruptions=disruptions,
        transit_delays=delays,
    )
    return today, scenario
