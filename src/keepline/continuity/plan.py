"""The production plan: lexicographic LP solves (front-line, then livelihood, then
standard weighted lateness, then cost), rounding to whole units, checking, and the
reasons, in plain sentences, why orders are late.

Why lexicographic: each level is solved to optimality and its optimum then holds as a
constraint (within a relative tolerance of 1e-9) for the levels after it, so no amount of
lower-class gain can buy one front-line unit-day. Weighted sums can only promise that
with weights sized from the LP's own data and a numerically fragile range.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from keepline.continuity import face
from keepline.continuity import lp as lpm
from keepline.continuity.check import check_schedule, hard_violations
from keepline.continuity.greedy import greedy_schedule
from keepline.continuity.model import (
    PRIORITY_NAMES,
    PlanInput,
    Schedule,
    arrival_day,
    build_input,
    lateness,
    line_available,
    option_blocked,
    orders_in_horizon,
    validate,
)
from keepline.continuity.record import (
    BackupRecord,
    OrderRecord,
    PlanRecord,
    ProductionRow,
    PurchaseRow,
    ShipmentRow,
    SolverStats,
)
from keepline.continuity.rounding import round_schedule
from keepline.plant.schema import PlantFile
from keepline.scenario import Scenario
from keepline.workforce import Workforce

DUAL_EPS = 1e-7
# a level keeps its optimum within this relative tolerance for the levels after it
LEVEL_TOL = 1e-9


@dataclass
class LPSolution:
    schedule: Schedule
    level_values: dict[str, float]  # optimum of each level's objective
    duals: dict[int, np.ndarray]  # row duals after the level of each priority rank
    activation: np.ndarray  # Y value per option (NaN for options that need none)
    model: lpm.LPModel
    seconds: float
    solver: str
    level_seconds: dict[str, float] = field(default_factory=dict)
    level_iterations: dict[str, int] = field(default_factory=dict)  # simplex or IPM


def class_costs(model: lpm.LPModel, rank: int) -> np.ndarray:
    """Level objective for one class: −Σ penalty·(T − t)·S[o, t]; it equals the class's
    weighted lateness minus a constant (Σ penalty·qty·(T − due))."""
    inp = model.inp
    T = inp.horizon
    c = np.zeros(model.n_col)
    mask = inp.order_rank[model.s_order] == rank
    c[model.s0 :][mask] = -inp.order_penalty[model.s_order[mask]] * (T - model.s_day[mask])
    return c


def class_offset(inp: PlanInput, rank: int) -> float:
    """Σ penalty·qty·(T − due) over the class's orders in the horizon: the class's
    weighted lateness is its level objective plus this constant."""
    T = inp.horizon
    o = orders_in_horizon(inp)
    o = o[inp.order_rank[o] == rank]
    return float(
        (inp.order_penalty[o] * inp.order_qty[o] * (T - np.maximum(inp.order_due[o], 0))).sum()
    )


def _level_slack(v: float, c: np.ndarray, offset: float = 0.0) -> float:
    """How far a later level may move an earlier level's optimum ``v``: 1e-9 of the
    quantity the level stands for (``v + offset``, a class's weighted lateness; not of
    ``v`` itself, whose size is the arbitrary constant) plus 1e-6 of the largest
    coefficient (HiGHS's feasibility tolerance is 1e-7; a lateness near 0 would
    otherwise leave no room). Relative to ``v``, the slack on a reference plant let the
    cost level trade 0.01 livelihood units a day late for cheaper chips, which
    rounding made a whole unit late."""
    return LEVEL_TOL * max(1.0, abs(v + offset)) + 1e-6 * float(np.abs(c).max())


def cost_costs(model: lpm.LPModel) -> np.ndarray:
    """The cost level: unit cost · purchases + activation cost · Y."""
    inp = model.inp
    cost = np.zeros(model.n_col)
    cost[model.b0 : model.y0] = inp.opt_cost[model.b_opt]
    cost[model.y0 : model.i0] = inp.opt_act_cost[model.y_opt]
    return cost


def level_columns(model: lpm.LPModel, rank: int) -> np.ndarray:
    """Columns a lateness level of ``rank`` can use: purchases, activations and material
    stock, and production, finished stock and shipments of the products that have an
    order of that class or a higher one in the horizon (shipments of those orders only).
    The rest can stay at 0 without changing the level's optimum (``face``)."""
    inp = model.inp
    T = inp.horizon
    in_h = orders_in_horizon(inp)
    mine = in_h[inp.order_rank[in_h] <= rank]
    products = np.zeros(len(inp.product_ids), dtype=bool)
    products[inp.order_product[mine]] = True
    keep = np.zeros(model.n_col, dtype=bool)
    keep[model.x0 : model.b0] = np.repeat(products[inp.pair_product], T)
    keep[model.b0 : model.f0] = True
    keep[model.f0 : model.s0] = np.repeat(products, T)
    keep[model.s0 :] = products[inp.order_product[model.s_order]] & (
        inp.order_rank[model.s_order] <= rank
    )
    return keep


