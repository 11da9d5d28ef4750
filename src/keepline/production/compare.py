"""What changed between two stored plans, and why. A pure function of their inputs
(:class:`PlanInputs`, kept here) and their results (``continuity.record.StoredPlanResult``).

A stored plan keeps its inputs and its result (see ``docs/materials.md``):

* inputs: ``stock`` {material: qty}, ``receipts`` {material: qty due in the horizon},
  ``remaining`` {order: qty still to ship}, ``disruptions`` [{kind, id, start, end}],
  ``transit`` {region: days}, ``workers`` (available worker-days over the horizon);
* result: ``orders`` {order: {fill_by_due, late_units, at_risk}}, ``backups``
  [{material, supplier, activate_on}], ``reasons`` [sentences].

The comparison lists the changes in the result (orders newly at risk or safe again,
fill by due date, backups) and the changes in the inputs that explain them, with the
new plan's reasons that name an order whose status changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from keepline.continuity.record import StoredPlanResult

TOL = 0.5  # units: smaller differences are rounding, not change


@dataclass(frozen=True)
class DownWindow:
    """A node down over days (a disruption of the re-plan's scenario)."""

    kind: str
    id: str
    start: dt.date
    end: dt.date

    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.id, self.start.isoformat(), self.end.isoformat())

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DownWindow:
        return cls(
            d["kind"], d["id"], dt.date.fromisoformat(d["start"]), dt.date.fromisoformat(d["end"])
        )


@dataclass(frozen=True)
class PlanInputs:
    """The daily record a re-plan started from, as a stored plan keeps it beside its
    result. Read back with :meth:`from_json` (a part not kept reads as empty)."""

    state_at_end_of: dt.date | None = None
    stock: dict[str, float] = field(default_factory=dict)  # material: on hand
    receipts: dict[str, float] = field(default_factory=dict)  # material: due in the horizon
    remaining: dict[str, float] = field(default_factory=dict)  # order: still to ship
    disruptions: tuple[DownWindow, ...] = ()
    transit: dict[str, float] = field(default_factory=dict)  # region: days
    workers: float | None = None  # worker-days available over the horizon
    workforce_from: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "state_at_end_of": (
                self.state_at_end_of.isoformat() if self.state_at_end_of is not None else None
            ),
            "stock": dict(self.stock),
            "receipts": dict(self.receipts),
            "remaining": dict(self.remaining),
            "disruptions": [d.to_json() for d in self.disruptions],
            "transit": dict(self.transit),
            "workers": self.workers,
            "workforce_from": self.workforce_from,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PlanInputs:
        end_of = d.get("state_at_end_of")
        return cls(
            state_at_end_of=dt.date.fromisoformat(end_of) if end_of else None,
            stock=dict(d.get("stock") or {}),
            receipts=dict(d.get("receipts") or {}),
            remaining=dict(d.get("remaining") or {}),
            disruptions=tuple(DownWindow.from_json(x) for x in d.get("disruptions") or ()),
            transit=dict(d.get("transit") or {}),
            workers=d.get("workers"),
            workforce_from=d.get("workforce_from", ""),
        )


@dataclass(frozen=True)
class Change:
    subject: str  # 'order ZZ-G-102', 'backup mcu-chip', 'stock mcu-chip', ...
    before: Any
    after: Any
    text: str


@dataclass
class Comparison:
    old_plan: int
    new_plan: int
    outcome: list[Change] = field(default_factory=list)  # what changed in the plan
    causes: list[Change] = field(default_factory=list)  # what changed in its inputs
    reasons: list[str] = field(default_factory=list)  # the new plan's own explanations

    def lines(self) -> list[str]:
        out = [f"plan {self.new_plan} against plan {self.old_plan}:"]
        if not self.outcome:
            out.append("  no change in orders at risk, fill or backups")
        out += [f"  {c.text}" for c in self.outcome]
        if self.causes:
            out.append("because:")
            out += [f"  {c.text}" for c in self.causes]
        if self.reasons:
            out.append("the new plan says:")
            out += [f"  {r}" for r in self.reasons]
        return out


