"""A readable summary of a plant: pure functions over the plant model."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from keepline.plant.schema import PRIORITY_ORDER, MaterialKind, PlantFile


@dataclass(frozen=True)
class MaterialCover:
    material: str
    unit: str
    on_hand: float
    use_per_day: float
    days_of_cover: float  # math.inf when nothing uses it


def full_production_per_day(plant: PlantFile) -> dict[str, float]:
    """Units per day of each product with every line at full crew.

    A line that makes several products splits its days evenly between them.
    """
    out: dict[str, float] = defaultdict(float)
    for line in plant.lines:
        made = {p: r for p, r in line.rates_units_per_day.items() if r > 0}
        for p, rate in made.items():
            out[p] += rate / len(made)
    return dict(out)


def material_cover(plant: PlantFile) -> list[MaterialCover]:
    """Days each material lasts at full production with every worker on site.

    Raw materials are used through the bills of materials; prevention materials per
    worker-day (screening use depends on a policy and is left out here).
    """
    use: dict[str, float] = defaultdict(float)
    for product_id, units in full_production_per_day(plant).items():
        product = next(p for p in plant.products if p.id == product_id)
        for mat, qty in product.bom.items():
            use[mat] += units * qty
    workers = plant.headcount()
    out = []
    for mat in plant.materials:
        per_day = use[mat.id]
        if mat.kind == MaterialKind.prevention:
            per_day += mat.consumption_per_worker_day * workers
        days = mat.on_hand / per_day if per_day > 0 else math.inf
        out.append(MaterialCover(mat.id, mat.unit, mat.on_hand, per_day, days))
    return out


def headcount_by_zone_shift(plant: PlantFile) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {z.id: {s.id: 0 for s in plant.shifts} for z in plant.zones}
    for t in plant.teams:
        table[t.zone][t.shift] += t.headcount
    return table


def orders_by_priority(plant: PlantFile) -> dict[str, dict[str, float]]:
    """Per priority class: number of orders and units, and the earliest due date."""
    out: dict[str, dict[str, float]] = {}
    for pr in PRIORITY_ORDER:
        orders = [o for o in plant.orders if o.priority == pr]
        out[pr.value] = {"orders": len(orders), "units": sum(o.qty for o in orders)}
    return out


def render_text(plant: PlantFile) -> str:
    """The summary as plain text for the terminal."""
    e = plant.enterprise
    lines = [
        f"{e.name} ({e.id})",
        f"  region {e.region_code} · {e.sector} · overseen by {e.jurisdiction}",
        f"  horizon starts {plant.horizon_start.isoformat()} · {plant.headcount()} workers in "
        f"{len(plant.teams)} teams",
        "",
        "Headcount by zone and shift",
    ]
    shifts = [s.id for s in plant.shifts]
    table = headcount_by_zone_shift(plant)
    width = max(len(z.id) for z in plant.zones) + 2
    lines.append(
        "  "
        + "zone".ljust(width)
        + "kind".ljust(12)
        + "".join(s.rjust(8) for s in shifts)
        + "total".rjust(8)
    )
    for z in plant.zones:
        row = table[z.id]
        lines.append(
            "  "
            + z.id.ljust(width)
            + z.kind.value.ljust(12)
            + "".join(str(row[s]).rjust(8) for s in shifts)
            + str(sum(row.values())).rjust(8)
        )
    lines += ["", "Lines (full-crew rate, units/day)"]
    for ln in plant.lines:
        crew = ", ".join(f"{n} {k}" for k, n in ln.crew_per_shift.items())
        rates = ", ".join(f"{p} {r:g}" for p, r in ln.rates_units_per_day.items())
        lines.append(
            f"  {ln.id} in {ln.zone}, shifts {', '.join(plant.line_shifts(ln))}: "
            f"{rates}; crew per shift {crew}"
        )
    lines += ["", "Products"]
    for p in plant.products:
        lines.append(f"  {p.id}: {p.name} ({len(p.bom)} materials)")
    lines += ["", "Materials: days of cover at full production with everyone on site"]
    for c in sorted(material_cover(plant), key=lambda c: c.days_of_cover):
        days = "not used" if math.isinf(c.days_of_cover) else f"{c.days_of_cover:.1f} days"
        lines.append(
            f"  {c.material.ljust(22)} {c.on_hand:>12,.0f} {c.unit:<4} "
            f"uses {c.use_per_day:>10,.1f}/day  {days}"
        )
    lines += ["", "Orders by priority class"]
    for pr, row in orders_by_priority(plant).items():
        due = [o.due for o in plant.orders if o.priority.value == pr]
        first = f", first due {min(due).isoformat()}" if due else ""
        lines.append(
            f"  {pr.ljust(11)} {int(row['orders'])} orders, {row['units']:,.0f} units{first}"
        )
    return "\n".join(lines)
