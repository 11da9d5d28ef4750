"""Risk exposure of every node: time to survive (TTS), time to recover (TTR) and
performance impact (PI), after Simchi-Levi, Wang & Wei (2014, HBR "From superstorms to
factory fires") and Simchi-Levi et al. (2015, Interfaces 45(5) 375-390).

Demand here is what the plant can ship *on time* under the scenario with every node up:
the baseline LP's on-time shipments ``D[o]`` (all orders, or the critical classes only).
For a node n:

* **TTS(n)**: with n down from day 0 to the end of the horizon and the plant re-planned
  (stock, other options, backups after their activation days), the due day of the
  earliest order whose ``D[o]`` can no longer be shipped on time; the horizon length when
  every order due in the horizon is still met. Found by bisection over due days, each
  step an LP that maximises on-time shipments of the orders due up to that day.
* **TTR(n)**: from the plant file (``recovery``: per node, or a default per node kind).
* **PI(n)**: with n down on days ``0 .. TTR(n) − 1`` only, the least priority-weighted
  shortfall (units × weight, front-line 100, livelihood 10, standard 1) of orders due
  within those days. Shipments on day d depend only on days ≤ d, so PI > 0 exactly when
  TTS < TTR (tested).

The LP is built once; each node changes only bounds (its options' purchases, its lines'
rows, its orders' shipments), solved by dual simplex from the previous basis, then put
back.

Exact shortcuts (``shortcuts=True``, the default; ``False`` keeps every solve, the
reference the tests compare against): a *witness* is a plan that meets every target (the
baseline's optimal solution, and one that buys as little as possible). When a witness puts
nothing on the columns a node's loss fixes to zero, other than shipments, that witness
with the node's shipments removed is still feasible (a shipment only draws finished
stock) and meets every target of every other order, which bounds every question from
above: the node's numbers follow without a solve. This decides every outbound node, and
every supplier, region or lane whose purchases a witness does not need. Materials whose
supply always covers the most their lines could use, and crew rows that cover every
line's full crew, cannot bind while their own supply is up (proof in ``_find_blocks``);
without them the LP splits into blocks, and a node is solved on the LP of its blocks
only (built once per block, warm-started), every other order at its target.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from keepline.continuity import lp as lpm
from keepline.continuity.model import (
    PRIORITY_NAMES,
    PlanInput,
    build_input,
    line_available,
    orders_in_horizon,
)
from keepline.plant.schema import NodeKind, PlantFile
from keepline.scenario import NO_SCENARIO, Scenario
from keepline.workforce import site_workforce

CLASS_WEIGHT = np.array([100.0, 10.0, 1.0])  # front-line, livelihood, standard
CRITICAL_RANKS = (0, 1)
DUAL, PRIMAL = 1, 4  # HiGHS simplex_strategy: after bound changes, after cost changes
ZERO = 1e-9  # a witness's value below this counts as nothing on that column
# A warm solve that needs more simplex iterations than this is started again from
# scratch with presolve (a node that removes half the plant's output, e.g. a material
# every line needs, takes thousands of warm dual iterations but a few hundred after
# presolve; measured on Willems chain 38)
WARM_ITERATIONS = 400
# a node's blocks are solved on their own LP when that LP has at most this share of the
# plant LP's nonzeros (estimated), else on the plant's LP
BLOCK_SHARE = 0.3


@dataclass
class NodeExposure:
    kind: str
    id: str
    tts_days: int  # = horizon when it survives the whole horizon
    ttr_days: int
    pi: float  # priority-weighted units short during TTR
    units_short: dict[str, float]
    horizon: int
    rei: float = 0.0  # risk exposure index: PI / max PI
    # down in the scenario itself, days [down_from, back) (see ``scenario_exposure``)
    down_from: int | None = None
    back: int | None = None

    @property
    def survives_horizon(self) -> bool:
        return self.tts_days >= self.horizon

    @property
    def flagged(self) -> bool:
        """TTS < TTR: the plant runs out before the node recovers."""
        return self.tts_days < min(self.ttr_days, self.horizon)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "tts_days": self.tts_days,
            "tts_at_least_horizon": self.survives_horizon,
            "ttr_days": self.ttr_days,
            "pi": self.pi,
            "risk_exposure_index": self.rei,
            "flagged": self.flagged,
            "units_short": self.units_short,
            "down_in_scenario": (
                None
                if self.down_from is None
                else {"from_day": self.down_from, "back_day": self.back}
            ),
        }


@dataclass
class ExposureRun:
    nodes: list[NodeExposure]
    targets: np.ndarray  # D[o]
    seconds: float
    solves: int
    warm: bool
    cold_restarts: int = 0  # warm solves restarted from scratch (``WARM_ITERATIONS``)
    answered: int = 0  # nodes answered from a witness, without a solve
    blocks: int = 0  # nodes solved on the LP of their blocks only
    order_of: np.ndarray | None = None  # per target: the order's index in the input


def restrict(
    inp: PlanInput, lines: np.ndarray, materials: np.ndarray
) -> tuple[PlanInput, np.ndarray]:
    """The plan of some lines (with every product they make and every line that makes
    those), the given materials only (the others dropped from the bills of materials),
    and the orders of those products; and those orders' indices in ``inp``. Zones,
    suppliers, regions and lanes stay whole, so their indices keep their meaning."""
    pairs = np.flatnonzero(np.isin(inp.pair_line, lines))
    products = np.unique(inp.pair_product[pairs])
    orders = np.flatnonzero(np.isin(inp.order_product, products))
    opts = np.flatnonzero(np.isin(inp.opt_material, materials))

    def remap(values: np.ndarray, kept: np.ndarray) -> np.ndarray:
        return np.searchsorted(kept, values)

    sub = replace(
        inp,
        line_ids=tuple(inp.line_ids[i] for i in lines),
        line_zone=inp.line_zone[lines],
        line_runs=inp.line_runs[lines],
        crew=inp.crew[lines],
        line_down=inp.line_down[lines],
        product_ids=tuple(inp.product_ids[i] for i in products),
        pair_line=remap(inp.pair_line[pairs], lines),
        pair_product=remap(inp.pair_product[pairs], products),
        pair_rate=inp.pair_rate[pairs],
        bom=inp.bom[np.ix_(products, materials)],
        material_ids=tuple(inp.material_ids[i] for i in materials),
        on_hand=inp.on_hand[materials],
        opt_material=remap(inp.opt_material[opts], materials),
        opt_supplier=inp.opt_supplier[opts],
        opt_lead=inp.opt_lead[opts],
        opt_cap=inp.opt_cap[opts],
        opt_cost=inp.opt_cost[opts],
        opt_min_order=inp.opt_min_order[opts],
        opt_act_days=inp.opt_act_days[opts],
        opt_act_cost=inp.opt_act_cost[opts],
        order_ids=tuple(inp.order_ids[i] for i in orders),
        order_product=remap(inp.order_product[orders], products),
        order_qty=inp.order_qty[orders],
        order_due=inp.order_due[orders],
        order_rank=inp.order_rank[orders],
        order_penalty=inp.order_penalty[orders],
        outbound_ids=(),
        outbound_orders=(),
        outbound_down=np.zeros((0, inp.horizon), dtype=bool),
    )
    return sub, orders


class _Exposure:
    """The LP built once, with bound changes per node."""

    def __init__(
        self,
        inp: PlanInput,
        critical_only: bool,
        opts: lpm.SolverOptions,
        shortcuts: bool = True,
        targets: np.ndarray | None = None,
        tols: tuple[float, float] | None = None,
    ):
        """``targets`` (with the parent's ``tols``): a block of a larger plant whose
        baseline is known; nothing is solved until the node's first question."""
        self.inp = inp
        self.opts = opts
        self.shortcuts = shortcuts
        self.lost: np.ndarray | None = None  # set: shortfall() answers without a solve
        self.cold = 0  # warm solves restarted from scratch
        self.answered = 0  # nodes answered from a witness
        self.blocks = 0  # nodes solved on their blocks only
        self.model = lpm.build(inp, "exposure")
        m = self.model
        self.so = m.s_order
        self.sd = m.s_day
        self.s_cols = m.s0 + np.arange(len(self.so))
        ranks = inp.order_rank[self.so]
        self.weight = CLASS_WEIGHT[ranks]
        self.target_mask = (
            np.isin(ranks, CRITICAL_RANKS) if critical_only else np.ones_like(ranks, dtype=bool)
        )
        self.early_weight = 1.0 + (inp.horizon - self.sd) / inp.horizon
        self.solves = 0
        self.h = lpm.new_highs(m, np.zeros(m.n_col), opts)
        self.h.setOptionValue("solver", "simplex")
        self.witnesses: list[np.ndarray] = []
        self.relaxed: np.ndarray | None = None
        self.children: dict[tuple[bytes, bytes], _Exposure] = {}
        if targets is not None:
            self._given(targets, tols)
            return
        # baseline: the most the plant ships on time with every node up
        ub = m.col_upper[self.s_cols].copy()
        ub[~self.target_mask] = 0.0
        self._set_cols(self.s_cols, np.zeros(len(ub)), ub)
        cost = np.zeros(m.n_col)
        cost[self.s_cols] = -self.weight
        self._solve(cost, "exposure baseline")
        x = np.array(self.h.getSolution().col_value)[self.s_cols]
        self.targets = np.clip(x, 0.0, ub)
        self.targets[self.targets < 1e-9] = 0.0
        self._set_cols(self.s_cols, np.zeros(len(ub)), self.targets)
        cost[self.s_cols] = -self.early_weight
        self._solve(cost, "exposure baseline", PRIMAL)
        # every node starts from this optimal basis: no drift from node to node
        self.base_basis = self.h.getBasis()
        self.base_cost = cost
        self.tol = 1e-6 * max(1.0, float(self.targets.sum()))
        self.order_tol = 1e-6 * max(1.0, float(self.targets.max(initial=0.0)))
        self.col_upper = m.col_upper.copy()
        self.col_upper[self.s_cols] = self.targets
        self.row_upper = m.row_upper.copy()
        if shortcuts:
            self._find_witnesses()
            self._find_blocks()

    def _given(self, targets: np.ndarray, tols: tuple[float, float] | None) -> None:
        m = self.model
        self.targets = targets
        self._set_cols(self.s_cols, np.zeros(len(targets)), targets)
        self.base_cost = np.zeros(m.n_col)
        self.base_cost[self.s_cols] = -self.early_weight
        self.tol, self.order_tol = tols or (
            1e-6 * max(1.0, float(targets.sum())),
            1e-6 * max(1.0, float(targets.max(initial=0.0))),
        )
        self.col_upper = m.col_upper.copy()
        self.col_upper[self.s_cols] = targets
        self.row_upper = m.row_upper.copy()
        # the targets are met here too (a block of the parent's baseline): its basis is
        # where every node of the block starts
        self._solve(self.base_cost, "exposure block baseline", PRIMAL)
        self.base_basis = self.h.getBasis()

    def _find_witnesses(self) -> None:
        """Plans that meet every target: the baseline's optimum, and the plan that buys
        the least (min Σ purchases with shipments fixed at the targets). Each is kept
        only when it meets every target within ``order_tol``."""
        m = self.model
        x = np.array(self.h.getSolution().col_value)
        cand = [x]
        n_b = m.y0 - m.b0
        if n_b:
            b_cols = m.b0 + np.arange(n_b)
            self._set_cols(self.s_cols, self.targets, self.targets)
            self.h.changeColsCost(n_b, b_cols.astype(np.int32), np.ones(n_b))
            sc = np.zeros(len(self.s_cols))
            self.h.changeColsCost(len(sc), self.s_cols.astype(np.int32), sc)
            self.h.setOptionValue("simplex_strategy", PRIMAL)
            lpm.run_checked(self.h, "exposure witness", self.opts.time_limit_s)
            self.solves += 1
            cand.append(np.array(self.h.getSolution().col_value))
            self.h.changeColsCost(n_b, b_cols.astype(np.int32), np.zeros(n_b))
            sc = self.base_cost[self.s_cols]
            self.h.changeColsCost(len(sc), self.s_cols.astype(np.int32), sc)
            self._set_cols(self.s_cols, np.zeros(len(sc)), self.targets)
            self.h.setBasis(self.base_basis)
        for w in cand:
            if np.all(w[self.s_cols] >= self.targets - self.order_tol):
                self.witnesses.append(w)

    def _find_blocks(self) -> None:
        """Materials whose stock and purchases cover, on every day, the most the lines
        could ever use of them (each product's output capped by its lines' rates and by
        its total target) cannot bind while their supply is up: dropping their rows
        keeps every node's optimum. Proof: trim any optimal plan's production to what
        it ships (later days first; stocks only rise); its use of such a material is
        then within that cap, and buying at full capacity keeps the stock ≥ 0. Crew
        rows bind only when the zone-shift's workers are fewer than its lines' crews
        (utilisation ≤ 1). Without those rows the plan splits into blocks (connected
        lines, products and remaining materials and crew rows)."""
        inp, m = self.inp, self.model
        T = inp.horizon
        P, M = len(inp.product_ids), len(inp.material_ids)
        avail = line_available(inp)
        cap = np.zeros((P, T))
        for q in range(len(inp.pair_line)):
            cap[inp.pair_product[q]] += np.cumsum(inp.pair_rate[q] * avail[inp.pair_line[q]])
        total = np.zeros(P)
        np.add.at(total, inp.order_product[self.so], self.targets)
        use = inp.bom.T @ np.minimum(cap, total[:, None])  # [M, T] most ever used by t
        arrive = np.zeros((M, T))
        np.add.at(arrive, (inp.opt_material[m.b_opt], m.b_arr), m.col_upper[m.b0 : m.y0])
        have = inp.on_hand[:, None] + np.cumsum(arrive, axis=1)
        self.relaxed = np.all(have >= use * (1 + 1e-9) + 1e-9, axis=1)
        # crew keys that can bind on some day link their lines
        self.crew_links = [
            ls for key in lpm.binding_crews(inp, avail) if len(ls := lpm.crew_lines(inp, key)) > 1
        ]

    def _block(self, lp_kind: str, idx: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Lines and materials of the blocks a node touches, its own relaxed materials
        restored; None when that is the whole plant with nothing relaxed."""
        inp = self.inp
        if self.relaxed is None or lp_kind == "outbound":
            return None
        L, P, M = len(inp.line_ids), len(inp.product_ids), len(inp.material_ids)
        opt_region = inp.supplier_region[inp.opt_supplier]
        if lp_kind == NodeKind.supplier.value:
            mats = inp.opt_material[inp.opt_supplier == idx]
        elif lp_kind == NodeKind.region.value:
            mats = inp.opt_material[opt_region == idx]
        elif lp_kind == "inbound-lane":
            mats = inp.opt_material[inp.region_lane[opt_region] == idx]
        else:
            mats = np.zeros(0, dtype=int)
        keep = ~self.relaxed
        keep[mats] = True
        # graph: lines 0..L-1, products L..L+P-1, materials L+P..
        a = [inp.pair_line, L + inp.pair_product]
        b = [L + inp.pair_product, inp.pair_line]
        pm = np.argwhere((inp.bom > 0) & keep[None, :])
        a.append(L + pm[:, 0])
        b.append(L + P + pm[:, 1])
        for ls in self.crew_links:
            a.append(ls[:-1])
            b.append(ls[1:])
        n = L + P + M
        ai, bi = np.concatenate(a), np.concatenate(b)
        g = sp.coo_matrix((np.ones(len(ai)), (ai, bi)), shape=(n, n))
        _, label = connected_components(g, directed=False)
        if lp_kind == NodeKind.zone.value:
            seeds = np.flatnonzero(inp.line_zone == idx)
        elif lp_kind == NodeKind.line.value:
            seeds = np.array([idx])
        else:
            seeds = L + P + np.asarray(mats, dtype=int)
        hit = np.isin(label, label[seeds])
        lines = np.flatnonzero(hit[:L])
        materials = np.flatnonzero(hit[L + P :] & keep)
        if (lines.tobytes(), materials.tobytes()) in self.children:
            return lines, materials
        # a block nearly as large as the plant is better solved on the plant's LP, warm
        pairs = np.isin(inp.pair_line, lines)
        kept = np.zeros(M, dtype=bool)
        kept[materials] = True
        size = (
            (inp.bom[inp.pair_product[pairs]][:, kept] > 0).sum() + 4 * pairs.sum()
        ) * inp.horizon
        if size > BLOCK_SHARE * self.model.nnz():
            return None
        return lines, materials

    def _child(self, lines: np.ndarray, materials: np.ndarray) -> _Exposure:
        """The exposure LP of one block, with this plant's targets and tolerances, built
        once (kept for the next node of the same block) and warm-started from its own
        baseline basis."""
        key = (lines.tobytes(), materials.tobytes())
        if key not in self.children:
            sub, orders = restrict(self.inp, lines, materials)
            pos = np.searchsorted(self.so, orders[orders_in_horizon(sub)])
            self.children[key] = _Exposure(
                sub, False, self.opts, False, self.targets[pos].copy(), (self.tol, self.order_tol)
            )
            self.solves += self.children[key].solves
        return self.children[key]

    def _witnessed(self, cols: np.ndarray, rows: np.ndarray) -> np.ndarray | None:
        """Orders (positions in the shipment columns) a node's loss takes away, when a
        witness shows every other target still met; None when no witness does."""
        if len(rows) or not self.witnesses:
            return None
        is_s = cols >= self.model.s0
        other = cols[~is_s]
        if not any(np.all(w[other] <= ZERO) for w in self.witnesses):
            return None
        lost = np.zeros(len(self.so), dtype=bool)
        lost[cols[is_s] - self.model.s0] = True
        return lost

    # -- HiGHS plumbing
    def _set_cols(self, cols: np.ndarray, lo: np.ndarray, up: np.ndarray) -> None:
        if len(cols):
            self.h.changeColsBounds(len(cols), cols.astype(np.int32), lo, up)

    def _set_rows(self, rows: np.ndarray, lo: np.ndarray, up: np.ndarray) -> None:
        if len(rows):
            self.h.changeRowsBounds(len(rows), rows.astype(np.int32), lo, up)

    def _solve(self, cost: np.ndarray, what: str, strategy: int = DUAL) -> float:
        """Solve with ``cost``, which is zero outside the shipment columns (only those
        are passed to HiGHS)."""
        self.h.setOptionValue("simplex_strategy", strategy)
        sc = cost[self.s_cols]
        self.h.changeColsCost(len(sc), self.s_cols.astype(np.int32), sc)
        self.solves += 1
        if self.shortcuts:
            self.h.setOptionValue("simplex_iteration_limit", WARM_ITERATIONS)
            self.h.setOptionValue("time_limit", float(self.h.getRunTime() + self.opts.time_limit_s))
            self.h.run()
            self.h.setOptionValue("simplex_iteration_limit", lpm.ITERATION_LIMIT)
            if self.h.getModelStatus() == highspy.HighsModelStatus.kIterationLimit:
                self.cold += 1
                self.h.clearSolver()
                self.h.setOptionValue("presolve", "on")
                try:
                    lpm.run_checked(self.h, what, self.opts.time_limit_s)
                finally:
                    self.h.setOptionValue("presolve", "choose")
            else:
                lpm.check_status(self.h, what)
        else:
            lpm.run_checked(self.h, what, self.opts.time_limit_s)
        return float(self.h.getInfo().objective_function_value)

    # -- which bounds a node's loss changes over days 0 .. window-1
    def changes(self, kind: str, idx: int, window: int) -> tuple[np.ndarray, np.ndarray]:
        inp, m = self.inp, self.model
        T = inp.horizon
        cols = np.zeros(0, dtype=int)
        rows = np.zeros(0, dtype=int)
        opt_region = inp.supplier_region[inp.opt_supplier]
        if kind == NodeKind.supplier.value:
            opts = np.flatnonzero(inp.opt_supplier == idx)
        elif kind == NodeKind.region.value:
            opts = np.flatnonzero(opt_region == idx)
        elif kind == "inbound-lane":
            opts = np.flatnonzero(inp.region_lane[opt_region] == idx)
        else:
            opts = np.zeros(0, dtype=int)
        if len(opts):
            sel = np.isin(m.b_opt, opts)
            if kind == "inbound-lane":
                span = np.maximum(1, inp.region_transit[opt_region[m.b_opt]])
                hit = sel & (m.b_day < window) & (m.b_day + span > 0)
            else:
                hit = sel & (m.b_day < window)
            cols = m.b0 + np.flatnonzero(hit)
        if kind == "outbound":
            orders = inp.outbound_orders[idx]
            hit = np.isin(self.so, orders) & (self.sd < window)
            cols = self.s_cols[hit]
        if kind in (NodeKind.zone.value, NodeKind.line.value):
            # production columns rather than the line's row: column bounds are all that
            # changes, so the basis can be repaired on restore (see ``restore``)
            lines = np.flatnonzero(inp.line_zone == idx) if kind == NodeKind.zone.value else [idx]
            days = np.arange(min(window, T))
            qs = np.flatnonzero(np.isin(inp.pair_line, lines))
            cols = (m.x0 + qs[:, None] * T + days[None, :]).ravel()
        return cols, rows

    def apply(self, cols: np.ndarray, rows: np.ndarray) -> None:
        self._set_cols(cols, np.zeros(len(cols)), np.zeros(len(cols)))
        self._set_rows(rows, np.full(len(rows), -lpm.INF), np.zeros(len(rows)))

    def restore(self, cols: np.ndarray, rows: np.ndarray) -> None:
        """Put bounds back. A column HiGHS left nonbasic at its (zero) upper bound would
        jump to the restored upper bound and break primal feasibility: it is moved to
        its lower bound instead, which keeps the basis primal feasible."""
        if len(cols):
            basis = self.h.getBasis()
            status = basis.col_status
            fix = [int(c) for c in cols if status[c] == highspy.HighsBasisStatus.kUpper]
            for c in fix:
                status[c] = highspy.HighsBasisStatus.kLower
            self._set_cols(cols, np.zeros(len(cols)), self.col_upper[cols])
            if fix:
                basis.col_status = status
                self.h.setBasis(basis)
        self._set_rows(rows, np.full(len(rows), -lpm.INF), self.row_upper[rows])

    # -- the two questions
    def shortfall(
        self, orders: np.ndarray, weights: np.ndarray, strategy: int, values: bool = True
    ) -> tuple[float, np.ndarray | None]:
        """Least weighted shortfall of the selected order columns; and the shipments
        (when ``values``: copying the solution out of HiGHS costs time)."""
        want = float((weights[orders] * self.targets[orders]).sum())
        if self.lost is not None:  # a witness: every target but the lost ones is met
            got = np.where(self.lost, 0.0, self.targets)
            best = float((weights[orders] * got[orders]).sum())
            return max(0.0, want - best), got
        cost = np.zeros(self.model.n_col)
        cost[self.s_cols[orders]] = -weights[orders]
        best = -self._solve(cost, "exposure", strategy)
        x = np.array(self.h.getSolution().col_value)[self.s_cols] if values else None
        return max(0.0, want - best), x

    def tts(self, lower_day: int, upper_day: int) -> int:
        """First due day in [lower_day, upper_day) whose targets, together with every
        earlier one, cannot be met (node already applied); ``upper_day`` if none."""
        has = self.targets > 0
        dues = np.unique(self.sd[has])
        dues = dues[(dues >= lower_day) & (dues < upper_day)]
        ones = np.ones(len(self.so))
        lo, hi = 0, len(dues)  # invariant: dues[:lo] feasible, dues[hi:] infeasible
        while lo < hi:
            mid = (lo + hi) // 2
            sel = np.flatnonzero(has & (self.sd <= dues[mid]))
            # only the objective changes here: primal simplex from the last basis
            short, _ = self.shortfall(sel, ones, PRIMAL, values=False)
            if short <= self.tol:
                lo = mid + 1
            else:
                hi = mid
        return int(dues[lo]) if lo < len(dues) else upper_day

    def node(self, kind: str, idx: int, node_id: str, ttr: int, verify: bool) -> NodeExposure:
        """One node. Every solve starts from the last basis and changes either bounds
        (tightened: dual simplex) or the objective with bounds only relaxed (primal
        simplex), so no solve starts from a basis that is neither primal nor dual
        feasible. When a witness answers (``self.lost``), the same decisions are taken
        with every shortfall summed over the lost orders, and nothing is solved."""
        T = self.inp.horizon
        lp_kind = kind
        if kind == NodeKind.lane.value:
            lp_kind = "inbound-lane" if node_id in self.inp.lane_ids else "outbound"
        w = min(ttr, T)
        has = np.flatnonzero(self.targets > 0)
        # TTS. One solve with the node down for good, all targets, earlier due dates
        # weighted a little more: no shortfall means it survives the horizon; otherwise
        # the plan found meets every order due before its first shortfall d, so
        # TTS ≥ d, and one more solve tells whether TTS = d; bisection beyond.
        cols, rows = self.changes(lp_kind, idx, T)
        self.lost = self._witnessed(cols, rows) if self.shortcuts else None
        if self.lost is None and self.shortcuts:
            block = self._block(lp_kind, idx)
            if block is not None:  # the node's blocks alone, relaxed rows dropped
                child = self._child(*block)
                sub_idx = idx
                if lp_kind == NodeKind.line.value:
                    sub_idx = int(np.searchsorted(block[0], idx))
                before = child.solves
                out = child.node(kind, sub_idx, node_id, ttr, verify)
                self.solves += child.solves - before
                self.blocks += 1
                return out
        solved = self.lost is None
        if solved:
            self.apply(cols, rows)
        else:
            self.answered += 1
        short, x = self.shortfall(has, self.early_weight, DUAL)
        dirty = False
        if short <= self.tol * 2:
            tts = T
        else:
            dirty = True
            gap = (self.targets - x) > self.order_tol
            first = int(self.sd[gap].min())
            tts = self.tts(first, first + 1)
            if tts > first:
                tts = self.tts(first + 1, T)
        # PI: down for TTR days only. When TTS ≥ TTR every order due before TTR is met
        # with the node down for good, hence also with it down for TTR days: PI = 0
        # (``verify`` solves it anyway, for the tests).
        pi = 0.0
        units = dict.fromkeys(PRIORITY_NAMES, 0.0)
        within = np.flatnonzero((self.targets > 0) & (self.sd < w))
        wcols, wrows = self.changes(lp_kind, idx, w)
        if solved:
            self.restore(np.setdiff1d(cols, wcols), np.setdiff1d(rows, wrows))
        else:  # the window's columns are a subset: the same witness answers
            self.lost = self._witnessed(wcols, wrows)
        if len(within) and (verify or tts < w):
            dirty = True
            pi, x = self.shortfall(within, self.weight, PRIMAL)
            if pi <= self.tol * CLASS_WEIGHT.min():
                pi = 0.0
            else:
                for o in within:
                    gap = self.targets[o] - x[o]
                    if gap > 1e-9:
                        units[PRIORITY_NAMES[self.inp.order_rank[self.so[o]]]] += float(gap)
        self.lost = None
        if solved:
            self._set_cols(wcols, np.zeros(len(wcols)), self.col_upper[wcols])
            self._set_rows(wrows, np.full(len(wrows), -lpm.INF), self.row_upper[wrows])
            if dirty:
                sc = self.base_cost[self.s_cols]
                self.h.changeColsCost(len(sc), self.s_cols.astype(np.int32), sc)
            self.h.setBasis(self.base_basis)
        return NodeExposure(kind, node_id, tts, ttr, pi, units, T)


def _node_index(inp: PlanInput, kind: str, node_id: str) -> int:
    if kind == NodeKind.supplier.value:
        return inp.supplier_ids.index(node_id)
    if kind == NodeKind.region.value:
        return inp.region_ids.index(node_id)
    if kind == NodeKind.zone.value:
        return inp.zone_ids.index(node_id)
    if kind == NodeKind.line.value:
        return inp.line_ids.index(node_id)
    if node_id in inp.lane_ids:
        return inp.lane_ids.index(node_id)
    return inp.outbound_ids.index(node_id)


def exposure_input(
    inp: PlanInput,
    critical_only: bool = False,
    opts: lpm.SolverOptions | None = None,
    nodes: list[tuple[str, str]] | None = None,
    warm: bool = True,
    verify: bool = False,
    progress: Callable[[int, int], None] | None = None,
    shortcuts: bool = True,
) -> ExposureRun:
    """TTS, TTR and PI of every node (or of ``nodes``). ``warm=False`` builds and solves
    each node's LP from scratch, without shortcuts (the benchmark's comparison);
    ``shortcuts=False`` solves every node on the one warm LP (the reference the
    shortcuts are tested against); ``verify`` solves PI even where TTS ≥ TTR proves it 0
    (for tests)."""
    opts = opts or lpm.SolverOptions(solver="simplex")
    t0 = time.perf_counter()
    nodes = nodes if nodes is not None else inp.nodes()
    out = []
    shortcuts = shortcuts and warm
    ex = _Exposure(inp, critical_only, opts, shortcuts)
    solves, cold, answered, blocks = ex.solves, 0, 0, 0
    for i, (kind, node_id) in enumerate(nodes):
        if not warm:
            ex = _Exposure(inp, critical_only, opts, shortcuts)
            solves += ex.solves
        before = (ex.solves, ex.cold, ex.answered, ex.blocks)
        ttr = inp.ttr_days.get((kind, node_id), 14)
        out.append(ex.node(kind, _node_index(inp, kind, node_id), node_id, ttr, verify))
        solves += ex.solves - before[0]
        cold += ex.cold - before[1]
        answered += ex.answered - before[2]
        blocks += ex.blocks - before[3]
        if progress:
            progress(i + 1, len(nodes))
    top = max((n.pi for n in out), default=0.0)
    for n in out:
        n.rei = n.pi / top if top > 0 else 0.0
    out.sort(key=lambda n: (-n.rei, n.tts_days, n.kind, n.id))
    seconds = time.perf_counter() - t0
    return ExposureRun(out, ex.targets, seconds, solves, warm, cold, answered, blocks, ex.so.copy())


def down_in_scenario(inp: PlanInput) -> list[tuple[str, str, int, int]]:
    """Nodes the scenario itself takes down: (kind, id, first day down, day it is back
    after its last day down)."""
    out = []
    for kind, ids, mask in (
        (NodeKind.supplier.value, inp.supplier_ids, inp.supplier_down),
        (NodeKind.region.value, inp.region_ids, inp.region_down),
        (NodeKind.lane.value, inp.lane_ids, inp.lane_down),
        (NodeKind.zone.value, inp.zone_ids, inp.zone_down),
        (NodeKind.line.value, inp.line_ids, inp.line_down),
    ):
        for i, node_id in enumerate(ids):
            days = np.flatnonzero(mask[i])
            if days.size:
                out.append((kind, node_id, int(days[0]), int(days[-1]) + 1))
    return out


def scenario_exposure(
    plant: PlantFile,
    scenario: Scenario | None = None,
    horizon: int = 90,
    critical_only: bool = False,
    opts: lpm.SolverOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExposureRun:
    """Risk exposure under a scenario, starting from the scenario's state.

    The plant is planned with the scenario in force: its nodes down on their days, its
    extra transit days, and its control area (commuters cannot come in:
    :func:`~keepline.workforce.site_workforce`; the outbreak's absences are not counted,
    as they depend on the policy). Demand is what the plant so placed can ship on time,
    and every other node is taken down on top of it, so its stock is drawn as the
    scenario draws it.

    A node the scenario already takes down is not tested again: it is reported as down
    (``down_from``, ``back``), with the same questions asked of the plant under the
    scenario against the undisrupted plant's on-time shipments: TTS the due day of the
    first order that, with every earlier one, can no longer ship on time (the horizon if
    none), TTR the day it is back, PI the least priority-weighted shortfall of orders due
    before that day. With several nodes down, the shortfall is the scenario's (all of
    them together) and each shows it.
    """
    opts = opts or lpm.SolverOptions(solver="simplex")
    scenario = scenario or NO_SCENARIO
    wf = site_workforce(plant, scenario.commuters_blocked(horizon))
    inp = build_input(plant, wf, scenario, horizon)
    down = down_in_scenario(inp)
    run = exposure_input(inp, critical_only, opts, progress=progress)
    if not down:
        return run
    T = inp.horizon
    undisrupted = _Exposure(build_input(plant, None, None, horizon), critical_only, opts, False)
    if not np.array_equal(undisrupted.so, run.order_of):  # same orders, same columns
        raise AssertionError("exposure: the scenario changed the orders in the horizon")
    # the plant under the scenario asked for what the undisrupted plant ships on time
    ex = _Exposure(inp, critical_only, opts, False, undisrupted.targets.copy())
    tts = ex.tts(0, T)
    by_key = {(n.kind, n.id): i for i, n in enumerate(run.nodes)}
    for kind, node_id, first, back in down:
        units = dict.fromkeys(PRIORITY_NAMES, 0.0)
        within = np.flatnonzero((ex.targets > 0) & (ex.sd < min(back, T)))
        pi = 0.0
        if tts < min(back, T) and len(within):  # else every order due before is met
            pi, x = ex.shortfall(within, ex.weight, PRIMAL)
            if pi <= ex.tol * CLASS_WEIGHT.min():
                pi = 0.0
            else:
                assert x is not None
                for o in within:
                    gap = ex.targets[o] - x[o]
                    if gap > 1e-9:
                        units[PRIORITY_NAMES[inp.order_rank[ex.so[o]]]] += float(gap)
        node = NodeExposure(kind, node_id, tts, back, pi, units, T, down_from=first, back=back)
        run.nodes[by_key[(kind, node_id)]] = node
    run.solves += undisrupted.solves + ex.solves
    top = max((n.pi for n in run.nodes), default=0.0)
    for n in run.nodes:
        n.rei = n.pi / top if top > 0 else 0.0
    run.nodes.sort(key=lambda n: (-n.rei, n.down_from is None, n.tts_days, n.kind, n.id))
    return run


def exposure(
    plant: PlantFile,
    scenario: Scenario | None = None,
    horizon: int = 90,
    critical_only: bool = False,
    opts: lpm.SolverOptions | None = None,
) -> list[NodeExposure]:
    """Risk exposure of every node of a plant under a scenario (from the scenario's
    state: :func:`scenario_exposure`), sorted by risk exposure index."""
    return scenario_exposure(plant, scenario, horizon, critical_only, opts).nodes


__all__ = ["NodeExposure", "exposure", "exposure_input", "highspy", "scenario_exposure"]
