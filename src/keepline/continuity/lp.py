"""The production LP over a :class:`PlanInput`, built once as a sparse matrix for HiGHS.

Columns (all ≥ 0):
  ``X[q, t]``  units made by (line, product) pair q on day t
  ``B[i]``     material bought through option j, dispatched on day t (only pairs (j, t)
               that can be ordered after day 0 and arrive inside the horizon exist)
  ``Y[j]``     activation of backup option j, relaxed to [0, 1]   (plan mode)
  ``I[m, t]``  material stock at the end of day t
  ``F[p, t]``  finished units of product p in stock at the end of day t
  ``S[i]``     units shipped to order o on day t — days from its due date on in plan mode,
               the due date only in exposure mode (on-time or nothing)
Rows:
  line      Σ_q X[q,t] / rate_q ≤ 1 (0 on days the line or its zone is down)
  crew      Σ_lines in zone z running shift s  crew[l,k] · Σ_q X[q,t]/rate_q ≤ workers[t,z,s,k]
            (only for the keys that can bind: ``binding_crews``)
  material  I[m,t] = I[m,t-1] + arrivals − Σ_q bom[p_q, m] X[q,t]   (I[m,-1] = on hand)
  product   F[p,t] = F[p,t-1] + Σ_q X[q,t] − Σ_o S[o,t]              (F[p,-1] = 0)
  order     Σ_t S[o,t] ≤ qty_o                                         (plan mode)
  activate  B[j,t] ≤ capacity_j · Y[j] for backups                     (plan mode)

In exposure mode backups are usable after their activation days without a Y column:
cost plays no part in time to survive.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from keepline.continuity.model import (
    PlanInput,
    arrival_day,
    earliest_dispatch,
    line_available,
    option_blocked,
    ship_blocked,
)
from keepline.errors import KeeplineError

INF = highspy.kHighsInf
ITERATION_LIMIT = 2**31 - 1  # HiGHS's default simplex_iteration_limit (none)


@dataclass
class LPModel:
    """Index maps of one built LP; ``matrix`` is CSC, rows × columns."""

    inp: PlanInput
    mode: str
    n_col: int
    n_row: int
    matrix: sp.csc_matrix
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    x0: int  # first X column
    b0: int
    b_opt: np.ndarray  # option of each B column
    b_day: np.ndarray  # dispatch day of each B column
    b_arr: np.ndarray  # arrival day of each B column
    y0: int
    y_opt: np.ndarray  # option of each Y column
    i0: int
    f0: int
    s0: int
    s_order: np.ndarray
    s_day: np.ndarray
    r_line: int
    r_crew: int
    crew_keys: list[tuple[int, int, int]]  # (zone, shift, skill) of each crew row block
    r_mat: int
    r_prod: int
    r_order: int
    r_act: int

    def x_col(self, q: int, t: int) -> int:
        return self.x0 + q * self.inp.horizon + t

    def nnz(self) -> int:
        return int(self.matrix.nnz)


def build(inp: PlanInput, mode: str = "plan", drop_loose_crews: bool = False) -> LPModel:
    """Build the LP's matrix and bounds (no objective: the caller sets it per level).
    ``drop_loose_crews`` leaves out the crew rows that cannot bind (``binding_crews``)."""
    if mode not in ("plan", "exposure"):
        raise ValueError(mode)
    T = inp.horizon
    Q, L = len(inp.pair_line), len(inp.line_ids)
    P, M = len(inp.product_ids), len(inp.material_ids)
    n_orders = len(inp.order_ids)
    J = len(inp.opt_material)
    days = np.arange(T)

    # -- columns
    x0 = 0
    nx = Q * T
    first = earliest_dispatch(inp)
    bj, bt, ba = [], [], []
    for j in range(J):
        for t in range(int(first[j]), T):
            a = arrival_day(inp, j, t)
            if a < T:
                bj.append(j)
                bt.append(t)
                ba.append(a)
    b_opt, b_day, b_arr = (np.array(v, dtype=int) for v in (bj, bt, ba))
    b0 = x0 + nx
    backups = np.flatnonzero(inp.opt_backup) if mode == "plan" else np.zeros(0, dtype=int)
    y0 = b0 + len(b_opt)
    i0 = y0 + len(backups)
    f0 = i0 + M * T
    s0 = f0 + P * T
    in_h = np.flatnonzero(inp.order_due < T)
    if mode == "plan":
        so = np.concatenate(
            [np.full(T - max(int(inp.order_due[o]), 0), o) for o in in_h] or [np.zeros(0)]
        ).astype(int)
        sd = np.concatenate(
            [np.arange(max(int(inp.order_due[o]), 0), T) for o in in_h] or [np.zeros(0)]
        ).astype(int)
    else:
        so = in_h.astype(int)
        sd = np.maximum(inp.order_due[in_h], 0).astype(int)
    n_col = s0 + len(so)

    # -- rows
    r_line = 0
    avail = line_available(inp)
    crew_keys = binding_crews(inp, avail) if drop_loose_crews else all_crews(inp)
    crew_index = {key: i for i, key in enumerate(crew_keys)}
    r_crew = r_line + L * T
    r_mat = r_crew + len(crew_keys) * T
    r_prod = r_mat + M * T
    r_order = r_prod + P * T
    r_act = r_order + (n_orders if mode == "plan" else 0)
    act_b = np.flatnonzero(np.isin(b_opt, backups)) if mode == "plan" else np.zeros(0, int)
    n_row = r_act + len(act_b)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []

    def add(r, c, v):
        r, c = np.asarray(r, dtype=np.int64).ravel(), np.asarray(c, dtype=np.int64).ravel()
        rows.append(r)
        cols.append(c)
        vals.append(np.broadcast_to(np.asarray(v, dtype=float), r.shape).ravel())

    for q in range(Q):
        ln, p, rate = int(inp.pair_line[q]), int(inp.pair_product[q]), float(inp.pair_rate[q])
        c = x0 + q * T + days
        add(r_line + ln * T + days, c, 1.0 / rate)
        z = int(inp.line_zone[ln])
        for s in np.flatnonzero(inp.line_runs[ln]):
            for k in np.flatnonzero(inp.crew[ln] > 0):
                ci = crew_index.get((z, int(s), int(k)))
                if ci is not None:
                    add(r_crew + ci * T + days, c, inp.crew[ln, k] / rate)
        for m in np.flatnonzero(inp.bom[p] > 0):
            add(r_mat + m * T + days, c, inp.bom[p, m])
        add(r_prod + p * T + days, c, -1.0)
    # purchases arrive into the material row of their arrival day
    add(r_mat + inp.opt_material[b_opt] * T + b_arr, b0 + np.arange(len(b_opt)), -1.0)
    # stocks carry over
    for base_r, base_c, n in ((r_mat, i0, M), (r_prod, f0, P)):
        idx = np.arange(n * T)
        add(base_r + idx, base_c + idx, 1.0)
        nxt = idx[(idx % T) < T - 1]
        add(base_r + nxt + 1, base_c + nxt, -1.0)
    # shipments leave finished stock
    add(r_prod + inp.order_product[so] * T + sd, s0 + np.arange(len(so)), 1.0)
    if mode == "plan":
        add(r_order + so, s0 + np.arange(len(so)), 1.0)
        yj = {int(j): i for i, j in enumerate(backups)}
        add(r_act + np.arange(len(act_b)), b0 + act_b, 1.0)
        add(
            r_act + np.arange(len(act_b)),
            y0 + np.array([yj[int(j)] for j in b_opt[act_b]], dtype=int),
            -inp.opt_cap[b_opt[act_b]],
        )

    matrix = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_row, n_col),
    )
    matrix.sum_duplicates()

    col_lower = np.zeros(n_col)
    col_upper = np.full(n_col, INF)
    x_up = avail[inp.pair_line].ravel() if Q else np.zeros(0, bool)
    col_upper[x0 : x0 + nx][~x_up] = 0.0
    blocked = option_blocked(inp)
    bu = inp.opt_cap[b_opt].astype(float)
    bu[blocked[b_opt, b_day]] = 0.0
    col_upper[b0:y0] = bu
    col_upper[y0:i0] = 1.0
    su = np.full(len(so), INF) if mode == "plan" else inp.order_qty[so].astype(float)
    su[ship_blocked(inp)[so, sd]] = 0.0
    col_upper[s0:] = su

    row_lower = np.full(n_row, -INF)
    row_upper = np.full(n_row, INF)
    row_upper[r_line:r_crew] = avail.ravel().astype(float)
    for i, (z, s, k) in enumerate(crew_keys):
        row_upper[r_crew + i * T : r_crew + (i + 1) * T] = inp.workers[:T, z, s, k]
    eq = np.zeros((M, T))
    eq[:, 0] = inp.on_hand
    row_lower[r_mat:r_prod] = row_upper[r_mat:r_prod] = eq.ravel()
    row_lower[r_prod:r_order] = row_upper[r_prod:r_order] = 0.0
    if mode == "plan":
        row_upper[r_order:r_act] = inp.order_qty
        row_upper[r_act:] = 0.0

    return LPModel(
        inp=inp,
        mode=mode,
        n_col=n_col,
        n_row=n_row,
        matrix=matrix,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=row_upper,
        x0=x0,
        b0=b0,
        b_opt=b_opt,
        b_day=b_day,
        b_arr=b_arr,
        y0=y0,
        y_opt=backups,
        i0=i0,
        f0=f0,
        s0=s0,
        s_order=so,
        s_day=sd,
        r_line=r_line,
        r_crew=r_crew,
        crew_keys=crew_keys,
        r_mat=r_mat,
        r_prod=r_prod,
        r_order=r_order,
        r_act=r_act,
    )


def all_crews(inp: PlanInput) -> list[tuple[int, int, int]]:
    """Every (zone, shift, skill) key some line needs."""
    return sorted(
        {
            (int(inp.line_zone[ln]), int(s), int(k))
            for ln in range(len(inp.line_ids))
            for s in np.flatnonzero(inp.line_runs[ln])
            for k in np.flatnonzero(inp.crew[ln] > 0)
        }
    )


def crew_lines(inp: PlanInput, key: tuple[int, int, int]) -> np.ndarray:
    """The lines a (zone, shift, skill) key's crew row sums over."""
    z, s, k = key
    return np.flatnonzero((inp.line_zone == z) & inp.line_runs[:, s] & (inp.crew[:, k] > 0))