def on_time(model: lpm.LPModel, rank: int) -> face.OnTime:
    """Bounds under which every order of the class (with a penalty) ships in full on its
    due date (day 0 for one already overdue)."""
    inp = model.inp
    o = orders_in_horizon(inp)
    o = o[(inp.order_rank[o] == rank) & (inp.order_penalty[o] > 0)]
    mine = np.zeros(len(inp.order_ids), dtype=bool)
    mine[o] = True
    late = mine[model.s_order] & (model.s_day > np.maximum(inp.order_due[model.s_order], 0))
    return face.OnTime(
        model.s0 + np.flatnonzero(late), model.r_order + o, inp.order_qty[o].astype(float)
    )


def solve_lp(inp: PlanInput, opts: lpm.SolverOptions | None = None) -> LPSolution:
    opts = opts or lpm.SolverOptions()
    t0 = time.perf_counter()
    # crew rows that cannot bind only cost solver time (on the 10× benchmark plant they
    # hold 4 of the 11 entries of each production column: 8 % of the lateness levels)
    model = lpm.build(inp, "plan", drop_loose_crews=True)

    def highs():
        h = lpm.new_highs(model, np.zeros(model.n_col), opts)
        if h.keepline_solver == "ipm":
            # large models: every level by interior point without crossover (a
            # warm-started simplex on the 10× benchmark plant, or a crossover, took longer
            # than the time limit); the rounding takes interior solutions as well as vertices
            h.setOptionValue("run_crossover", "off")
        return h

    h = highs()
    solver_used = h.keepline_solver
    ranks = sorted({int(inp.order_rank[o]) for o in orders_in_horizon(inp)})
    costs = {r: c for r in ranks if (c := class_costs(model, r)).any()}
    x = None
    if solver_used == "ipm" and opts.face_levels:
        x, values, duals, seconds, iterations, method = _levels_on_face(
            h, model, costs, opts, highs()
        )
        if x is None:
            h = highs()
    if x is None:
        x, values, duals, seconds, iterations = _levels_held(h, model, costs, opts)
        method = f"{solver_used}, held levels"
    sched = _schedule_from(model, x)
    act = np.full(len(inp.opt_material), np.nan)
    act[model.y_opt] = x[model.y0 : model.i0]
    return LPSolution(
        sched, values, duals, act, model, time.perf_counter() - t0, method, seconds, iterations
    )


