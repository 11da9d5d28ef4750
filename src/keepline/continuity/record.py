"""The plan record: what a plan says, typed, and its JSON (the one serialisation).

:class:`PlanRecord` is the plan as the planner made it (``PlanResult.record()``). It has
three JSON forms, each written and read here and nowhere else:

* ``PlanRecord.to_json()``: the whole plan, as ``keepline plan --json`` writes it
  (docs/continuity.md);
* ``PlanRecord.summary()`` → :class:`PlanSummary`: the parts of a plan the assessment's
  ``report.json`` keeps per planned replicate (docs/report-json.md);
* ``PlanRecord.stored()`` → :class:`StoredPlanResult`: the result a re-plan keeps in the
  ``plans`` table and that two plans are compared on (docs/materials.md).

The three forms share names with different shapes (``orders`` is a list in the whole
plan and a map by order id in a stored one; ``backups`` are objects with ``activate_by``,
sentences, or objects with ``activate_on``), and each is read by readers that exist
today, so each keeps its own shape; every one is built from the same record. Readers use
the typed records (``from_json``), never string keys.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Self, get_type_hints

import numpy as np

from keepline.continuity.model import PRIORITY_NAMES


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Flat:
    """A record of plain values and dates. Its JSON is its fields in order, dates as ISO
    strings; ``from_json`` reads a field from its key (keys that are no field, such as
    properties a ``to_json`` adds, are passed over; a missing key takes the default)."""

    def to_json(self) -> dict[str, Any]:
        return {
            f.name: _iso(v) if isinstance(v := getattr(self, f.name), dt.date) else v
            for f in fields(self)  # type: ignore[arg-type]
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Self:
        dates = _date_fields(cls)
        return cls(
            **{
                f.name: _date(d[f.name]) if f.name in dates else d[f.name]
                for f in fields(cls)  # type: ignore[arg-type]
                if f.name in d or f.default is MISSING
            }
        )


@functools.cache
def _date_fields(cls: type) -> frozenset[str]:
    return frozenset(
        n for n, t in get_type_hints(cls).items() if t == dt.date or t == dt.date | None
    )


# -- the parts of a plan ---------------------------------------------------------------


@dataclass(frozen=True)
class OrderRecord(_Flat):
    """One order's outcome in a plan."""

    order: str
    product: str
    priority: str
    qty: float
    due: dt.date
    in_horizon: bool
    shipped_by_due: float
    shipped_in_horizon: float
    units_late: float  # shipped after the due date, within the horizon
    units_unshipped: float  # not shipped by the horizon end
    late_unit_days: float
    weighted_lateness: float
    last_ship: dt.date | None
    # the LP's units by the due date before rounding to whole units (kept by stored
    # plans; not part of the whole plan's JSON, so None when read back from it)
    lp_shipped_by_due: float | None = None

    @property
    def fill_by_due(self) -> float:
        return self.shipped_by_due / self.qty

    @property
    def at_risk(self) -> bool:
        return self.in_horizon and self.shipped_by_due < self.qty - 1e-6

    def to_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "product": self.product,
            "priority": self.priority,
            "qty": self.qty,
            "due": self.due.isoformat(),
            "in_horizon": self.in_horizon,
            "fill_by_due": self.fill_by_due,
            "shipped_by_due": self.shipped_by_due,
            "shipped_in_horizon": self.shipped_in_horizon,
            "units_late": self.units_late,
            "units_unshipped": self.units_unshipped,
            "late_unit_days": self.late_unit_days,
            "weighted_lateness": self.weighted_lateness,
            "last_ship": _iso(self.last_ship),
            "at_risk": self.at_risk,
        }


@dataclass(frozen=True)
class BackupRecord(_Flat):
    """A backup supplier option the plan activates."""

    material: str
    supplier: str
    activate_by: dt.date
    first_order: dt.date
    activation_cost: float
    qty: float

    def sentence(self) -> str:
        return f"{self.supplier} for {self.material} (activate by {self.activate_by})"


@dataclass(frozen=True)
class ProductionRow(_Flat):
    date: dt.date
    line: str
    product: str
    units: float


