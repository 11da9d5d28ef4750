"""Validate a plant given as plain data, naming the place of every problem.

Both loaders (YAML and Excel) turn their input into plain data plus a *locator* that
maps a field path such as ``("lines", 2, "zone")`` to a place a person can find
(``plant.yaml:42`` or ``book.xlsx sheet 'lines' row 4 column 'zone'``). Validation is
pydantic's (types, ranges, unknown keys) followed by :func:`check_references`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from keepline.clock import FROM_FILE
from keepline.errors import InputError, quote
from keepline.plant.schema import COMMUTER, NodeKind, PlantFile, ZoneKind

Path = tuple[str | int, ...]
Locator = Callable[[Path], str]

MAX_FILE_BYTES = 20 * 1024 * 1024


def path_str(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "date_format":  # clock.parse_date's message names the value already
        return str(err["msg"])
    msg = err["msg"]
    msg = msg[0].lower() + msg[1:] if msg else msg
    if "input" in err and not isinstance(err["input"], dict | list):
        msg += f" (got {quote(err['input'])})"
    return msg


def validate_plant(data: Any, locate: Locator) -> PlantFile:
    """Return the validated plant or raise :class:`InputError` listing every problem."""
    if data is None or data == {}:
        raise InputError([f"{locate(())}: the plant file is empty"])
    if not isinstance(data, dict):
        raise InputError([f"{locate(())}: expected a mapping of plant sections at the top"])
    try:
        plant = PlantFile.model_validate(data, context=FROM_FILE)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            # Drop pydantic's internal step names (e.g. function-after[...]) from the path.
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            problems.append(f"{locate(loc)} {path_str(loc)}: {_pydantic_message(err)}")
        raise InputError(problems) from None
    problems = [f"{locate(p)} {path_str(p)}: {m}" for p, m in check_references(plant)]
    if problems:
        raise InputError(problems)
    return plant


def _known(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:12])
    return f"(known: {shown}{', …' if len(ids) > 12 else ''})" if ids else "(none defined)"


def duplicate_ids(collections: dict[str, list[Any]]) -> list[tuple[Path, str]]:
    """An error at each item whose ``id`` an earlier item of its list already has."""
    out: list[tuple[Path, str]] = []
    for name, items in collections.items():
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                out.append(
                    (
                        (name, i, "id"),
                        f"duplicate id '{item.id}' (first at {name}[{first[item.id]}])",
                    )
                )
            else:
                first[item.id] = i
    return out


def check_references(plant: PlantFile) -> list[tuple[Path, str]]:
    """Every cross-reference and whole-plant rule that a single field cannot check."""
    out: list[tuple[Path, str]] = []

    collections: dict[str, list[Any]] = {
        "zones": plant.zones,
        "shifts": plant.shifts,
        "teams": plant.teams,
        "lines": plant.lines,
        "products": plant.products,
        "materials": plant.materials,
        "suppliers": plant.suppliers,
        "lanes": plant.lanes,
        "orders": plant.orders,
    }
    out += duplicate_ids(collections)

    zones = {z.id: z for z in plant.zones}
    zone_ids = list(zones)
    shift_ids = [s.id for s in plant.shifts]
    product_ids = [p.id for p in plant.products]
    material_ids = [m.id for m in plant.materials]
    supplier_ids = [s.id for s in plant.suppliers]
    dorms = [z.id for z in plant.zones if z.kind == ZoneKind.dormitory]

    for i, t in enumerate(plant.teams):
        if t.zone not in zones:
            out.append((("teams", i, "zone"), f"unknown zone '{t.zone}' {_known(zone_ids)}"))
        if t.shift not in shift_ids:
            out.append((("teams", i, "shift"), f"unknown shift '{t.shift}' {_known(shift_ids)}"))
        if t.housing != COMMUTER:
            if t.housing not in zones:
                out.append(
                    (
                        ("teams", i, "housing"),
                        f"unknown zone '{t.housing}': housing is a dormitory zone or "
                        f"'{COMMUTER}' {_known(dorms)}",
                    )
                )
            elif zones[t.housing].kind != ZoneKind.dormitory:
                out.append(
                    (
                        ("teams", i, "housing"),
                        f"zone '{t.housing}' is a {zones[t.housing].kind.value} zone, "
                        f"not a dormitory {_known(dorms)}",
                    )
                )

    made: set[str] = set()
    for i, ln in enumerate(plant.lines):
        if ln.zone not in zones:
            out.append((("lines", i, "zone"), f"unknown zone '{ln.zone}' {_known(zone_ids)}"))
        for j, s in enumerate(ln.shifts):
            if s not in shift_ids:
                out.append((("lines", i, "shifts", j), f"unknown shift '{s}' {_known(shift_ids)}"))
        if not ln.rates_units_per_day:
            out.append(
                (("lines", i, "rates_units_per_day"), "a line must make at least one product")
            )
        for p, rate in ln.rates_units_per_day.items():
            if p not in product_ids:
                out.append(
                    (
                        ("lines", i, "rates_units_per_day", p),
                        f"unknown product '{p}' {_known(product_ids)}",
                    )
                )
            elif rate > 0:
                made.add(p)
        skills_in_zone = {s for t in plant.teams if t.zone == ln.zone for s in t.skills}
        for skill in ln.crew_per_shift:
            if ln.zone in zones and skill not in skills_in_zone:
                out.append(
                    (
                        ("lines", i, "crew_per_shift", skill),
                        f"no team in zone '{ln.zone}' has skill '{skill}' "
                        f"{_known(sorted(skills_in_zone))}",
                    )
                )

    for i, p in enumerate(plant.products):
        for m in p.bom:
            if m not in material_ids:
                out.append(
                    (("products", i, "bom", m), f"unknown material '{m}' {_known(material_ids)}")
                )
        if p.id not in made:
            out.append((("products", i, "id"), f"no line can make product '{p.id}'"))

    for i, m in enumerate(plant.materials):
        seen = Counter(o.supplier for o in m.supply_options)
        for j, o in enumerate(m.supply_options):
            if o.supplier not in supplier_ids:
                out.append(
                    (
                        ("materials", i, "supply_options", j, "supplier"),
                        f"unknown supplier '{o.supplier}' {_known(supplier_ids)}",
                    )
                )
            elif seen[o.supplier] > 1:
                out.append(
                    (
                        ("materials", i, "supply_options", j, "supplier"),
                        f"supplier '{o.supplier}' is listed twice for material '{m.id}'",
                    )
                )

    regions = sorted({s.region_code for s in plant.suppliers})
    lane_first: dict[str, int] = {}
    for i, lane in enumerate(plant.lanes):
        if lane.from_region not in regions:
            out.append(
                (
                    ("lanes", i, "from_region"),
                    f"no supplier is in region '{lane.from_region}' {_known(regions)}",
                )
            )
        if lane.from_region in lane_first:
            out.append(
                (
                    ("lanes", i, "from_region"),
                    f"region '{lane.from_region}' already has a lane "
                    f"(lanes[{lane_first[lane.from_region]}])",
                )
            )
        else:
            lane_first[lane.from_region] = i

    node_ids: dict[str, list[str]] = {
        NodeKind.supplier.value: supplier_ids,
        NodeKind.region.value: regions,
        NodeKind.zone.value: zone_ids,
        NodeKind.line.value: [ln.id for ln in plant.lines],
        NodeKind.lane.value: [ln.id for ln in plant.lanes],
    }
    for key in plant.recovery.overrides_days:
        kind, _, node = key.partition(":")
        where: Path = ("recovery", "overrides_days", key)
        if kind not in node_ids:
            out.append((where, f"unknown node kind '{kind}' (known: {', '.join(node_ids)})"))
        elif node not in node_ids[kind]:
            out.append((where, f"unknown {kind} '{node}' {_known(node_ids[kind])}"))

    for i, o in enumerate(plant.orders):
        if o.product not in product_ids:
            out.append(
                (("orders", i, "product"), f"unknown product '{o.product}' {_known(product_ids)}")
            )
        if o.due < plant.horizon_start:
            out.append(
                (
                    ("orders", i, "due"),
                    f"due {o.due.isoformat()} is before the horizon starts "
                    f"({plant.horizon_start.isoformat()})",
                )
            )
    return out