def _levels_on_face(
    h, model: lpm.LPModel, costs: dict[int, np.ndarray], opts: lpm.SolverOptions, spare=None
):
    """Interior point level by level on the optimal face (``face``); with ``spare`` (a
    second HiGHS object), each level runs beside the next one solved with its class all
    on time. Returns x = None when a level's value drifted beyond the held-row tolerance
    (then the caller solves with held rows)."""
    ranks = list(costs)
    levels = [
        face.Level(
            PRIORITY_NAMES[r],
            costs[r],
            level_columns(model, r) if i < len(ranks) - 1 else None,
            class_offset(model.inp, r),
            on_time(model, r),
        )
        for i, r in enumerate(ranks)
    ]
    if opts.cost_level:
        levels.append(face.Level("cost", cost_costs(model), None))
    res = face.solve_levels(h, model, levels, opts, spare)
    lateness_levels = [lv for lv in levels if lv.name != "cost"]
    if face.drift(lateness_levels, res.values, res.x, _level_slack):
        return None, {}, {}, {}, {}, ""
    duals = {r: res.row_duals[PRIORITY_NAMES[r]] for r in ranks}
    method = "ipm on the optimal face"
    if res.whole_lp:
        method += f" (whole LP for {', '.join(res.whole_lp)})"
    for name in res.on_time:
        method += f" ({name} all on time: the next level ran beside it)"
    return res.x, res.values, duals, res.seconds, res.iterations, method


def _levels_held(h, model: lpm.LPModel, costs: dict[int, np.ndarray], opts: lpm.SolverOptions):
    """Each level's optimum held as a row for the levels after it."""
    values: dict[str, float] = {}
    seconds: dict[str, float] = {}
    iterations: dict[str, int] = {}
    duals: dict[int, np.ndarray] = {}
    all_cols = np.arange(model.n_col, dtype=np.int32)

    def count() -> int:
        info = h.getInfo()
        return int(info.simplex_iteration_count + info.ipm_iteration_count)

    for rank, c in costs.items():
        h.changeColsCost(model.n_col, all_cols, c)
        t_level = time.perf_counter()
        lpm.run_checked(h, f"plan ({PRIORITY_NAMES[rank]} orders)", opts.time_limit_s)
        seconds[PRIORITY_NAMES[rank]] = time.perf_counter() - t_level
        iterations[PRIORITY_NAMES[rank]] = count()
        v = h.getInfo().objective_function_value
        values[PRIORITY_NAMES[rank]] = v
        duals[rank] = np.array(h.getSolution().row_dual)
        nz = np.flatnonzero(c)
        slack = _level_slack(v, c, class_offset(model.inp, rank))
        h.addRow(-lpm.INF, v + slack, len(nz), nz.astype(np.int32), c[nz])
        if h.keepline_solver == "simplex":
            # later levels change only the objective (and add one row): the basis stays
            # primal feasible, so primal simplex from it is fast where dual simplex is
            # not (measured: 0.07 s against 18 s on Willems chain 13)
            h.setOptionValue("simplex_strategy", 4)
    if opts.cost_level:
        h.changeColsCost(model.n_col, all_cols, cost_costs(model))
        t_level = time.perf_counter()
        lpm.run_checked(h, "plan (cost)", opts.time_limit_s)
        seconds["cost"] = time.perf_counter() - t_level
        iterations["cost"] = count()
        values["cost"] = h.getInfo().objective_function_value
    x = np.array(h.getSolution().col_value)
    return x, values, duals, seconds, iterations


def _schedule_from(model: lpm.LPModel, x: np.ndarray) -> Schedule:
    inp = model.inp
    T = inp.horizon
    s = Schedule.empty(inp)
    s.produce = np.maximum(x[model.x0 : model.b0].reshape(len(inp.pair_line), T), 0.0)
    np.add.at(s.buy, (model.b_opt, model.b_day), np.maximum(x[model.b0 : model.y0], 0.0))
    np.add.at(s.ship, (model.s_order, model.s_day), np.maximum(x[model.s0 :], 0.0))
    for j in np.flatnonzero(inp.opt_backup):
        # an interior-point solution spreads crumbs below 1e-9 over many days: those
        # are no purchase
        used = np.flatnonzero(s.buy[j] > 1e-9)
        if len(used):
            first = int(used[0])
            s.activate[j] = max(0, first - int(inp.opt_lead[j]) - int(inp.opt_act_days[j]))
    return s