@dataclass(frozen=True)
class PurchaseRow(_Flat):
    order_date: dt.date
    dispatch_date: dt.date
    arrival_date: dt.date
    material: str
    supplier: str
    qty: float


@dataclass(frozen=True)
class ShipmentRow(_Flat):
    date: dt.date
    order: str
    units: float


@dataclass(frozen=True)
class SolverStats(_Flat):
    method: str
    seconds_lp: float
    seconds_total: float
    rows: int
    columns: int
    nonzeros: int
    level_objectives: dict[str, float]
    level_seconds: dict[str, float]
    level_iterations: dict[str, int]
    name: str = "HiGHS"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "method": self.method,
            "seconds_lp": self.seconds_lp,
            "seconds_total": self.seconds_total,
            "rows": self.rows,
            "columns": self.columns,
            "nonzeros": self.nonzeros,
            "level_objectives": self.level_objectives,
            "level_seconds": self.level_seconds,
            "level_iterations": self.level_iterations,
        }


# -- the plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRecord:
    """A checked whole-unit plan: its orders, production, purchases, shipments, backups,
    reasons and the numbers that judge it (weighted lateness beside the LP bound and the
    greedy baseline, by class)."""

    horizon_start: dt.date
    horizon_days: int
    weighted_lateness: float
    weighted_lateness_by_class: dict[str, float]
    lp_bound_by_class: dict[str, float]
    greedy_by_class: dict[str, float]
    rounding_gap: float
    plan_source: str  # "lp" or "greedy"
    units_lost_by_class: dict[str, float]
    cost: float
    orders: tuple[OrderRecord, ...]
    output_per_day: dict[str, list[float]]  # units made per product per day
    backups: tuple[BackupRecord, ...]
    production: tuple[ProductionRow, ...]
    purchases: tuple[PurchaseRow, ...]
    shipments: tuple[ShipmentRow, ...]
    explanations: tuple[str, ...]
    notes: tuple[str, ...]
    violations: tuple[str, ...]
    solver: SolverStats

    @property
    def lp_bound(self) -> float:
        """The LP's proven weighted lateness, summed over the classes."""
        return float(sum(self.lp_bound_by_class.values()))

    @property
    def orders_at_risk(self) -> tuple[OrderRecord, ...]:
        return tuple(o for o in self.orders if o.at_risk)

    # -- the whole plan (``keepline plan --json``)

    def to_json(self) -> dict[str, Any]:
        return {
            "horizon_start": self.horizon_start.isoformat(),
            "horizon_days": self.horizon_days,
            "weighted_lateness": self.weighted_lateness,
            "weighted_lateness_by_class": self.weighted_lateness_by_class,
            "lp_bound_by_class": self.lp_bound_by_class,
            "greedy_by_class": self.greedy_by_class,
            "rounding_gap": self.rounding_gap,
            "plan_source": self.plan_source,
            "units_lost_by_class": self.units_lost_by_class,
            "cost": self.cost,
            "orders": [o.to_json() for o in self.orders],
            "output_per_day": self.output_per_day,
            "backups": [b.to_json() for b in self.backups],
            "production": [r.to_json() for r in self.production],
            "purchases": [r.to_json() for r in self.purchases],
            "shipments": [r.to_json() for r in self.shipments],
            "explanations": list(self.explanations),
            "notes": list(self.notes),
            "check": {"violations": list(self.violations), "ok": not self.violations},
            "solver": self.solver.to_json(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PlanRecord:
        return cls(
            horizon_start=dt.date.fromisoformat(d["horizon_start"]),
            horizon_days=d["horizon_days"],
            weighted_lateness=d["weighted_lateness"],
            weighted_lateness_by_class=dict(d["weighted_lateness_by_class"]),
            lp_bound_by_class=dict(d["lp_bound_by_class"]),
            greedy_by_class=dict(d["greedy_by_class"]),
            rounding_gap=d["rounding_gap"],
            plan_source=d["plan_source"],
            units_lost_by_class=dict(d["units_lost_by_class"]),
            cost=d["cost"],
            orders=tuple(OrderRecord.from_json(o) for o in d["orders"]),
            output_per_day={p: list(v) for p, v in d["output_per_day"].items()},
            backups=tuple(BackupRecord.from_json(b) for b in d["backups"]),
            production=tuple(ProductionRow.from_json(r) for r in d["production"]),
            purchases=tuple(PurchaseRow.from_json(r) for r in d["purchases"]),
            shipments=tuple(ShipmentRow.from_json(r) for r in d["shipments"]),
            explanations=tuple(d["explanations"]),
            notes=tuple(d["notes"]),
            violations=tuple(d["check"]["violations"]),
            solver=SolverStats.from_json(d["solver"]),
        )

    # -- the other forms

    def summary(self) -> PlanSummary:
        """The parts of the plan the assessment's report keeps."""
        fill: dict[str, float | None] = {}
        short: dict[str, float] = {}
        for pr in PRIORITY_NAMES:
            orders = [o for o in self.orders if o.priority == pr and o.in_horizon]
            qty = sum(o.qty for o in orders)
            fill[pr] = (sum(o.shipped_by_due for o in orders) / qty) if qty else None
            short[pr] = sum(o.qty - o.shipped_by_due for o in orders)
        # [P, T] as the planner made it, so the sums are the same to the last bit
        per_day = np.array(list(self.output_per_day.values()), dtype=float)
        per_day = per_day.reshape(len(self.output_per_day), self.horizon_days)
        return PlanSummary(
            fill_by_due=fill,
            units_short_by_due=short,
            units_lost=dict(self.units_lost_by_class),
            output_units=float(per_day.sum()),
            output_by_product={
                p: float(v) for p, v in zip(self.output_per_day, per_day.sum(axis=1), strict=True)
            },
            weighted_lateness=self.weighted_lateness,
            orders_at_risk=tuple(
                AtRiskOrder(
                    order=o.order,
                    product=o.product,
                    priority=o.priority,
                    qty=o.qty,
                    due=o.due,
                    short_by_due=o.qty - o.shipped_by_due,
                    units_unshipped=o.units_unshipped,
                )
                for o in self.orders_at_risk
            ),
            backups=tuple(b.sentence() for b in self.backups),
            reasons=self.explanations,
            violations=self.violations,
        )

    def stored(self) -> StoredPlanResult:
        """The result a re-plan keeps and two plans are compared on."""
        return StoredPlanResult(
            orders={
                o.order: StoredOrder(
                    priority=o.priority,
                    due=o.due,
                    qty=o.qty,
                    fill_by_due=o.shipped_by_due,
                    lp_fill_by_due=o.lp_shipped_by_due if o.lp_shipped_by_due is not None else 0.0,
                    late_units=o.units_late + o.units_unshipped,
                    at_risk=o.at_risk,
                )
                for o in self.orders
            },
            orders_at_risk=tuple(o.order for o in self.orders_at_risk),
            backups=tuple(
                StoredBackup(b.material, b.supplier, b.activate_by) for b in self.backups
            ),
            production={p: list(v) for p, v in self.output_per_day.items()},
            reasons=self.explanations,
            weighted_lateness=self.weighted_lateness,
            lp_bound=self.lp_bound,
            violations=self.violations,
            production_by_line=self.output_by_line(),
        )

    def output_by_line(self) -> dict[str, list[float]]:
        """Units made per line per day of the horizon (all products), lines in the order
        they first make something."""
        out: dict[str, list[float]] = {}
        for r in self.production:
            day = (r.date - self.horizon_start).days
            if 0 <= day < self.horizon_days:
                out.setdefault(r.line, [0.0] * self.horizon_days)[day] += r.units
        return out


# -- the assessment's form ---------------------------------------------------------------


@dataclass(frozen=True)
class AtRiskOrder(_Flat):
    order: str
    product: str
    priority: str
    qty: float
    due: dt.date
    short_by_due: float  # units not shipped by the due date
    units_unshipped: float  # not shipped within the horizon


@dataclass(frozen=True)
class PlanSummary:
    """A plan as the assessment's report keeps it (a cell's ``plan`` and ``plans[]``, the
    ``baseline_plan``), before the report adds what it compares."""

    fill_by_due: dict[str, float | None]  # per class; None: no order of it in the horizon
    units_short_by_due: dict[str, float]
    units_lost: dict[str, float]
    output_units: float
    output_by_product: dict[str, float]
    weighted_lateness: float
    orders_at_risk: tuple[AtRiskOrder, ...]
    backups: tuple[str, ...]  # "supplier for material (activate by date)"
    reasons: tuple[str, ...]
    violations: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "fill_by_due": dict(self.fill_by_due),
            "units_short_by_due": dict(self.units_short_by_due),
            "units_lost": dict(self.units_lost),
            "output_units": self.output_units,
            "output_by_product": dict(self.output_by_product),
            "weighted_lateness": self.weighted_lateness,
            "orders_at_risk": [o.to_json() for o in self.orders_at_risk],
            "backups": list(self.backups),
            "reasons": list(self.reasons),
            "violations": list(self.violations),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PlanSummary:
        """Reads a summary, also one inside a report (which has more keys beside it)."""
        return cls(
            fill_by_due=dict(d["fill_by_due"]),
            units_short_by_due=dict(d["units_short_by_due"]),
            units_lost=dict(d["units_lost"]),
            output_units=d["output_units"],
            output_by_product=dict(d["output_by_product"]),
            weighted_lateness=d["weighted_lateness"],
            orders_at_risk=tuple(AtRiskOrder.from_json(o) for o in d["orders_at_risk"]),
            backups=tuple(d["backups"]),
            reasons=tuple(d["reasons"]),
            violations=tuple(d["violations"]),
        )


# -- the stored form ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredOrder(_Flat):
    priority: str
    due: dt.date
    qty: float
    fill_by_due: float  # units shipped by the due date
    lp_fill_by_due: float  # the same in the LP plan, before rounding to whole units
    late_units: float  # late or not shipped within the horizon
    at_risk: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StoredOrder:
        return cls(
            priority=d["priority"],
            due=dt.date.fromisoformat(d["due"]),
            qty=d["qty"],
            fill_by_due=d.get("fill_by_due", 0.0),
            lp_fill_by_due=d.get("lp_fill_by_due", 0.0),
            late_units=d.get("late_units", 0.0),
            at_risk=bool(d.get("at_risk")),
        )


@dataclass(frozen=True)
class StoredBackup(_Flat):
    material: str
    supplier: str
    activate_on: dt.date | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StoredBackup:
        return cls(d["material"], d["supplier"], _date(d.get("activate_on")))


@dataclass(frozen=True)
class StoredPlanResult:
    """A plan's result as a re-plan keeps it. Read back with :meth:`from_json`, which
    takes a result missing any part (a part not kept reads as empty)."""

    orders: dict[str, StoredOrder] = field(default_factory=dict)
    orders_at_risk: tuple[str, ...] = ()
    backups: tuple[StoredBackup, ...] = ()
    production: dict[str, list[float]] = field(default_factory=dict)  # units per day
    reasons: tuple[str, ...] = ()
    weighted_lateness: float = 0.0
    lp_bound: float = 0.0
    violations: tuple[str, ...] = ()
    # units per line per day (plans stored before it was kept read it as empty)
    production_by_line: dict[str, list[float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "orders": {oid: o.to_json() for oid, o in self.orders.items()},
            "orders_at_risk": list(self.orders_at_risk),
            "backups": [b.to_json() for b in self.backups],
            "production": {p: list(v) for p, v in self.production.items()},
            "reasons": list(self.reasons),
            "weighted_lateness": self.weighted_lateness,
            "lp_bound": self.lp_bound,
            "violations": list(self.violations),
            "production_by_line": {ln: list(v) for ln, v in self.production_by_line.items()},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StoredPlanResult:
        return cls(
            orders={oid: StoredOrder.from_json(o) for oid, o in (d.get("orders") or {}).items()},
            orders_at_risk=tuple(d.get("orders_at_risk") or ()),
            backups=tuple(StoredBackup.from_json(b) for b in d.get("backups") or ()),
            production={p: list(v) for p, v in (d.get("production") or {}).items()},
            reasons=tuple(d.get("reasons") or ()),
            weighted_lateness=d.get("weighted_lateness", 0.0),
            lp_bound=d.get("lp_bound", 0.0),
            violations=tuple(d.get("violations") or ()),
            production_by_line={
                ln: list(v) for ln, v in (d.get("production_by_line") or {}).items()
            },
        )
