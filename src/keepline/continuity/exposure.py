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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from keepline.continuity import lp as lpm
from keepline.continuity.model import PRIORITY_NAMES, PlanInput, build_input
from keepline.plant.schema import NodeKind, PlantFile
from keepline.scenario import Scenario

CLASS_WEIGHT = np.array([100.0, 10.0, 1.0])  # front-line, livelihood, standard
CRITICAL_RANKS = (0, 1)
DUAL, PRIMAL = 1, 4  # HiGHS simplex_strategy: after bound changes, after cost changes


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
        }


@dataclass
class ExposureRun:
    nodes: list[NodeExposure]
    targets: np.ndarray  # D[o]
    seconds: float
    solves: int
    warm: bool


class _Exposure:
    """The LP built once, with bound changes per node."""

    def __init__(self, inp: PlanInput, critical_only: bool, opts: lpm.SolverOptions):
        self.inp = inp
        self.opts = opts
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
        lpm.run_checked(self.h, what, self.opts.time_limit_s)
        self.solves += 1
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
        self, orders: np.ndarray, weights: np.ndarray, strategy: int
    ) -> tuple[float, np.ndarray]:
        """Least weighted shortfall of the selected order columns; and the shipments."""
        cost = np.zeros(self.model.n_col)
        cost[self.s_cols[orders]] = -weights[orders]
        best = -self._solve(cost, "exposure", strategy)
        x = np.array(self.h.getSolution().col_value)[self.s_cols]
        want = float((weights[orders] * self.targets[orders]).sum())
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
            short, _ = self.shortfall(sel, ones, PRIMAL)
            if short <= self.tol:
                lo = mid + 1
            else:
                hi = mid
        return int(dues[lo]) if lo < len(dues) else upper_day

    def node(self, kind: str, idx: int, node_id: str, ttr: int, verify: bool) -> NodeExposure:
        """One node. Every solve starts from the last basis and changes either bounds
        (tightened: dual simplex) or the objective with bounds only relaxed (primal
        simplex), so no solve starts from a basis that is neither primal nor dual
        feasible."""
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
        self.apply(cols, rows)
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
        self.restore(np.setdiff1d(cols, wcols), np.setdiff1d(rows, wrows))
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
) -> ExposureRun:
    """TTS, TTR and PI of every node (or of ``nodes``). ``warm=False`` builds and solves
    each node's LP from scratch (the benchmark's comparison); ``verify`` solves PI even
    where TTS ≥ TTR proves it 0 (for tests)."""
    opts = opts or lpm.SolverOptions(solver="simplex")
    t0 = time.perf_counter()
    nodes = nodes if nodes is not None else inp.nodes()
    out = []
    ex = _Exposure(inp, critical_only, opts)
    solves = ex.solves
    for i, (kind, node_id) in enumerate(nodes):
        if not warm:
            ex = _Exposure(inp, critical_only, opts)
            solves += ex.solves
            before = ex.solves
        else:
            before = ex.solves
        ttr = inp.ttr_days.get((kind, node_id), 14)
        out.append(ex.node(kind, _node_index(inp, kind, node_id), node_id, ttr, verify))
        solves += ex.solves - before
        if progress:
            progress(i + 1, len(nodes))
    top = max((n.pi for n in out), default=0.0)
    for n in out:
        n.rei = n.pi / top if top > 0 else 0.0
    out.sort(key=lambda n: (-n.rei, n.tts_days, n.kind, n.id))
    return ExposureRun(out, ex.targets, time.perf_counter() - t0, solves, warm)


def exposure(
    plant: PlantFile,
    scenario: Scenario | None = None,
    horizon: int = 90,
    critical_only: bool = False,
    opts: lpm.SolverOptions | None = None,
) -> list[NodeExposure]:
    """Risk exposure of every node of a plant, sorted by risk exposure index."""
    inp = build_input(plant, None, scenario, horizon)
    return exposure_input(inp, critical_only, opts).nodes


__all__ = ["NodeExposure", "exposure", "exposure_input", "highspy"]