# -- the result -----------------------------------------------------------------------


@dataclass
class PlanResult:
    """A checked whole-unit plan with its LP bound, the greedy baseline and the reasons."""

    inp: PlanInput
    schedule: Schedule
    lp: LPSolution
    greedy: Schedule | None
    orders: list[OrderRecord]
    explanations: list[str]
    notes: list[str]
    violations: list[str]
    seconds: float
    lateness_by_class: dict[str, float] = field(default_factory=dict)
    lp_lateness_by_class: dict[str, float] = field(default_factory=dict)
    greedy_lateness_by_class: dict[str, float] = field(default_factory=dict)
    # "lp": the LP plan rounded to whole units; "greedy": the baseline, when that
    # rounding came out later than it (lexicographically by class)
    source: str = "lp"

    # -- summaries
    def units_lost_by_class(self) -> dict[str, float]:
        out = dict.fromkeys(PRIORITY_NAMES, 0.0)
        for o in self.orders:
            if o.in_horizon:
                out[o.priority] += o.units_unshipped
        return out

    def weighted_lateness(self) -> float:
        return float(sum(self.lateness_by_class.values()))

    def lp_bound(self) -> float:
        return float(sum(self.lp_lateness_by_class.values()))

    def rounding_gap(self) -> float:
        """Rounded plan's weighted lateness over the LP bound, minus 1 (0 = no loss)."""
        bound = self.lp_bound()
        total = self.weighted_lateness()
        if bound <= 1e-9:
            return 0.0 if total <= 1e-6 else float("inf")
        return total / bound - 1.0

    def output_per_day(self) -> np.ndarray:
        """[P, T] units made per product per day."""
        inp = self.inp
        out = np.zeros((len(inp.product_ids), inp.horizon))
        np.add.at(out, inp.pair_product, self.schedule.produce)
        return out

    def backups(self) -> list[BackupRecord]:
        inp, s = self.inp, self.schedule
        out = []
        for j in np.flatnonzero(s.activate >= 0):
            first = int(np.flatnonzero(s.buy[j] > 0)[0])
            out.append(
                BackupRecord(
                    material=inp.material_ids[inp.opt_material[j]],
                    supplier=inp.supplier_ids[inp.opt_supplier[j]],
                    activate_by=inp.day(s.activate[j]),
                    first_order=inp.day(first - int(inp.opt_lead[j])),
                    activation_cost=float(inp.opt_act_cost[j]),
                    qty=float(s.buy[j].sum()),
                )
            )
        return out

    def cost(self) -> float:
        inp, s = self.inp, self.schedule
        return float(
            (s.buy.sum(axis=1) * inp.opt_cost).sum() + inp.opt_act_cost[s.activate >= 0].sum()
        )

    def production_rows(self) -> list[ProductionRow]:
        inp, s = self.inp, self.schedule
        return [
            ProductionRow(
                date=inp.day(t),
                line=inp.line_ids[inp.pair_line[q]],
                product=inp.product_ids[inp.pair_product[q]],
                units=float(s.produce[q, t]),
            )
            for q, t in zip(*np.nonzero(s.produce), strict=True)
        ]

    def purchase_rows(self) -> list[PurchaseRow]:
        inp, s = self.inp, self.schedule
        rows = [
            PurchaseRow(
                order_date=inp.day(t - int(inp.opt_lead[j])),
                dispatch_date=inp.day(t),
                arrival_date=inp.day(arrival_day(inp, int(j), int(t))),
                material=inp.material_ids[inp.opt_material[j]],
                supplier=inp.supplier_ids[inp.opt_supplier[j]],
                qty=float(s.buy[j, t]),
            )
            for j, t in zip(*np.nonzero(s.buy), strict=True)
        ]
        rows.sort(key=lambda r: (r.order_date, r.material))
        return rows

    def shipment_rows(self) -> list[ShipmentRow]:
        inp, s = self.inp, self.schedule
        return [
            ShipmentRow(date=inp.day(t), order=inp.order_ids[o], units=float(s.ship[o, t]))
            for t, o in sorted(zip(*np.nonzero(s.ship.T), strict=True))
        ]

    def record(self) -> PlanRecord:
        """The plan as a typed record (``continuity.record``): what ``--json``, the
        assessment and stored plans serialise."""
        inp = self.inp
        out = self.output_per_day()
        return PlanRecord(
            horizon_start=inp.start,
            horizon_days=inp.horizon,
            weighted_lateness=self.weighted_lateness(),
            weighted_lateness_by_class=self.lateness_by_class,
            lp_bound_by_class=self.lp_lateness_by_class,
            greedy_by_class=self.greedy_lateness_by_class,
            rounding_gap=self.rounding_gap(),
            plan_source=self.source,
            units_lost_by_class=self.units_lost_by_class(),
            cost=self.cost(),
            orders=tuple(self.orders),
            output_per_day={p: [float(v) for v in out[i]] for i, p in enumerate(inp.product_ids)},
            backups=tuple(self.backups()),
            production=tuple(self.production_rows()),
            purchases=tuple(self.purchase_rows()),
            shipments=tuple(self.shipment_rows()),
            explanations=tuple(self.explanations),
            notes=tuple(self.notes),
            violations=tuple(self.violations),
            solver=SolverStats(
                method=self.lp.solver,
                seconds_lp=self.lp.seconds,
                seconds_total=self.seconds,
                rows=self.lp.model.n_row,
                columns=self.lp.model.n_col,
                nonzeros=self.lp.model.nnz(),
                level_objectives=self.lp.level_values,
                level_seconds=self.lp.level_seconds,
                level_iterations=self.lp.level_iterations,
            ),
        )


