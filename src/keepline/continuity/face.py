"""Lexicographic levels for large plans: each level solved by interior point on the
optimal face of the levels before it, and the levels of lower classes on the part of the
LP they can touch.

Why not hold each level's optimum as a constraint ``c_k·x ≤ v_k + ε`` (what
``plan.solve_lp`` does for small plans, by simplex)? Such a row leaves the feasible set
with almost no interior, and an interior-point method crawls along it: on the 10×
benchmark plant the standard level took 111 iterations with two held rows against 34 for
the first level without any.

Instead, by complementary slackness every optimal solution of a level has ``x_j`` at its
bound wherever the level's reduced cost ``d_j`` is nonzero and every row at its bound
wherever the row dual ``y_i`` is nonzero — for *any* optimal dual. So after a level the
columns with ``d_j`` clearly nonzero are fixed at their bound and those rows become
equalities: every point that is left satisfies ``c_k·x = y·b + d·bound``, the level's
optimum, and the next level is an ordinary LP over that face (presolve removes what is
fixed). An interior-point solution (no crossover) lies near the centre of the optimal
face, so its duals are close to strictly complementary and the fixing captures the face.
A tolerance decides "clearly nonzero", so :func:`solve_levels` verifies every level's
value at the end and the caller falls back to held rows if one has drifted.

Levels before the last see only the products with orders of their class or a higher one
(their other columns — production, finished stock and shipments of the remaining
products — set to 0). That is exact when the row duals of the smaller LP, extended by
zeros, are a feasible dual of the whole one (then both share the optimum); this is
checked for each level, and a level that fails the check is solved on the whole LP.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from keepline.continuity import lp as lpm
from keepline.errors import KeeplineError

# a reduced cost or row dual larger than this share of the level's largest cost
# coefficient marks a bound that every optimum of the level keeps …
FACE_DUAL_TOL = 1e-6
# … provided the solution is within this many units of that bound
FACE_NEAR_UNITS = 1e-3


@dataclass
class Level:
    """One objective of the lexicographic sequence."""

    name: str
    cost: np.ndarray  # [n_col]
    keep_cols: np.ndarray | None  # bool mask of the columns the level may use; None: all
    offset: float = 0.0  # cost·x + offset is what the level stands for (a class's lateness)
    on_time: OnTime | None = None  # the class's orders all on time, as bounds


@dataclass
class OnTime:
    """Bounds that ship every order of a class in full on its due date: its later
    shipment columns at 0, its order rows at their quantity."""

    cols: np.ndarray
    rows: np.ndarray
    qty: np.ndarray


@dataclass
class FaceResult:
    x: np.ndarray
    values: dict[str, float]
    row_duals: dict[str, np.ndarray]
    seconds: dict[str, float]
    iterations: dict[str, int] = field(default_factory=dict)  # interior-point iterations
    whole_lp: list[str] = field(default_factory=list)  # levels whose subset check failed
    # levels whose class shipped all on time, the next level solved beside them
    on_time: list[str] = field(default_factory=list)


def _pass(
    h: highspy.Highs,
    model: lpm.LPModel,
    cols: np.ndarray,
    rows: np.ndarray,
    cost: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    cl, cu, rl, ru = bounds
    a = model.matrix
    if len(cols) < model.n_col:
        a = a[:, cols]
    if len(rows) < model.n_row:
        a = a[rows, :]
    a = sp.csc_matrix(a)
    lp = highspy.HighsLp()
    lp.num_col_ = len(cols)
    lp.num_row_ = len(rows)
    lp.col_cost_ = cost[cols]
    lp.col_lower_ = cl[cols]
    lp.col_upper_ = cu[cols]
    lp.row_lower_ = rl[rows]
    lp.row_upper_ = ru[rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    h.passModel(lp)


@dataclass
class _Solved:
    x: np.ndarray
    y: np.ndarray  # row duals
    d: np.ndarray  # reduced costs
    seconds: float
    iterations: int
    whole_lp: bool  # the subset's dual failed: solved on the whole LP


Bounds = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _solve_one(
    h: highspy.Highs,
    model: lpm.LPModel,
    a_csr: sp.csr_matrix,
    lv: Level,
    bounds: Bounds,
    opts: lpm.SolverOptions,
) -> _Solved:
    n, m = model.n_col, model.n_row
    cl, cu, _, _ = bounds
    t0 = time.perf_counter()
    keep = np.ones(n, dtype=bool) if lv.keep_cols is None else lv.keep_cols
    tau = FACE_DUAL_TOL * max(1.0, float(np.abs(lv.cost).max()))
    whole = False
    for _attempt in (0, 1):  # the subset, then (if its dual fails) the whole LP
        cols = np.flatnonzero(keep)
        # rows that touch a kept column; a row of only dropped columns (their finished
        # stock, their orders) holds trivially at 0
        touched = np.diff(a_csr[:, cols].indptr) > 0 if len(cols) < n else np.ones(m, bool)
        rows = np.flatnonzero(touched)
        _pass(h, model, cols, rows, lv.cost, bounds)
        lpm.run_checked(h, f"plan ({lv.name} orders)", opts.time_limit_s)
        sol = h.getSolution()
        x = np.zeros(n)
        x[cols] = np.asarray(sol.col_value)
        y = np.zeros(m)
        y[rows] = np.asarray(sol.row_dual)
        d = lv.cost - model.matrix.T @ y
        if len(cols) == n:
            break
        # the dropped columns sit at 0, their lower bound: the extended dual is
        # feasible for the whole LP when none of them has a negative reduced cost
        dropped = ~keep & (cl < cu)
        if not (d[dropped] < -tau).any():
            break
        whole = True
        keep = np.ones(n, dtype=bool)
    iterations = int(h.getInfo().ipm_iteration_count)
    return _Solved(x, y, d, time.perf_counter() - t0, iterations, whole)


def _on_face(model: lpm.LPModel, lv: Level, got: _Solved, bounds: Bounds) -> Bounds:
    """The bounds of ``lv``'s optimal face: columns and rows whose reduced cost or dual is
    clearly nonzero held at the bound they sit at."""
    cl, cu, rl, ru = (b.copy() for b in bounds)
    x, y, d = got.x, got.y, got.d
    tau = FACE_DUAL_TOL * max(1.0, float(np.abs(lv.cost).max()))
    free = cl < cu
    at_lo = free & (d > tau) & (x - cl <= FACE_NEAR_UNITS)
    at_up = free & (d < -tau) & np.isfinite(cu) & (cu - x <= FACE_NEAR_UNITS)
    cu[at_lo] = cl[at_lo]
    cl[at_up] = cu[at_up]
    act = model.matrix @ x
    open_r = rl < ru
    r_up = open_r & (y < -tau) & (ru - act <= FACE_NEAR_UNITS)
    r_lo = open_r & (y > tau) & np.isfinite(rl) & (act - rl <= FACE_NEAR_UNITS)
    rl[r_up] = ru[r_up]
    ru[r_lo] = rl[r_lo]
    return cl, cu, rl, ru


def _with_on_time(on_time: OnTime, bounds: Bounds) -> Bounds:
    cl, cu, rl, ru = (b.copy() for b in bounds)
    cu[on_time.cols] = cl[on_time.cols]
    rl[on_time.rows] = on_time.qty
    return cl, cu, rl, ru


def _try(*args: Any) -> _Solved | None:
    """``_solve_one(*args)``, or None when that LP has no optimum (the class cannot all
    ship on time)."""
    try:
        return _solve_one(*args)
    except KeeplineError:
        return None


def solve_levels(
    h: highspy.Highs,
    model: lpm.LPModel,
    levels: list[Level],
    opts: lpm.SolverOptions,
    spare: highspy.Highs | None = None,
) -> FaceResult:
    """Solve ``levels`` in order, each on the optimal face of those before it. ``h`` is a
    configured HiGHS object (interior point, no crossover); its model is replaced.

    With ``spare`` (a second such object), a level with ``on_time`` runs beside the next
    level solved on the assumption that every order of its class ships on time: when
    that LP is feasible, the class's optimal lateness is 0 and its optimal face is
    exactly that set (with positive penalties, lateness 0 means every unit ships on its
    due date), so the next level's solve is the one the sequence needs, and it ran on
    the other core. Otherwise it is dropped and the next level is solved on the face."""
    a_csr = model.matrix.tocsr()
    bounds: Bounds = (
        model.col_lower.copy(),
        model.col_upper.copy(),
        model.row_lower.copy(),
        model.row_upper.copy(),
    )
    values: dict[str, float] = {}
    duals: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    whole: list[str] = []
    iterations: dict[str, int] = {}
    beside: list[str] = []
    x = np.zeros(model.n_col)

    def record(lv: Level, got: _Solved) -> None:
        values[lv.name] = float(lv.cost @ got.x)
        duals[lv.name] = got.y
        seconds[lv.name] = got.seconds
        iterations[lv.name] = got.iterations
        if got.whole_lp:
            whole.append(lv.name)

    with ThreadPoolExecutor(max_workers=1) as pool:
        k = 0
        while k < len(levels):
            lv = levels[k]
            ahead = None
            if spare is not None and lv.on_time is not None and k + 1 < len(levels):
                hope = _with_on_time(lv.on_time, bounds)
                ahead = pool.submit(_try, spare, model, a_csr, levels[k + 1], hope, opts)
            try:
                got = _solve_one(h, model, a_csr, lv, bounds, opts)
            finally:
                nxt = ahead.result() if ahead is not None else None
            record(lv, got)
            x = got.x
            if nxt is not None:
                # the class all on time: its face is the on-time set, and the next level
                # has been solved on it
                bounds = hope
                lv, got = levels[k + 1], nxt
                record(lv, got)
                beside.append(levels[k].name)
                x = got.x
                k += 1
            if k < len(levels) - 1:
                bounds = _on_face(model, lv, got, bounds)
            k += 1
    return FaceResult(x, values, duals, seconds, iterations, whole, beside)


def drift(levels: list[Level], values: dict[str, float], x: np.ndarray, slack) -> list[str]:
    """Levels whose value at the final ``x`` is worse than their optimum by more than
    ``slack(value, cost, offset)`` (the tolerance a held row would allow)."""
    out = []
    for lv in levels:
        v = values[lv.name]
        if float(lv.cost @ x) > v + slack(v, lv.cost, lv.offset):
            out.append(lv.name)
    return out


__all__ = ["FaceResult", "Level", "OnTime", "drift", "solve_levels"]
