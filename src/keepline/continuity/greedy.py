"""The baseline the optimiser is compared with: a greedy day-by-day dispatcher.

Purchasing: the net need of each material (bills of materials of every order due in the
horizon, less stock on hand) is bought as early as possible, preferring active options
in the plant file's order and falling back to backups (activated from day 0) only when
the active ones cannot ship that day; each order is at least the option's minimum and is
dispatched at capacity on consecutive days (an order cut short by a supplier going down
can end below the minimum).

Production: each day, orders are served in priority class, then earliest due date; an
order takes the room left on the lines that make its product, limited by the workers
left in each zone and shift and by material in stock, in whole units, and ships what is
made at once.
"""

from __future__ import annotations

import math

import numpy as np

from keepline.continuity.model import (
    PlanInput,
    Schedule,
    arrival_day,
    crew_room,
    earliest_dispatch,
    line_available,
    option_blocked,
    ship_blocked,
    use_crew,
)

EPS = 1e-9


def greedy_schedule(inp: PlanInput) -> Schedule:
    T = inp.horizon
    s = Schedule.empty(inp)
    in_h = np.flatnonzero(inp.order_due < T)
    need = (inp.order_qty[in_h, None] * inp.bom[inp.order_product[in_h]]).sum(axis=0)
    need = np.maximum(need - inp.on_hand, 0.0)
    blocked = option_blocked(inp)
    first = earliest_dispatch(inp)
    arrivals = np.zeros((len(inp.material_ids), T))
    backup = inp.opt_backup
    run_left = np.zeros(len(inp.opt_material))  # what an open purchase order still owes
    for t in range(T):
        for j in np.flatnonzero(run_left > EPS):
            # an order spans consecutive dispatch days; it closes when the option cannot ship
            if t < first[j] or blocked[j, t] or arrival_day(inp, j, t) >= T:
                run_left[j] = 0.0
                continue
            qty = float(min(inp.opt_cap[j], math.ceil(run_left[j] - EPS)))
            s.buy[j, t] = qty
            arrivals[inp.opt_material[j], arrival_day(inp, j, t)] += qty
            run_left[j] -= qty
            need[inp.opt_material[j]] -= qty
        for m in np.flatnonzero(need > EPS):
            opts = np.flatnonzero(inp.opt_material == m)
            opts = sorted(opts, key=lambda j: (backup[j], j))
            for j in opts:
                if need[m] <= EPS:
                    break
                if t < first[j] or blocked[j, t]:
                    continue
                a = arrival_day(inp, j, t)
                if a >= T:
                    continue
                if s.buy[j, t] > 0:
                    continue
                # a new order: at least the option's minimum, spread at capacity
                total = max(math.ceil(need[m] - EPS), float(inp.opt_min_order[j]))
                qty = float(min(inp.opt_cap[j], total))
                if qty <= 0:
                    continue
                run_left[j] = total - qty
                s.buy[j, t] = qty
                arrivals[m, a] += qty
                need[m] -= qty
                if backup[j] and s.activate[j] < 0:
                    s.activate[j] = 0
    stock = inp.on_hand.astype(float).copy()
    avail = line_available(inp)
    blocked_ship = ship_blocked(inp)
    served = np.zeros(len(inp.order_ids))
    seq = sorted(in_h, key=lambda o: (inp.order_rank[o], inp.order_due[o], o))
    for t in range(T):
        stock += arrivals[:, t]
        remaining = inp.workers[t].copy()
        used = np.zeros(len(inp.line_ids))
        for o in seq:
            left = inp.order_qty[o] - served[o]
            if left <= EPS or blocked_ship[o, t]:
                continue
            p = inp.order_product[o]
            for q in np.flatnonzero(inp.pair_product == p):
                ln = inp.pair_line[q]
                if not avail[ln, t]:
                    continue
                room = min(1.0 - used[ln], crew_room(inp, ln, remaining))
                n = min(left, room * inp.pair_rate[q])
                bom = inp.bom[p]
                for m in np.flatnonzero(bom > 0):
                    n = min(n, stock[m] / bom[m])
                n = math.floor(n + 1e-7)
                if n <= 0:
                    continue
                stock -= bom * n
                used[ln] += n / inp.pair_rate[q]
                use_crew(inp, ln, n / inp.pair_rate[q], remaining)
                s.produce[q, t] += n
                s.ship[o, t] += n
                served[o] += n
                left -= n
                if left <= EPS:
                    break
    return s