def _outcomes(inp: PlanInput, s: Schedule, lp_ship: np.ndarray) -> list[OrderRecord]:
    T = inp.horizon
    late = lateness(inp, s.ship)
    out = []
    for o, oid in enumerate(inp.order_ids):
        due = int(inp.order_due[o])
        in_h = due < T
        by_due = float(s.ship[o, : max(due, 0) + 1].sum()) if in_h else 0.0
        total = float(s.ship[o].sum())
        days = np.arange(T)
        unit_days = float((s.ship[o] * np.maximum(days - max(due, 0), 0)).sum())
        if in_h:
            unit_days += max(inp.order_qty[o] - total, 0.0) * (T - max(due, 0))
        shipped_days = np.flatnonzero(s.ship[o] > 0)
        out.append(
            OrderRecord(
                order=oid,
                product=inp.product_ids[inp.order_product[o]],
                priority=PRIORITY_NAMES[inp.order_rank[o]],
                qty=float(inp.order_qty[o]),
                due=inp.day(due),
                in_horizon=in_h,
                shipped_by_due=by_due,
                shipped_in_horizon=total,
                units_late=total - by_due if in_h else 0.0,
                units_unshipped=max(float(inp.order_qty[o]) - total, 0.0) if in_h else 0.0,
                late_unit_days=unit_days if in_h else 0.0,
                weighted_lateness=float(late[o]),
                last_ship=inp.day(shipped_days[-1]) if len(shipped_days) else None,
                lp_shipped_by_due=float(lp_ship[o, : max(due, 0) + 1].sum()),
            )
        )
    return out


def by_class(inp: PlanInput, per_order: np.ndarray) -> dict[str, float]:
    out = dict.fromkeys(PRIORITY_NAMES, 0.0)
    for o in range(len(inp.order_ids)):
        out[PRIORITY_NAMES[inp.order_rank[o]]] += float(per_order[o])
    return out