def _num_changes(
    label: str, unit: str, old: dict[str, float], new: dict[str, float]
) -> list[Change]:
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = float(old.get(key, 0.0)), float(new.get(key, 0.0))
        if abs(a - b) >= TOL:
            out.append(
                Change(
                    f"{label} {key}",
                    a,
                    b,
                    f"{label} {key}: {a:,.0f} → {b:,.0f}{unit} ({b - a:+,.0f})",
                )
            )
    return out


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def compare(
    old_id: int,
    old_inputs: PlanInputs,
    old_result: StoredPlanResult,
    new_id: int,
    new_inputs: PlanInputs,
    new_result: StoredPlanResult,
) -> Comparison:
    cmp = Comparison(old_id, new_id)
    old_orders, new_orders = old_result.orders, new_result.orders
    moved: set[str] = set()
    for oid in sorted(set(old_orders) | set(new_orders)):
        a, b = old_orders.get(oid), new_orders.get(oid)
        if a is None or b is None:
            text = f"order {oid} {'added' if a is None else 'no longer planned'}"
            cmp.outcome.append(
                Change(
                    f"order {oid}",
                    a.to_json() if a is not None else None,
                    b.to_json() if b is not None else None,
                    text,
                )
            )
            moved.add(oid)
            continue
        if a.at_risk != b.at_risk:
            text = f"order {oid} {'now at risk' if b.at_risk else 'no longer at risk'}"
            cmp.outcome.append(
                Change(
                    f"order {oid}",
                    a.at_risk,
                    b.at_risk,
                    text + f" (fill by due {a.fill_by_due:,.0f} → {b.fill_by_due:,.0f})",
                )
            )
            moved.add(oid)
        elif abs(a.late_units - b.late_units) >= TOL:
            cmp.outcome.append(
                Change(
                    f"order {oid}",
                    a.late_units,
                    b.late_units,
                    f"order {oid}: units late {a.late_units:,.0f} → {b.late_units:,.0f}",
                )
            )
            moved.add(oid)
    old_b = {(x.material, x.supplier): _iso(x.activate_on) for x in old_result.backups}
    new_b = {(x.material, x.supplier): _iso(x.activate_on) for x in new_result.backups}
    for key in sorted(set(old_b) | set(new_b)):
        mat, sup = key
        if key not in old_b:
            cmp.outcome.append(
                Change(
                    f"backup {mat}", None, sup, f"activate backup {sup} for {mat} by {new_b[key]}"
                )
            )
        elif key not in new_b:
            cmp.outcome.append(
                Change(f"backup {mat}", sup, None, f"backup {sup} for {mat} no longer needed")
            )
        elif old_b[key] != new_b[key]:
            cmp.outcome.append(
                Change(
                    f"backup {mat}",
                    old_b[key],
                    new_b[key],
                    f"backup {sup} for {mat}: activate by {old_b[key]} → {new_b[key]}",
                )
            )
    od = {d.key(): d for d in old_inputs.disruptions}
    nd = {d.key(): d for d in new_inputs.disruptions}
    for key in sorted(set(nd) - set(od)):
        kind, node, start, end = key
        cmp.causes.append(
            Change(
                f"{kind} {node}",
                None,
                nd[key].to_json(),
                f"{kind} {node} down from {start} to {end}",
            )
        )
    for key in sorted(set(od) - set(nd)):
        kind, node, start, end = key
        cmp.causes.append(
            Change(
                f"{kind} {node}",
                od[key].to_json(),
                None,
                f"{kind} {node} no longer down ({start} to {end})",
            )
        )
    cmp.causes += _num_changes("transit from", " d", old_inputs.transit, new_inputs.transit)
    cmp.causes += _num_changes("stock", "", old_inputs.stock, new_inputs.stock)
    cmp.causes += _num_changes("receipts due", "", old_inputs.receipts, new_inputs.receipts)
    cmp.causes += _num_changes("remaining", "", old_inputs.remaining, new_inputs.remaining)
    a_w, b_w = old_inputs.workers, new_inputs.workers
    if a_w is not None and b_w is not None and abs(float(a_w) - float(b_w)) >= TOL:
        cmp.causes.append(
            Change("workers", a_w, b_w, f"worker-days available: {a_w:,.0f} → {b_w:,.0f}")
        )
    cmp.reasons = [r for r in new_result.reasons if any(o in r for o in moved)] if moved else []
    return cmp