def binding_crews(inp: PlanInput, avail: np.ndarray) -> list[tuple[int, int, int]]:
    """The keys whose crew rows can bind: those with fewer workers, on some day, than
    the full crews of the lines that need them. The others can be left out of the LP,
    exactly: a line's row keeps its utilisation Σ_q X[q,t]/rate_q within its
    availability (0 or 1), so a key's crew load is at most Σ_l crew[l,k]·avail[l,t],
    which its workers cover. (HiGHS's presolve does not find this; on the 10× benchmark
    plant all 40 keys go, and with them 4 of the 11 entries of every production
    column.)"""
    T = inp.horizon
    out = []
    for key in all_crews(inp):
        z, s, k = key
        ls = crew_lines(inp, key)
        need = (inp.crew[ls, k][:, None] * avail[ls]).sum(axis=0)
        if np.any(inp.workers[:T, z, s, k] < need - 1e-9):
            out.append(key)
    return out


@dataclass
class SolverOptions:
    """HiGHS settings; every solve has a time limit, and models above ``max_nonzeros``
    are refused before HiGHS allocates (HiGHS has no memory limit of its own)."""

    solver: str = "auto"  # auto | simplex | ipm
    time_limit_s: float = 120.0
    max_nonzeros: int = 40_000_000
    threads: int = 0  # 0 = HiGHS default
    ipm_above_nonzeros: int = 50_000
    cost_level: bool = True  # False: stop after the lateness levels (purchases not costed)
    # interior point: each level on the optimal face of the ones before (False: each
    # optimum held as a row, the method small plans use by simplex)
    face_levels: bool = True