def lp_bound_by_class(inp: PlanInput, sol: LPSolution) -> dict[str, float]:
    """The LP's proven optimum of each class's weighted lateness (a lower bound for any
    whole-unit plan), from the level objectives."""
    return {
        name: max(0.0, class_offset(inp, rank) + sol.level_values.get(name, 0.0))
        for rank, name in enumerate(PRIORITY_NAMES)
    }


def lex_before(a: dict[str, float], b: dict[str, float], rel: float = 1e-9) -> bool:
    """a is strictly better than b in the order front-line, livelihood, standard."""
    for k in PRIORITY_NAMES:
        tol = rel * max(1.0, abs(b[k]))
        if a[k] < b[k] - tol:
            return True
        if a[k] > b[k] + tol:
            return False
    return False


def plan_input(
    inp: PlanInput, opts: lpm.SolverOptions | None = None, baseline: bool = True
) -> PlanResult:
    """Plan one :class:`PlanInput`: solve, round, check, explain (and run the greedy
    baseline when ``baseline``)."""
    t0 = time.perf_counter()
    validate(inp)
    # the greedy baseline needs nothing from the LP: it runs on the other core while
    # HiGHS (which releases the GIL) solves
    with ThreadPoolExecutor(max_workers=1) as pool:
        greedy_job = pool.submit(greedy_schedule, inp) if baseline else None
        sol = solve_lp(inp, opts)
        rounded, notes = round_schedule(inp, sol.schedule)
        violations = check_schedule(inp, rounded, integral=True)
        greedy = greedy_job.result() if greedy_job is not None else None
    late = by_class(inp, lateness(inp, rounded.ship))
    greedy_late = by_class(inp, lateness(inp, greedy.ship)) if greedy is not None else {}
    greedy_violations = check_schedule(inp, greedy, integral=True) if greedy is not None else []
    source = "lp"
    # the greedy plan may carry the same minimum-order shortfalls as the rounded one (a
    # supplier with no room to make an order up); only a broken rule disqualifies it
    if (
        greedy is not None
        and lex_before(greedy_late, late)
        and not hard_violations(greedy_violations)
    ):
        # rounding to whole units lost more than the greedy plan does: the plan
        # promised never to be later than the baseline, so the baseline is the plan
        notes = [
            "the greedy plan is used: the LP plan rounded to whole units was later "
            f"(weighted lateness front-line/livelihood/standard "
            f"{'/'.join(f'{late[k]:,.0f}' for k in PRIORITY_NAMES)} against "
            f"{'/'.join(f'{greedy_late[k]:,.0f}' for k in PRIORITY_NAMES)})",
            *greedy_violations,
        ]
        rounded, violations, source, late = greedy, greedy_violations, "greedy", greedy_late
    orders = _outcomes(inp, rounded, sol.schedule.ship)
    res = PlanResult(
        source=source,
        inp=inp,
        schedule=rounded,
        lp=sol,
        greedy=greedy,
        orders=orders,
        explanations=[],
        notes=notes,
        violations=violations,
        seconds=0.0,
        lateness_by_class=late,
        lp_lateness_by_class=lp_bound_by_class(inp, sol),
        greedy_lateness_by_class=greedy_late,
    )
    res.explanations = explain(res)
    res.seconds = time.perf_counter() - t0
    return res


def plan(
    plant: PlantFile,
    workforce: Workforce | None = None,
    scenario: Scenario | None = None,
    horizon: int = 90,
    opts: lpm.SolverOptions | None = None,
    baseline: bool = True,
) -> PlanResult:
    """The plan for a plant: the assessment's entry point."""
    return plan_input(build_input(plant, workforce, scenario, horizon), opts, baseline)


# -- why ------------------------------------------------------------------------------


def _days_text(inp: PlanInput, days: np.ndarray) -> str:
    days = np.sort(days)
    first, last = inp.day(days[0]), inp.day(days[-1])
    n = len(days)
    if n == 1:
        return f"on {first.isoformat()}"
    return f"on {n} days between {first.isoformat()} and {last.isoformat()}"


