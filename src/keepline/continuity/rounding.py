"""Rounding an LP plan to whole units, in a step of its own whose result the checker
verifies.

1. Purchases: each day's LP quantity is rounded *up* (never above the option's daily
   capacity; LP noise within 0.001 of a whole number is dropped); then every purchase
   order — a run of consecutive dispatch days of one option — below the option's
   ``min_order`` is topped up on the following, then the preceding, allowed days.
   Buying more only raises stock, so nothing downstream becomes infeasible; the extra
   cost is what the relaxed ``min_order`` hid.
2. Production follows the LP's *cumulative* output per (line, product), rounded down,
   capped each day by the line's room and the workers left in its zone and shift, so
   capacity and crew hold exactly; a product made on several lines then gets the units
   its pairs' fractions add up to, on whichever of its lines has room, so each product
   keeps up with the LP's output of it rounded down; the room left on a line goes, a
   unit at a time, to its products furthest behind the LP (only while material stays at
   or above the LP's own stock that day), so the lag behind the LP stays under one unit
   per line.
3. Shipments follow the LP's cumulative shipments per order, limited by whole finished
   units in stock; units beyond what the LP still means to ship go to open, due orders
   in priority order.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from keepline.continuity.model import (
    PlanInput,
    Schedule,
    arrival_days,
    crew_room,
    earliest_dispatch,
    line_available,
    option_blocked,
    ship_blocked,
    use_crew,
)

EPS = 1e-6
# LP values within SNAP units (plus 1e-6 relative) of a whole number count as that number: HiGHS
# solutions carry ~1e-7 relative error, which on a cumulative total of thousands of units
# would otherwise floor a whole unit away. Feasibility is checked explicitly anyway.
SNAP = 1e-3


def _snap(value: float | np.ndarray) -> float | np.ndarray:
    return SNAP + 1e-6 * abs(value)


def round_schedule(inp: PlanInput, lp: Schedule) -> tuple[Schedule, list[str]]:
    """Whole-unit schedule from an LP schedule, and notes on what could not be kept."""
    notes: list[str] = []
    T = inp.horizon
    out = Schedule.empty(inp)
    arrive = arrival_days(inp)
    buy = _round_purchases(inp, lp.buy, notes, arrive)
    out.buy = buy
    for j in range(len(inp.opt_material)):
        if inp.opt_backup[j] and buy[j].any():
            first = int(np.flatnonzero(buy[j] > 0)[0])
            out.activate[j] = max(0, first - int(inp.opt_lead[j]) - int(inp.opt_act_days[j]))

    arrivals = _arrivals(inp, buy, arrive)
    stock = inp.on_hand.astype(float).copy()
    # the LP's own material stock at each day's end: an extra unit (below) may use
    # material early only while stock stays at or above it, so every later day of the
    # LP's production stays within reach
    lp_arrivals = _arrivals(inp, np.where(lp.buy > 0, lp.buy, 0.0), arrive)
    lp_use = np.zeros_like(arrivals)
    for q in range(len(inp.pair_line)):
        lp_use += np.outer(inp.bom[inp.pair_product[q]], lp.produce[q])
    lp_stock = inp.on_hand[:, None] + np.cumsum(lp_arrivals - lp_use, axis=1)
    fg = np.zeros(len(inp.product_ids))
    avail = line_available(inp)
    cum_lp = np.cumsum(lp.produce, axis=1)
    made = np.zeros(len(inp.pair_line))
    cum_ship_lp = np.cumsum(lp.ship, axis=1)
    # whole units the LP ships to each order over the horizon
    lp_whole = np.array(
        [
            inp.order_qty[o]
            if cum_ship_lp[o, -1] >= inp.order_qty[o] - _snap(inp.order_qty[o])
            else math.floor(cum_ship_lp[o, -1] + _snap(cum_ship_lp[o, -1]))
            for o in range(len(inp.order_ids))
        ]
    )
    shipped = np.zeros(len(inp.order_ids))
    blocked_ship = ship_blocked(inp)
    order_seq = np.array(
        sorted(range(len(inp.order_ids)), key=lambda o: (inp.order_rank[o], inp.order_due[o], o)),
        dtype=int,
    )
    in_h = inp.order_due < T
    # each product's materials and units of each per unit made
    bom_of = [(np.flatnonzero(row > 0), row[row > 0]) for row in inp.bom]
    pairs_of_line = [np.flatnonzero(inp.pair_line == ln) for ln in range(len(inp.line_ids))]
    pairs_of_product = [np.flatnonzero(inp.pair_product == p) for p in range(len(inp.product_ids))]
    multi_line = np.array([p for p, qs in enumerate(pairs_of_product) if len(qs) > 1], int)
    cum_p = np.zeros((len(inp.product_ids), T))
    np.add.at(cum_p, inp.pair_product, cum_lp)
    for t in range(T):
        stock += arrivals[:, t]
        remaining = inp.workers[t].copy()
        used = np.zeros(len(inp.line_ids))
        for ln, qs in enumerate(pairs_of_line):
            if not avail[ln, t] or len(qs) == 0:
                continue
            room = min(1.0, crew_room(inp, ln, remaining))
            for q in qs:
                want = math.floor(cum_lp[q, t] - made[q] + _snap(cum_lp[q, t]))
                if want <= 0:
                    continue
                p = inp.pair_product[q]
                rate = inp.pair_rate[q]
                n = min(want, math.floor((room - used[ln]) * rate + EPS))
                mats, need = bom_of[p]
                if len(mats):
                    n = min(n, math.floor(float((stock[mats] / need).min()) + EPS))
                if n <= 0:
                    continue
                stock[mats] -= need * n
                made[q] += n
                out.produce[q, t] = n
                fg[p] += n
                used[ln] += n / rate
            use_crew(inp, ln, used[ln], remaining)
        day = _Day(inp, bom_of, stock, made, out, fg, used, remaining, avail)
        # a product made on several lines can fall a whole unit behind the LP's output
        # of it while each pair lags less than one: make that unit on one of its pairs
        # with room (furthest behind first). Up to the LP's own output of every product,
        # rounded down, the material is there: the LP used at least that much by today,
        # and purchases were rounded up.
        behind = np.bincount(inp.pair_product, cum_lp[:, t] - made, minlength=len(fg))
        for p in multi_line[behind[multi_line] + _snap(cum_p[multi_line, t]) >= 1.0]:
            qs = pairs_of_product[p]
            gap = cum_lp[qs, t] - made[qs]
            while gap.sum() + _snap(cum_lp[qs, t].sum()) >= 1.0:
                if not any(day.one_more(int(q), t) for q in qs[np.argsort(-gap, kind="stable")]):
                    break
                gap = cum_lp[qs, t] - made[qs]
        # whole units lost to rounding down wait while the line is full: give the room
        # left to the products furthest behind the LP, one unit at a time (material
        # permitting, and only while it stays at or above the LP's own stock: this unit
        # runs ahead of the LP), so the lag stays below a unit per line, not per pair.
        # Largest lag first (ties: larger pair index); a pair that does not fit now
        # never fits later this day (room, crew and stock only shrink), so it leaves
        # the heap.
        for ln, qs in enumerate(pairs_of_line):
            if not avail[ln, t] or len(qs) == 0:
                continue
            heap = [(-(cum_lp[q, t] - made[q]), -q) for q in qs if cum_lp[q, t] - made[q] > EPS]
            if not heap:
                continue
            heapq.heapify(heap)
            # within one line the workers left shrink by exactly what it uses
            room = min(1.0, used[ln] + crew_room(inp, ln, remaining))
            before = used[ln]
            while heap:
                _, q = heapq.heappop(heap)
                q = -q
                mats, need = bom_of[inp.pair_product[q]]
                if (stock[mats] - need < lp_stock[mats, t] - EPS).any():
                    continue
                if not day.one_more(q, t, room):
                    continue
                if cum_lp[q, t] - made[q] > EPS:
                    heapq.heappush(heap, (-(cum_lp[q, t] - made[q]), -q))
            use_crew(inp, ln, used[ln] - before, remaining)
        # the orders that may ship today, in priority order (the filters are the loop's
        # own conditions, taken for every order at once)
        cum = cum_ship_lp[:, t]
        targets = np.floor(cum + _snap(cum))
        targets = np.where(cum >= inp.order_qty - _snap(inp.order_qty), inp.order_qty, targets)
        open_today = in_h & ~blocked_ship[:, t]
        for o in order_seq[(open_today & (targets - shipped > 0))[order_seq]]:
            p = inp.order_product[o]
            n = min(targets[o] - shipped[o], math.floor(fg[p] + EPS))
            if n > 0:
                out.ship[o, t] += n
                shipped[o] += n
                fg[p] -= n
        # finished units beyond what the LP still means to ship (to any order) go to open
        # orders already due, most critical first
        owed = np.zeros(len(inp.product_ids))
        np.add.at(
            owed, inp.order_product[order_seq], np.maximum(0.0, lp_whole - shipped)[order_seq]
        )
        # a product's free units only shrink in the loop below
        spare = np.floor(fg - owed + EPS) > 0
        due_now = (
            open_today & (inp.order_due <= t) & (shipped < inp.order_qty) & spare[inp.order_product]
        )
        for o in order_seq[due_now[order_seq]]:
            p = inp.order_product[o]
            free = math.floor(fg[p] - owed[p] + EPS)
            n = min(inp.order_qty[o] - shipped[o], free)
            if n > 0:
                before = max(0.0, lp_whole[o] - shipped[o])
                out.ship[o, t] += n
                shipped[o] += n
                fg[p] -= n
                owed[p] -= before - max(0.0, lp_whole[o] - shipped[o])
    _trim_unshipped(inp, out)
    _advance_late_units(inp, out, order_seq, arrive, arrivals)
    return out, notes


def _arrivals(inp: PlanInput, buy: np.ndarray, arrive: np.ndarray) -> np.ndarray:
    """[M, T] material arriving per day from purchases ``buy[j, t]`` (by dispatch day)
    that arrive inside the horizon."""
    out = np.zeros((len(inp.material_ids), inp.horizon))
    j, t = np.nonzero(buy)
    ok = arrive[j, t] < inp.horizon
    np.add.at(out, (inp.opt_material[j[ok]], arrive[j[ok], t[ok]]), buy[j[ok], t[ok]])
    return out


def _trim_unshipped(inp: PlanInput, s: Schedule) -> None:
    """Drop units no order will take: beyond what ships in the horizon and what the
    orders due after it ask for, earliest first, while finished stock stays ≥ 0 on every
    day. The lateness levels leave production that ships nothing free (it costs no
    lateness, and the cost level prices purchases only), and such units hold line room
    and material that late units need (``_advance_late_units``). On the 10× benchmark
    plant the lateness-only plan made 109,870 of them."""
    T = inp.horizon
    P = len(inp.product_ids)
    made = np.zeros((P, T))
    np.add.at(made, inp.pair_product, s.produce)
    shipped = np.zeros((P, T))
    np.add.at(shipped, inp.order_product, s.ship)
    later = np.zeros(P)
    after = inp.order_due >= T
    np.add.at(later, inp.order_product[after], inp.order_qty[after])
    stock = np.cumsum(made - shipped, axis=1)
    for p in np.flatnonzero(stock[:, -1] - later >= 1 - EPS):
        qs = np.flatnonzero(inp.pair_product == p)
        # units that can go from day e on: the least finished stock from e to the end,
        # less what the later orders take
        room = np.minimum.accumulate(stock[p, ::-1])[::-1] - later[p]
        cut = 0.0
        for e in np.flatnonzero(made[p] > 0):
            x = math.floor(min(room[e] - cut, made[p, e]) + EPS)
            for q in qs:
                if x <= 0:
                    break
                take = min(x, s.produce[q, e])
                s.produce[q, e] -= take
                x -= take
                cut += take


def _advance_late_units(
    inp: PlanInput,
    s: Schedule,
    order_seq: np.ndarray,
    arrive: np.ndarray,
    arrivals: np.ndarray,
) -> None:
    """Ship late units on time where the whole-unit plan leaves room. For each order in
    priority order, while a unit ships late (or not at all): make one unit of its
    product on the latest day up to its due date where a line has room and crew, drop
    the first unit of that product made on or after the late shipment (so the unit's
    material is used earlier only over the days in between), and where that material
    is short on those days, add it to a purchase already placed that arrives in time
    and has capacity left. Nothing else moves, so no other order ships later, and the
    order's lateness falls by the unit's days late. ``arrive``: ``arrival_days``;
    ``arrivals``: what the purchases bring per material and day. (Following the LP day by day leaves
    such units behind where rounding down and units ahead of the LP meet; on the 10×
    benchmark plant this step takes the gap to the LP bound from 0.145 % to 0.131 %.)"""
    T = inp.horizon
    if len(inp.pair_line) == 0 or T == 0:
        return
    avail = line_available(inp)
    blocked_ship = ship_blocked(inp)
    rate = inp.pair_rate.astype(float)
    util = np.zeros((len(inp.line_ids), T))
    np.add.at(util, inp.pair_line, s.produce / rate[:, None])
    remaining = inp.workers[:T].astype(float).copy()
    for ln in range(len(inp.line_ids)):
        for t in np.flatnonzero(util[ln] > 0):
            use_crew(inp, ln, util[ln, t], remaining[t])
    made = np.zeros((len(inp.product_ids), T))
    np.add.at(made, inp.pair_product, s.produce)
    stock = inp.on_hand[:, None] + np.cumsum(arrivals - inp.bom.T @ made, axis=1)
    opts_of = [np.flatnonzero(inp.opt_material == m) for m in range(len(inp.material_ids))]

    def topups(m: int, units: float) -> tuple[np.ndarray, np.ndarray]:
        """Placed purchases of material m with room for ``units`` more, arriving inside
        the horizon: (option, dispatch day) pairs, latest arrival first."""
        js = opts_of[m]
        if not len(js):
            return np.zeros(0, int), np.zeros(0, int)
        room = (s.buy[js] > 0) & (s.buy[js] + units <= inp.opt_cap[js, None] + EPS)
        room &= arrive[js] < T
        jj, tt = np.nonzero(room)
        order = np.argsort(-arrive[js[jj], tt], kind="stable")
        return js[jj][order], tt[order]

    for o in order_seq:
        due = max(int(inp.order_due[o]), 0)
        if int(inp.order_due[o]) >= T or blocked_ship[o, due]:
            continue
        p = int(inp.order_product[o])
        qs = np.flatnonzero(inp.pair_product == p)
        mats = np.flatnonzero(inp.bom[p] > 0)
        need = inp.bom[p, mats]
        while s.ship[o, : due + 1].sum() < inp.order_qty[o] - EPS:
            late = np.flatnonzero(s.ship[o, due + 1 :] > EPS)
            t_late = due + 1 + int(late[0]) if len(late) else T
            later = np.flatnonzero(made[p, t_late:] >= 1 - EPS)
            d2 = t_late + int(later[0]) if len(later) else T
            # least stock over [d, d2) for every d up to the due date
            window = stock[mats, : due + 1]
            if d2 > due + 1:
                window = np.minimum(window, stock[mats, due + 1 : d2].min(axis=1)[:, None])
            least = np.minimum.accumulate(window[:, ::-1], axis=1)[:, ::-1]
            short = np.maximum(need[:, None] - least, 0.0)
            short[short <= EPS] = 0.0
            # a short material needs a top-up arriving by day d
            first_topup = np.full(len(mats), T)
            top = {}
            for i, m in enumerate(mats):
                if short[i].any():
                    top[i] = topups(int(m), math.ceil(float(short[i].max()) - EPS))
                    if len(top[i][0]):
                        first_topup[i] = int(arrive[top[i][0], top[i][1]].min())
            days = np.arange(due + 1)
            ok_mat = np.all((short == 0) | (first_topup[:, None] <= days[None, :]), axis=0)
            spot = None
            for d in np.flatnonzero(ok_mat)[::-1]:
                for q in qs:
                    ln = int(inp.pair_line[q])
                    step = 1.0 / rate[q]
                    if (
                        avail[ln, d]
                        and util[ln, d] + step <= 1.0 + EPS
                        and crew_room(inp, ln, remaining[d]) >= step - EPS
                    ):
                        spot = (int(d), int(q))
                        break
                if spot is not None:
                    break
            if spot is None:
                break  # nothing has changed: the order's next unit would not fit either
            d, q = spot
            for i in np.flatnonzero(short[:, d] > 0):
                x = math.ceil(float(short[i, d]) - EPS)
                js, ts = top[int(i)]
                pick = np.flatnonzero(arrive[js, ts] <= d)[0]
                j, t = int(js[pick]), int(ts[pick])
                s.buy[j, t] += x
                stock[mats[i], arrive[j, t] :] += x
            ln = int(inp.pair_line[q])
            s.produce[q, d] += 1
            util[ln, d] += 1.0 / rate[q]
            use_crew(inp, ln, 1.0 / rate[q], remaining[d])
            made[p, d] += 1
            stock[mats, d:d2] -= need[:, None]
            if d2 < T:
                q2 = int(qs[np.flatnonzero(s.produce[qs, d2] >= 1 - EPS)[0]])
                ln2 = int(inp.pair_line[q2])
                s.produce[q2, d2] -= 1
                util[ln2, d2] -= 1.0 / rate[q2]
                use_crew(inp, ln2, -1.0 / rate[q2], remaining[d2])
                made[p, d2] -= 1
            if t_late < T:
                s.ship[o, t_late] -= 1
            s.ship[o, due] += 1


@dataclass
class _Day:
    """What one day's rounding has left: stock, line use and workers."""

    inp: PlanInput
    bom_of: list[tuple[np.ndarray, np.ndarray]]
    stock: np.ndarray
    made: np.ndarray
    out: Schedule
    fg: np.ndarray
    used: np.ndarray
    remaining: np.ndarray
    avail: np.ndarray

    def one_more(self, q: int, t: int, room: float | None = None) -> bool:
        """One more unit of pair q on day t, if its line, crew and stock allow (``room``:
        the line's utilisation limit, line and crew, when the caller knows it)."""
        inp = self.inp
        ln = inp.pair_line[q]
        step = 1.0 / inp.pair_rate[q]
        mats, need = self.bom_of[inp.pair_product[q]]
        limit = 1.0 if room is None else room
        if (
            not self.avail[ln, t]
            or self.used[ln] + step > limit + EPS
            or (self.stock[mats] < need - EPS).any()
        ):
            return False
        if room is None and crew_room(inp, ln, self.remaining) < step - EPS:
            return False
        self.stock[mats] -= need
        self.made[q] += 1
        self.out.produce[q, t] += 1
        self.fg[inp.pair_product[q]] += 1
        self.used[ln] += step
        if room is None:  # (with a room, the caller books the crew for the whole pass)
            use_crew(inp, ln, step, self.remaining)
        return True