_banner_lock = threading.Lock()
_banner_shown = False


def quiet_highs() -> highspy.Highs:
    """A HiGHS instance with its output off.

    HiGHS prints its banner ("Running HiGHS 1.x ...") on standard output from C++ when
    the process makes its first instance, before any option can turn output off; a
    command's stdout is its data (tables, CSV, JSON), so that first instance is made with
    file descriptor 1 pointed at /dev/null. Later instances print nothing.
    """
    global _banner_shown
    with _banner_lock:
        if not _banner_shown:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def new_highs(model: LPModel, cost: np.ndarray, opts: SolverOptions) -> highspy.Highs:
    if model.nnz() > opts.max_nonzeros:
        raise KeeplineError(
            f"the plan has {model.nnz():,} matrix entries, above the limit of "
            f"{opts.max_nonzeros:,} (shorten the horizon or raise max_nonzeros)"
        )
    h = quiet_highs()
    h.setOptionValue("time_limit", float(opts.time_limit_s))
    if opts.threads:
        h.setOptionValue("threads", int(opts.threads))
    solver = opts.solver
    if solver == "auto":
        solver = "ipm" if model.nnz() > opts.ipm_above_nonzeros else "simplex"
    h.setOptionValue("solver", solver)
    h.keepline_solver = solver  # what was chosen (getOptionValue returns a status pair)
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_col
    lp.num_row_ = model.n_row
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = model.col_upper
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = model.matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = model.matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = model.matrix.data
    h.passModel(lp)
    return h


def run_checked(h: highspy.Highs, what: str, time_limit_s: float) -> None:
    """Solve within ``time_limit_s`` and insist on a proven optimum. (HiGHS's own
    time limit counts the object's run time summed over every solve, so it is moved on
    before each one.)"""
    h.setOptionValue("time_limit", float(h.getRunTime() + time_limit_s))
    h.run()
    check_status(h, what)


def check_status(h: highspy.Highs, what: str) -> None:
    """Raise unless the last solve reached a proven optimum."""
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        name = h.modelStatusToString(status)
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise KeeplineError(
                f"{what}: the solver reached its time limit before an optimum "
                "(raise --time-limit or shorten the horizon)"
            )
        raise KeeplineError(f"{what}: the solver stopped without an optimum ({name})")
