"""The planner's input as plain arrays: :class:`PlanInput`, built from a plant file, a
workforce and a scenario (:func:`build_input`).

Everything the LP, the greedy baseline, the plan checker and the exposure analysis need
is here, as raw facts (lead times, transit days, down-day masks per node) rather than as
derived LP coefficients, so the independent checker can recompute the consequences itself.

Day ``t`` runs from 0 (the plant's ``horizon_start``) to ``horizon - 1``. A purchase is
indexed by its *dispatch* day ``t`` at the supplier: it was ordered on ``t - lead_time``
(which must be ≥ 0, and for a backup ≥ its activation start + ``activation_days``) and
arrives on ``t + transit + extra_transit[t]``, where transit is the supplier's region lane.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from keepline.errors import InputError
from keepline.plant.schema import PRIORITY_ORDER, MaterialKind, NodeKind, PlantFile
from keepline.scenario import NO_SCENARIO, Scenario
from keepline.workforce import Workforce, full_workforce, plant_axes

PRIORITY_NAMES: tuple[str, ...] = tuple(p.value for p in PRIORITY_ORDER)


@dataclass
class PlanInput:
    """Arrays of one planning problem. Shapes: L lines, Z zones, S shifts, K skills,
    P products, Q (line, product) pairs, M materials, J supply options, N suppliers,
    R regions, A lanes, O orders, B outbound nodes, T days."""

    horizon: int
    start: dt.date
    zone_ids: tuple[str, ...]
    shift_ids: tuple[str, ...]
    skill_ids: tuple[str, ...]
    line_ids: tuple[str, ...]
    line_zone: np.ndarray  # [L] int
    line_runs: np.ndarray  # [L, S] bool: shifts the line runs
    crew: np.ndarray  # [L, K] people per shift for full rate
    workers: np.ndarray  # [T, Z, S, K] available
    line_down: np.ndarray  # [L, T] bool
    zone_down: np.ndarray  # [Z, T] bool
    product_ids: tuple[str, ...]
    pair_line: np.ndarray  # [Q] int
    pair_product: np.ndarray  # [Q] int
    pair_rate: np.ndarray  # [Q] units/day at full crew
    bom: np.ndarray  # [P, M] material units per product unit
    material_ids: tuple[str, ...]
    on_hand: np.ndarray  # [M]
    opt_material: np.ndarray  # [J] int
    opt_supplier: np.ndarray  # [J] int
    opt_lead: np.ndarray  # [J] int days order → dispatch
    opt_cap: np.ndarray  # [J] material units/day
    opt_cost: np.ndarray  # [J] per unit
    opt_min_order: np.ndarray  # [J]
    opt_act_days: np.ndarray  # [J] int
    opt_act_cost: np.ndarray  # [J]
    supplier_ids: tuple[str, ...]
    supplier_region: np.ndarray  # [N] int
    region_ids: tuple[str, ...]
    region_transit: np.ndarray  # [R] int days
    region_lane: np.ndarray  # [R] int lane index or -1
    lane_ids: tuple[str, ...]
    supplier_down: np.ndarray  # [N, T] bool
    region_down: np.ndarray  # [R, T] bool
    lane_down: np.ndarray  # [A, T] bool
    extra_transit: np.ndarray  # [R, T] int days added to transit for dispatches on day t
    order_ids: tuple[str, ...]
    order_product: np.ndarray  # [O] int
    order_qty: np.ndarray  # [O]
    order_due: np.ndarray  # [O] int day (may be ≥ T: due after the horizon)
    order_rank: np.ndarray  # [O] int, 0 = front-line
    order_penalty: np.ndarray  # [O] per unit-day late
    outbound_ids: tuple[str, ...] = ()
    outbound_orders: tuple[np.ndarray, ...] = ()  # orders that pass through each node
    outbound_down: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    ttr_days: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def opt_backup(self) -> np.ndarray:
        """Options that must be activated before use."""
        return (self.opt_act_days > 0) | (self.opt_act_cost > 0)

    def day(self, t: int) -> dt.date:
        return self.start + dt.timedelta(days=int(t))

    def nodes(self) -> list[tuple[str, str]]:
        """Every node the exposure analysis can take down, as (kind, id)."""
        out = [(NodeKind.supplier.value, s) for s in self.supplier_ids]
        out += [(NodeKind.region.value, r) for r in self.region_ids]
        out += [(NodeKind.lane.value, a) for a in self.lane_ids]
        out += [(NodeKind.lane.value, b) for b in self.outbound_ids]
        out += [(NodeKind.zone.value, z) for z in self.zone_ids]
        out += [(NodeKind.line.value, ln) for ln in self.line_ids]
        return out


# -- derived facts shared by the LP, the greedy baseline and the rounding ---------------
# (the checker in check.py recomputes these on its own)


def arrival_day(inp: PlanInput, j: int, t: int) -> int:
    r = inp.supplier_region[inp.opt_supplier[j]]
    return int(t + inp.region_transit[r] + inp.extra_transit[r, t])


def arrival_days(inp: PlanInput) -> np.ndarray:
    """[J, T]: ``arrival_day`` of every option and dispatch day."""
    r = inp.supplier_region[inp.opt_supplier]
    t = np.arange(inp.horizon)
    return (
        t[None, :] + inp.region_transit[r][:, None] + inp.extra_transit[r][:, : inp.horizon]
    ).astype(int)


def option_blocked(inp: PlanInput) -> np.ndarray:
    """[J, T]: dispatch days on which an option cannot ship: its supplier or region is
    down that day, or its lane is down on any day of the transit (at least the dispatch
    day itself)."""
    T = inp.horizon
    sup = inp.supplier_down[inp.opt_supplier]
    reg_idx = inp.supplier_region[inp.opt_supplier]
    blocked = sup | inp.region_down[reg_idx]
    for j in range(len(inp.opt_material)):
        r = reg_idx[j]
        a = inp.region_lane[r]
        if a < 0 or not inp.lane_down[a].any():
            continue
        span = max(1, int(inp.region_transit[r]))
        down = inp.lane_down[a]
        for t in range(T):
            if down[t : t + span].any():
                blocked[j, t] = True
    return blocked


def earliest_dispatch(inp: PlanInput) -> np.ndarray:
    """[J]: first dispatch day: ordered on day 0, or after activation for a backup."""
    return inp.opt_lead + np.where(inp.opt_backup, inp.opt_act_days, 0)


def line_available(inp: PlanInput) -> np.ndarray:
    """[L, T] bool: the line may run (neither it nor its zone is down)."""
    return ~(inp.line_down | inp.zone_down[inp.line_zone])


@dataclass
class Schedule:
    """A plan as tables over days: what the LP, the rounding and the greedy baseline
    produce, and what the checker verifies."""

    produce: np.ndarray  # [Q, T] units per (line, product) pair per day
    buy: np.ndarray  # [J, T] material units per option by dispatch day
    ship: np.ndarray  # [O, T] units per order per day
    activate: np.ndarray  # [J] int day the activation of a backup starts; -1 = not activated

    @classmethod
    def empty(cls, inp: PlanInput) -> Schedule:
        T = inp.horizon
        return cls(
            produce=np.zeros((len(inp.pair_line), T)),
            buy=np.zeros((len(inp.opt_material), T)),
            ship=np.zeros((len(inp.order_ids), T)),
            activate=np.full(len(inp.opt_material), -1, dtype=int),
        )


def crew_room(inp: PlanInput, line: int, remaining: np.ndarray) -> float:
    """Largest utilisation (0..1) of ``line`` that the workers left (``remaining[z, s, k]``
    on one day) allow."""
    need = inp.crew[line]
    k = need > 0
    room = remaining[inp.line_zone[line]][inp.line_runs[line]][:, k] / need[k]
    return max(min(1.0, float(room.min())) if room.size else 1.0, 0.0)


def use_crew(inp: PlanInput, line: int, u: float, remaining: np.ndarray) -> None:
    remaining[inp.line_zone[line], inp.line_runs[line]] -= inp.crew[line] * u


def orders_in_horizon(inp: PlanInput) -> np.ndarray:
    return np.flatnonzero(inp.order_due < inp.horizon)


def ship_blocked(inp: PlanInput) -> np.ndarray:
    """[O, T] bool: days an order cannot ship because an outbound node it uses is down."""
    out = np.zeros((len(inp.order_ids), inp.horizon), dtype=bool)
    for b, orders in enumerate(inp.outbound_orders):
        out[orders] |= inp.outbound_down[b][None, :]
    return out


def lateness(inp: PlanInput, ship: np.ndarray) -> np.ndarray:
    """Weighted lateness per order (penalty × unit-days late within the horizon) of a
    shipment table ``ship[o, t]``; units not shipped count late up to the horizon end.
    Orders due after the horizon count 0."""
    T = inp.horizon
    days = np.arange(T)
    out = np.zeros(len(inp.order_ids))
    for o in orders_in_horizon(inp):
        due = max(int(inp.order_due[o]), 0)
        late_days = np.maximum(days - due, 0)
        shipped = ship[o].sum()
        unit_days = (ship[o] * late_days).sum() + max(inp.order_qty[o] - shipped, 0) * (T - due)
        out[o] = inp.order_penalty[o] * unit_days
    return out


def validate(inp: PlanInput) -> None:
    """Contradictions the planner cannot work around, as one-line messages."""
    problems = []
    makeable = set(int(p) for p in inp.pair_product[inp.pair_rate > 0])
    for o, oid in enumerate(inp.order_ids):
        p = int(inp.order_product[o])
        if p not in makeable:
            problems.append(
                f"order {oid}: product {inp.product_ids[p]} has no line that can make it"
            )
    if inp.horizon < 1:
        problems.append(f"horizon: must be at least 1 day, got {inp.horizon}")
    if inp.workers.shape[0] < inp.horizon:
        problems.append(
            f"workforce: covers {inp.workers.shape[0]} days, the horizon is {inp.horizon}"
        )
    if problems:
        raise InputError(problems)


# -- from a plant file ----------------------------------------------------------------


def _reindex_workforce(plant: PlantFile, wf: Workforce, horizon: int) -> np.ndarray:
    zones, shifts, skills = plant_axes(plant)
    if wf.days < horizon:
        raise InputError([f"workforce: covers {wf.days} days, the horizon is {horizon}"])
    out = np.zeros((horizon, len(zones), len(shifts), len(skills)))
    for z, zone in enumerate(zones):
        if zone not in wf.zones:
            continue
        wz = wf.zones.index(zone)
        for s, shift in enumerate(shifts):
            if shift not in wf.shifts:
                continue
            ws = wf.shifts.index(shift)
            for k, skill in enumerate(skills):
                if skill in wf.skills:
                    out[:, z, s, k] = wf.available[:horizon, wz, ws, wf.skills.index(skill)]
    return out


def build_input(
    plant: PlantFile,
    workforce: Workforce | None = None,
    scenario: Scenario | None = None,
    horizon: int = 90,
    outbound: dict[str, list[str]] | None = None,
) -> PlanInput:
    """Arrays for one plant, workforce and scenario over ``horizon`` days.

    Prevention materials are left out: they do not enter products (the assessment
    handles them). ``outbound`` maps extra node ids (outbound lanes, stocking points; used
    by the Willems converter) to the orders that pass through them.
    """
    if horizon < 1:
        raise InputError([f"horizon: must be at least 1 day, got {horizon}"])
    scenario = scenario or NO_SCENARIO
    workforce = workforce or full_workforce(plant, horizon)
    T = horizon
    zones, shifts, skills = plant_axes(plant)
    lines = plant.lines
    L = len(lines)
    line_zone = np.array([zones.index(ln.zone) for ln in lines], dtype=int)
    line_runs = np.zeros((L, len(shifts)), dtype=bool)
    crew = np.zeros((L, len(skills)))
    problems = []
    for i, ln in enumerate(lines):
        for s in plant.line_shifts(ln):
            line_runs[i, shifts.index(s)] = True
        for k, n in ln.crew_per_shift.items():
            if k not in skills:
                problems.append(
                    f"line {ln.id}: needs skill '{k}' but no team has it "
                    f"(skills: {', '.join(skills)})"
                )
                continue
            crew[i, skills.index(k)] = n
    if problems:
        raise InputError(problems)

    materials = [m for m in plant.materials if m.kind != MaterialKind.prevention]
    mat_ids = tuple(m.id for m in materials)
    products = plant.products
    prod_ids = tuple(p.id for p in products)
    bom = np.zeros((len(products), len(materials)))
    for p, prod in enumerate(products):
        for m, qty in prod.bom.items():
            if m in mat_ids:
                bom[p, mat_ids.index(m)] = qty
    pairs = [
        (i, prod_ids.index(p), r)
        for i, ln in enumerate(lines)
        for p, r in ln.rates_units_per_day.items()
        if p in prod_ids and r > 0
    ]

    sup_ids = tuple(s.id for s in plant.suppliers)
    region_ids = tuple(sorted({s.region_code for s in plant.suppliers}))
    lane_ids = tuple(ln.id for ln in plant.lanes)
    region_lane = np.array(
        [
            next((a for a, ln in enumerate(plant.lanes) if ln.from_region == r), -1)
            for r in region_ids
        ],
        dtype=int,
    )
    region_transit = np.array([plant.transit_days(r) for r in region_ids], dtype=int)
    opts = [(m, o) for m, mat in enumerate(materials) for o in mat.supply_options]

    def f(values, dtype=float):
        return np.array(list(values), dtype=dtype)

    due = f(((o.due - plant.horizon_start).days for o in plant.orders), int)
    outbound = outbound or {}
    order_ids = tuple(o.id for o in plant.orders)
    ttr = {(k, n): plant.ttr_days(k, n) for k, n in _plant_nodes(plant, region_ids)}
    for b in outbound:
        ttr[(NodeKind.lane.value, b)] = plant.ttr_days(NodeKind.lane, b)
    inp = PlanInput(
        horizon=T,
        start=plant.horizon_start,
        zone_ids=zones,
        shift_ids=shifts,
        skill_ids=skills,
        line_ids=tuple(ln.id for ln in lines),
        line_zone=line_zone,
        line_runs=line_runs,
        crew=crew,
        workers=_reindex_workforce(plant, workforce, T),
        line_down=_rows([scenario.down("line", ln.id, T) for ln in lines], T, bool),
        zone_down=_rows([scenario.down("zone", z, T) for z in zones], T, bool),
        product_ids=prod_ids,
        pair_line=f((q[0] for q in pairs), int),
        pair_product=f((q[1] for q in pairs), int),
        pair_rate=f(q[2] for q in pairs),
        bom=bom,
        material_ids=mat_ids,
        on_hand=f(m.on_hand for m in materials),
        opt_material=f((m for m, _ in opts), int),
        opt_supplier=f((sup_ids.index(o.supplier) for _, o in opts), int),
        opt_lead=f((o.lead_time_days for _, o in opts), int),
        opt_cap=f(o.capacity_per_day for _, o in opts),
        opt_cost=f(o.unit_cost for _, o in opts),
        opt_min_order=f(o.min_order for _, o in opts),
        opt_act_days=f((o.activation_days for _, o in opts), int),
        opt_act_cost=f(o.activation_cost for _, o in opts),
        supplier_ids=sup_ids,
        supplier_region=f((region_ids.index(s.region_code) for s in plant.suppliers), int),
        region_ids=region_ids,
        region_transit=region_transit,
        region_lane=region_lane,
        lane_ids=lane_ids,
        supplier_down=_rows([scenario.down("supplier", s, T) for s in sup_ids], T, bool),
        region_down=_rows([scenario.down("region", r, T) for r in region_ids], T, bool),
        lane_down=_rows([scenario.down("lane", a, T) for a in lane_ids], T, bool),
        extra_transit=_rows([scenario.extra_transit(r, T) for r in region_ids], T, int),
        order_ids=order_ids,
        order_product=f((prod_ids.index(o.product) for o in plant.orders), int),
        order_qty=f(o.qty for o in plant.orders),
        order_due=due,
        order_rank=f((o.priority.rank for o in plant.orders), int),
        order_penalty=f(o.penalty_per_unit_day for o in plant.orders),
        outbound_ids=tuple(outbound),
        outbound_orders=tuple(
            np.array([order_ids.index(o) for o in ids], dtype=int) for ids in outbound.values()
        ),
        outbound_down=np.zeros((len(outbound), T), dtype=bool),
        ttr_days=ttr,
    )
    validate(inp)
    return inp


def _rows(rows: list[np.ndarray], T: int, dtype: type) -> np.ndarray:
    return np.array(rows, dtype=dtype).reshape(len(rows), T)


def _plant_nodes(plant: PlantFile, region_ids: tuple[str, ...]) -> list[tuple[str, str]]:
    out = [(NodeKind.supplier.value, s.id) for s in plant.suppliers]
    out += [(NodeKind.region.value, r) for r in region_ids]
    out += [(NodeKind.lane.value, ln.id) for ln in plant.lanes]
    out += [(NodeKind.zone.value, z.id) for z in plant.zones]
    out += [(NodeKind.line.value, ln.id) for ln in plant.lines]
    return out
