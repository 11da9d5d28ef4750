"""An independent plan checker.

It verifies a :class:`~keepline.continuity.model.Schedule` against the raw facts of a
:class:`~keepline.continuity.model.PlanInput` and shares no code with the LP, the
rounding or the greedy baseline: arrival days, blocked days and crew use are recomputed
here from lead times, lane transit days, scenario masks and crew tables.

Returns a list of violations (empty when the plan is valid), each one sentence.
"""

from __future__ import annotations

import numpy as np

from keepline.continuity.model import PlanInput, Schedule

# the phrase every minimum-order shortfall carries: a shortfall the supplier had no room to
# make up is reported to the planner, not a broken rule (see rounding.py)
MIN_ORDER_SHORTFALL = "below the minimum"


def hard_violations(violations: list[str]) -> list[str]:
    """The violations that make a plan unusable: all but minimum-order shortfalls."""
    return [v for v in violations if MIN_ORDER_SHORTFALL not in v]


def check_schedule(
    inp: PlanInput, s: Schedule, integral: bool = False, tol: float = 1e-5
) -> list[str]:
    T = inp.horizon
    bad: list[str] = []

    def day(t: int) -> str:
        return inp.day(t).isoformat()

    for name, arr in (("production", s.produce), ("purchase", s.buy), ("shipment", s.ship)):
        if (arr < -tol).any():
            bad.append(f"{name}: a negative quantity")
        if integral and (np.abs(arr - np.round(arr)) > tol).any():
            bad.append(f"{name}: a quantity that is not a whole unit")

    # -- lines: utilisation ≤ 1, nothing while the line or its zone is down
    util = np.zeros((len(inp.line_ids), T))
    for q in range(len(inp.pair_line)):
        util[inp.pair_line[q]] += s.produce[q] / inp.pair_rate[q]
    for ln, lid in enumerate(inp.line_ids):
        zone = inp.line_zone[ln]
        for t in range(T):
            if util[ln, t] > 1 + tol:
                bad.append(f"line {lid} on {day(t)}: {util[ln, t]:.4f} of its daily rate")
            if util[ln, t] > tol and (inp.line_down[ln, t] or inp.zone_down[zone, t]):
                bad.append(f"line {lid} on {day(t)}: runs while it or its zone is down")

    # -- crew: per zone, shift, skill and day
    for z, zid in enumerate(inp.zone_ids):
        for sh, sid in enumerate(inp.shift_ids):
            for k, kid in enumerate(inp.skill_ids):
                need = np.zeros(T)
                for ln in range(len(inp.line_ids)):
                    if inp.line_zone[ln] == z and inp.line_runs[ln, sh]:
                        need += inp.crew[ln, k] * util[ln]
                over = np.flatnonzero(need > inp.workers[:T, z, sh, k] + tol * (1 + need))
                for t in over[:3]:
                    bad.append(
                        f"crew {zid}/{sid}/{kid} on {day(t)}: needs {need[t]:.2f}, "
                        f"{inp.workers[t, z, sh, k]:g} available"
                    )

    # -- purchases: ordering day, activation, capacity, down days; arrivals
    arrivals = np.zeros((len(inp.material_ids), T))
    for j in range(len(inp.opt_material)):
        sup = inp.opt_supplier[j]
        reg = inp.supplier_region[sup]
        lane = inp.region_lane[reg]
        transit = int(inp.region_transit[reg])
        who = f"{inp.material_ids[inp.opt_material[j]]} from {inp.supplier_ids[sup]}"
        needs_activation = inp.opt_act_days[j] > 0 or inp.opt_act_cost[j] > 0
        for t in np.flatnonzero(s.buy[j] > tol):
            qty = s.buy[j, t]
            ordered = t - int(inp.opt_lead[j])
            if ordered < 0:
                bad.append(f"purchase {who} dispatched {day(t)}: ordered before day 0")
            if needs_activation:
                start = int(s.activate[j])
                if start < 0:
                    bad.append(f"purchase {who}: backup used without activation")
                elif ordered < start + int(inp.opt_act_days[j]):
                    bad.append(f"purchase {who} ordered {day(max(ordered, 0))}: before activation")
            if qty > inp.opt_cap[j] + tol:
                bad.append(f"purchase {who} on {day(t)}: {qty:g} above capacity")
            if inp.supplier_down[sup, t] or inp.region_down[reg, t]:
                bad.append(f"purchase {who} dispatched {day(t)}: supplier or region down")
            if lane >= 0:
                travel = range(t, min(T, t + max(1, transit)))
                if any(inp.lane_down[lane, d] for d in travel):
                    bad.append(f"purchase {who} dispatched {day(t)}: its lane is down")
            arrive = t + transit + int(inp.extra_transit[reg, t])
            if arrive < T:
                arrivals[inp.opt_material[j], arrive] += qty
        if integral and inp.opt_min_order[j] > 0:
            t = 0
            while t < T:
                if s.buy[j, t] <= tol:
                    t += 1
                    continue
                start = t
                while t < T and s.buy[j, t] > tol:
                    t += 1
                total = s.buy[j, start:t].sum()
                if total < inp.opt_min_order[j] - tol:
                    bad.append(
                        f"purchase {who} from {day(start)}: order of {total:g} "
                        f"{MIN_ORDER_SHORTFALL} {inp.opt_min_order[j]:g}"
                    )

    # -- material stock never negative
    use = np.zeros((len(inp.material_ids), T))
    for q in range(len(inp.pair_line)):
        use += np.outer(inp.bom[inp.pair_product[q]], s.produce[q])
    stock = inp.on_hand[:, None] + np.cumsum(arrivals - use, axis=1)
    for m, t in zip(*np.nonzero(stock < -tol * (1 + np.abs(use).max(initial=0))), strict=True):
        bad.append(f"material {inp.material_ids[m]} on {day(t)}: stock {stock[m, t]:.3f}")
        break

    # -- finished goods: shipped no more than made, by day; orders not over-shipped
    made = np.zeros((len(inp.product_ids), T))
    for q in range(len(inp.pair_line)):
        made[inp.pair_product[q]] += s.produce[q]
    shipped = np.zeros((len(inp.product_ids), T))
    for o in range(len(inp.order_ids)):
        shipped[inp.order_product[o]] += s.ship[o]
        if s.ship[o].sum() > inp.order_qty[o] + tol:
            bad.append(
                f"order {inp.order_ids[o]}: {s.ship[o].sum():g} shipped, "
                f"ordered {inp.order_qty[o]:g}"
            )
    fg = np.cumsum(made - shipped, axis=1)
    for p, t in zip(*np.nonzero(fg < -tol * (1 + made.max(initial=0))), strict=True):
        bad.append(
            f"product {inp.product_ids[p]} on {day(t)}: ships {-fg[p, t]:.3f} more than made"
        )
        break
    for b, orders in enumerate(inp.outbound_orders):
        for o in orders:
            if (s.ship[o][inp.outbound_down[b]] > tol).any():
                bad.append(f"order {inp.order_ids[o]}: ships while {inp.outbound_ids[b]} is down")
    return bad