def _round_purchases(
    inp: PlanInput, buy_lp: np.ndarray, notes: list[str], arrive: np.ndarray
) -> np.ndarray:
    T = inp.horizon
    blocked = option_blocked(inp)
    first = earliest_dispatch(inp)
    # round up, except LP noise within SNAP of a whole number (production rounding
    # checks stock unit by unit, so a dropped speck of material cannot go negative)
    up = np.ceil(buy_lp - SNAP - 1e-6 * np.abs(buy_lp))
    buy = np.where(up > 0, np.minimum(up, inp.opt_cap[:, None]), 0.0)
    for j in range(len(inp.opt_material)):
        cap = float(inp.opt_cap[j])
        ok = (np.arange(T) >= first[j]) & ~blocked[j] & (arrive[j] < T)
        buy[j, ~ok] = 0.0
        min_order = float(inp.opt_min_order[j])
        t = 0
        while t < T:
            if buy[j, t] <= 0:
                t += 1
                continue
            end = t
            while end + 1 < T and buy[j, end + 1] > 0:
                end += 1
            total = buy[j, t : end + 1].sum()
            # top up on the run's days and the allowed days after it, then before it
            d = t
            while total < min_order - EPS and d < T and ok[d]:
                add = min(cap - buy[j, d], min_order - total)
                buy[j, d] += add
                total += add
                d += 1
            b = t - 1
            while total < min_order - EPS and b >= 0 and ok[b]:
                add = min(cap - buy[j, b], min_order - total)
                buy[j, b] += add
                total += add
                b -= 1
            if total < min_order - EPS:
                notes.append(
                    f"purchase of {inp.material_ids[inp.opt_material[j]]} from "
                    f"{inp.supplier_ids[inp.opt_supplier[j]]} dispatched "
                    f"{inp.day(t).isoformat()}: {total:g} is below the minimum order "
                    f"{min_order:g} and the supplier has no room to make it up"
                )
            t = max(d, end + 1)
            while t < T and buy[j, t] > 0:
                t += 1
    return buy
