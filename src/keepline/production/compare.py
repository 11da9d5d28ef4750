"""What changed between two stored plans, and why. A pure function of their inputs and
their results (the typed ``continuity.record.StoredPlanResult``).

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


def _disruption_key(d: dict[str, Any]) -> tuple[str, str, str, str]:
    return (str(d.get("kind")), str(d.get("id")), str(d.get("start")), str(d.get("end")))


def compare(
    old_id: int,
    old_inputs: dict[str, Any],
    old_result: StoredPlanResult,
    new_id: int,
    new_inputs: dict[str, Any],
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
    od = {_disruption_key(d): d for d in old_inputs.get("disruptions", [])}
    nd = {_disruption_key(d): d for d in new_inputs.get("disruptions", [])}
    for key in sorted(set(nd) - set(od)):
        kind, node, start, end = key
        cmp.causes.append(
            Change(f"{kind} {node}", None, nd[key], f"{kind} {node} down from {start} to {end}")
        )
    for key in sorted(set(od) - set(nd)):
        kind, node, start, end = key
        cmp.causes.append(
            Change(
                f"{kind} {node}", od[key], None, f"{kind} {node} no longer down ({start} to {end})"
            )
        )
    cmp.causes += _num_changes(
        "transit from", " d", old_inputs.get("transit", {}), new_inputs.get("transit", {})
    )
    cmp.causes += _num_changes(
        "stock", "", old_inputs.get("stock", {}), new_inputs.get("stock", {})
    )
    cmp.causes += _num_changes(
        "receipts due", "", old_inputs.get("receipts", {}), new_inputs.get("receipts", {})
    )
    cmp.causes += _num_changes(
        "remaining", "", old_inputs.get("remaining", {}), new_inputs.get("remaining", {})
    )
    a_w, b_w = old_inputs.get("workers"), new_inputs.get("workers")
    if a_w is not None and b_w is not None and abs(float(a_w) - float(b_w)) >= TOL:
        cmp.causes.append(
            Change("workers", a_w, b_w, f"worker-days available: {a_w:,.0f} → {b_w:,.0f}")
        )
    cmp.reasons = [r for r in new_result.reasons if any(o in r for o in moved)] if moved else []
    return cmp