def explain(res: PlanResult) -> list[str]:
    """One sentence per order at risk: how short it is, and the binding constraints of
    its priority level (rows with a nonzero dual), strongest first."""
    inp = res.inp
    model = res.lp.model
    T = inp.horizon
    blocked = option_blocked(inp)
    avail = line_available(inp)
    out = []
    for o, oc in enumerate(res.orders):
        if not oc.at_risk:
            continue
        rank = int(inp.order_rank[o])
        head = (
            f"{oc.order} ({oc.priority}, {oc.qty:g} × {oc.product} due {oc.due.isoformat()}): "
            f"{oc.shipped_by_due:g} on time"
        )
        if oc.units_late:
            head += f", {oc.units_late:g} late"
        if oc.units_unshipped:
            head += f", {oc.units_unshipped:g} not shipped within the horizon"
        due = max(int(inp.order_due[o]), 0)
        lp_by_due = float(res.lp.schedule.ship[o, : due + 1].sum())
        if res.source == "lp" and lp_by_due >= inp.order_qty[o] - 1e-6:
            # no constraint of the LP holds it back: the whole-unit plan does
            out.append(
                head + ". The LP plan ships it in full on time; it slips in rounding to "
                "whole units (a line's room, the workers and the materials are shared "
                "out one unit at a time)."
            )
            continue
        duals = res.lp.duals.get(rank)
        p = int(inp.order_product[o])
        reasons: list[tuple[float, str]] = []
        last = min(T - 1, max(int(inp.order_due[o]), 0) + T)
        window = np.arange(0, last + 1)
        qs = np.flatnonzero(inp.pair_product == p)
        lines = sorted({int(inp.pair_line[q]) for q in qs})
        if duals is not None:
            for ln in lines:
                d = np.abs(duals[model.r_line + ln * T + window])
                hit = window[d > DUAL_EPS]
                if len(hit):
                    reasons.append(
                        (d.sum(), f"line {inp.line_ids[ln]} at full rate {_days_text(inp, hit)}")
                    )
                down = window[~avail[ln, window]]
                if len(down):
                    z = inp.zone_ids[inp.line_zone[ln]]
                    reasons.append(
                        (
                            np.inf,
                            f"line {inp.line_ids[ln]} or its zone {z} down {_days_text(inp, down)}",
                        )
                    )
            zones = {int(inp.line_zone[ln]) for ln in lines}
            for i, (z, s, k) in enumerate(model.crew_keys):
                if z not in zones:
                    continue
                d = np.abs(duals[model.r_crew + i * T + window])
                hit = window[d > DUAL_EPS]
                if len(hit):
                    reasons.append(
                        (
                            d.sum(),
                            f"{inp.skill_ids[k]} workers in zone {inp.zone_ids[z]} on the "
                            f"{inp.shift_ids[s]} shift {_days_text(inp, hit)}",
                        )
                    )
            for m in np.flatnonzero(inp.bom[p] > 0):
                d = np.abs(duals[model.r_mat + m * T + window])
                hit = window[d > DUAL_EPS]
                if not len(hit):
                    continue
                why = []
                for j in np.flatnonzero(inp.opt_material == m):
                    bd = np.flatnonzero(blocked[j])
                    if len(bd):
                        why.append(
                            f"{inp.supplier_ids[inp.opt_supplier[j]]} cannot ship "
                            f"{_days_text(inp, bd)}"
                        )
                extra = f" ({'; '.join(why)})" if why else ""
                reasons.append(
                    (
                        d.sum(),
                        f"material {inp.material_ids[m]} short {_days_text(inp, hit)}{extra}",
                    )
                )
        reasons.sort(key=lambda r: -r[0])
        if reasons:
            out.append(head + ". Limited by: " + "; ".join(r for _, r in reasons[:3]) + ".")
        else:
            out.append(head + ". No single constraint binds: the horizon ends first.")
    return out
