"""The plant file as an Excel workbook: one sheet per table, a header row with units.

The sheets and their columns come from the pydantic models in
:mod:`keepline.plant.schema` (descriptions and units included), so the workbook cannot
drift from the YAML format. Nested parts of the plant (a line's crew and rates, a
product's bill of materials, a material's supply options) get sheets of their own
keyed by the parent's id.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from enum import Enum
from pathlib import Path as FsPath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel

from keepline.errors import InputError
from keepline.plant import schema as s
from keepline.plant.validate import MAX_FILE_BYTES, Path, validate_plant
from keepline.tabular import NOT_XLSX, append_row, check_zip


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    unit: str | None = None
    choices: tuple[str, ...] = ()
    is_list: bool = False  # a comma-separated list in one cell

    @property
    def header(self) -> str:
        return f"{self.name} [{self.unit}]" if self.unit else self.name


def _cols(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[Column]:
    out = []
    for name, f in model.model_fields.items():
        if name in skip:
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        ann = f.annotation
        choices: tuple[str, ...] = ()
        if isinstance(ann, type) and issubclass(ann, Enum):
            choices = tuple(str(m.value) for m in ann)
        is_list = getattr(ann, "__origin__", None) is list
        out.append(Column(name, f.description or "", extra.get("unit"), choices, is_list))  # type: ignore[arg-type]
    return out


def _col(
    name: str, description: str, unit: str | None = None, choices: tuple[str, ...] = ()
) -> Column:
    return Column(name, description, unit, choices)


# sheet name -> (what it holds, columns)
SHEETS: dict[str, tuple[str, list[Column]]] = {
    "enterprise": (
        "The enterprise and the planning horizon (one row).",
        [_col("keepline_plant", "Plant-file format version (1).")]
        + _cols(s.Enterprise)
        + [
            _col(
                "horizon_start", s.PlantFile.model_fields["horizon_start"].description or "", "date"
            )
        ],
    ),
    "zones": ("Zones of the plant.", _cols(s.Zone)),
    "shifts": ("Shifts.", _cols(s.Shift)),
    "teams": ("Teams: who works where and when, and where they live.", _cols(s.Team)),
    "lines": ("Production lines.", _cols(s.Line, skip=("crew_per_shift", "rates_units_per_day"))),
    "line_crew": (
        "Workers a line needs on each shift it runs, by skill.",
        [
            _col("line", "Line id."),
            _col("skill", "Skill."),
            _col("people_per_shift", "Workers needed per shift for full rate.", "people"),
        ],
    ),
    "line_rates": (
        "Products a line makes, at full crew.",
        [
            _col("line", "Line id."),
            _col("product", "Product id."),
            _col(
                "units_per_day", "Output per day at full crew on every shift it runs.", "units/day"
            ),
        ],
    ),
    "products": ("Products.", _cols(s.Product, skip=("bom",))),
    "bom": (
        "Bills of materials.",
        [
            _col("product", "Product id."),
            _col("material", "Material id."),
            _col(
                "qty_per_unit",
                "Material per unit of product, in the material's unit.",
                "material unit",
            ),
        ],
    ),
    "materials": ("Materials and their stock.", _cols(s.Material, skip=("supply_options",))),
    "supply_options": (
        "Where each material can be bought; priority 1 is the primary option.",
        [_col("material", "Material id.")] + _cols(s.SupplyOption),
    ),
    "suppliers": ("Suppliers.", _cols(s.Supplier)),
    "lanes": ("Logistics lanes into the plant.", _cols(s.Lane)),
    "recovery": (
        "Time to recover after losing a node; leave node empty for the default of a kind.",
        [
            _col("kind", "Node kind.", choices=tuple(k.value for k in s.NodeKind)),
            _col("node", "Node id (empty: the default for the kind)."),
            _col("days", "Days to recover.", "days"),
        ],
    ),
    "orders": ("Customers' orders.", _cols(s.Order)),
}

_CHILD_KEYS = {
    "line_crew": "line",
    "line_rates": "line",
    "bom": "product",
    "supply_options": "material",
}


# ---------------------------------------------------------------------------- writing


def _plain(v: Any) -> Any:
    if isinstance(v, Enum):
        return v.value
    return v


def plant_sheet_rows(plant: s.PlantFile) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
    ent = plant.enterprise.model_dump(mode="json")
    rows["enterprise"].append(
        {"keepline_plant": plant.keepline_plant, **ent, "horizon_start": plant.horizon_start}
    )
    simple = {
        "zones": plant.zones,
        "shifts": plant.shifts,
        "teams": plant.teams,
        "suppliers": plant.suppliers,
        "lanes": plant.lanes,
        "orders": plant.orders,
    }
    for sheet, items in simple.items():
        for it in items:
            rows[sheet].append({k: _plain(v) for k, v in it})
    for ln in plant.lines:
        rows["lines"].append({"id": ln.id, "zone": ln.zone, "shifts": ln.shifts})
        for skill, n in ln.crew_per_shift.items():
            rows["line_crew"].append({"line": ln.id, "skill": skill, "people_per_shift": n})
        for p, r in ln.rates_units_per_day.items():
            rows["line_rates"].append({"line": ln.id, "product": p, "units_per_day": r})
    for p in plant.products:
        rows["products"].append({"id": p.id, "name": p.name})
        for mat, q in p.bom.items():
            rows["bom"].append({"product": p.id, "material": mat, "qty_per_unit": q})
    for mat in plant.materials:
        rows["materials"].append({k: _plain(v) for k, v in mat if k != "supply_options"})
        for o in mat.supply_options:
            rows["supply_options"].append({"material": mat.id, **dict(o)})
    for kind, days in plant.recovery.defaults_days.items():
        rows["recovery"].append({"kind": s.NodeKind(kind).value, "node": None, "days": days})
    for key, days in plant.recovery.overrides_days.items():
        kind, _, node = key.partition(":")
        rows["recovery"].append({"kind": kind, "node": node, "days": days})
    return rows


_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="305496")


def _workbook(rows: dict[str, list[dict[str, Any]]] | None) -> Workbook:
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    readme.append(["keepline plant workbook"])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append(
        [
            "One sheet per table. Row 1 is the header: the field name and, in "
            "brackets, its unit. Lists (skills, shifts) are comma-separated. "
            "Load with `keepline plant load FILE.xlsx`."
        ]
    )
    readme.append([])
    readme.append(["sheet", "column", "unit", "meaning"])
    for c in readme[4]:
        c.font = _HEAD_FONT
        c.fill = _HEAD_FILL
    for sheet, (what, cols) in SHEETS.items():
        readme.append([sheet, "", "", what])
        readme.cell(readme.max_row, 1).font = Font(bold=True)
        for col in cols:
            meaning = col.description
            if col.choices:
                meaning += f" One of: {', '.join(col.choices)}."
            readme.append(["", col.name, col.unit or "", meaning])
    readme.column_dimensions["A"].width = 16
    readme.column_dimensions["B"].width = 28
    readme.column_dimensions["C"].width = 22
    readme.column_dimensions["D"].width = 100

    for sheet, (_, cols) in SHEETS.items():
        ws = wb.create_sheet(sheet)
        ws.append([c.header for c in cols])
        for i, c in enumerate(cols, start=1):
            cell = ws.cell(1, i)
            cell.font = _HEAD_FONT
            cell.fill = _HEAD_FILL
            cell.alignment = Alignment(wrap_text=False)
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(c.header) + 2)
            if c.choices:
                dv = DataValidation(
                    type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=True
                )
                dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}5000")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        for row in (rows or {}).get(sheet, []):
            values = []
            for c in cols:
                v = row.get(c.name)
                if c.is_list and isinstance(v, list):
                    v = ", ".join(v)
                values.append(v)
            append_row(ws, values)
    return wb


def write_xlsx(plant: s.PlantFile, path: FsPath) -> None:
    _workbook(plant_sheet_rows(plant)).save(path)


def write_template(path: FsPath) -> None:
    _workbook(None).save(path)


# ---------------------------------------------------------------------------- reading


def _cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time(0) else v
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def read_xlsx(path: FsPath | str) -> s.PlantFile:
    path = FsPath(path)
    name = str(path)
    if not path.exists():
        raise InputError([f"{name}: no such file"])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError([f"{name}: file is larger than {MAX_FILE_BYTES / 2**20:.0f} MiB"])
    raw = path.read_bytes()
    check_zip(name, raw, need="xl/workbook.xml")
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        return _read_workbook(wb, name)
    except InputError:
        raise
    except Exception:  # openpyxl and the XML parser raise many kinds for a damaged file
        raise InputError([f"{name}: {NOT_XLSX}"]) from None


def _read_workbook(wb: Any, name: str) -> s.PlantFile:
    """The plant file in an opened workbook; problems name the sheet, row and column."""
    places: dict[Path, str] = {}
    problems: list[str] = []
    data: dict[str, Any] = {}

    def place(sheet: str, row: int, col: str | None = None) -> str:
        return f"{name} sheet '{sheet}' row {row}" + (f" column '{col}'" if col else "")

    sheets: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for sheet, (_, cols) in SHEETS.items():
        if sheet not in wb.sheetnames:
            if sheet in ("enterprise", "zones", "shifts", "teams"):
                problems.append(f"{name}: sheet '{sheet}' is missing")
            sheets[sheet] = []
            continue
        ws = wb[sheet]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None:
            sheets[sheet] = []
            continue
        names = [str(h).split(" [")[0].strip() if h is not None else None for h in header]
        known = {c.name for c in cols}
        for h in names:
            if h is not None and h not in known:
                problems.append(
                    f"{place(sheet, 1)}: unknown column '{h}' "
                    f"(known: {', '.join(c.name for c in cols)})"
                )
        out = []
        for r, values in enumerate(it, start=2):
            row = {}
            for h, v in zip(names, values, strict=False):
                v = _cell(v)
                if h is not None and v is not None:
                    row[h] = v
            if row:
                out.append((r, row))
        sheets[sheet] = out

    list_cols = {sheet: {c.name for c in cols if c.is_list} for sheet, (_, cols) in SHEETS.items()}

    def fields(sheet: str, r: int, row: dict[str, Any], base: Path) -> dict[str, Any]:
        out = {}
        for k, v in row.items():
            if k in list_cols[sheet] and isinstance(v, str):
                v = [x.strip() for x in v.split(",") if x.strip()]
            out[k] = v
            places[base + (k,)] = place(sheet, r, k)
        places.setdefault(base, place(sheet, r))
        return out

    ent_rows = sheets["enterprise"]
    if len(ent_rows) > 1:
        problems.append(f"{place('enterprise', ent_rows[1][0])}: the enterprise sheet has one row")
    if ent_rows:
        r, row = ent_rows[0]
        row = dict(row)
        for top in ("keepline_plant", "horizon_start"):
            if top in row:
                data[top] = row.pop(top)
                places[(top,)] = place("enterprise", r, top)
        data["enterprise"] = fields("enterprise", r, row, ("enterprise",))

    for coll in (
        "zones",
        "shifts",
        "teams",
        "lines",
        "products",
        "materials",
        "suppliers",
        "lanes",
        "orders",
    ):
        items = []
        for r, row in sheets[coll]:
            items.append(fields(coll, r, row, (coll, len(items))))
        if items or coll in ("zones", "shifts", "teams"):
            data[coll] = items

    def parent_index(sheet: str, r: int, row: dict[str, Any], coll: str) -> int | None:
        key = _CHILD_KEYS[sheet]
        pid = row.get(key)
        ids = [it.get("id") for it in data.get(coll, [])]
        if pid not in ids:
            problems.append(f"{place(sheet, r, key)}: unknown {key} '{pid}'")
            return None
        return ids.index(pid)

    for sheet, coll, target, kcol, vcol in (
        ("line_crew", "lines", "crew_per_shift", "skill", "people_per_shift"),
        ("line_rates", "lines", "rates_units_per_day", "product", "units_per_day"),
        ("bom", "products", "bom", "material", "qty_per_unit"),
    ):
        for r, row in sheets[sheet]:
            i = parent_index(sheet, r, row, coll)
            if i is None:
                continue
            parent = data[coll][i].setdefault(target, {})
            k = row.get(kcol)
            if k is None:
                problems.append(f"{place(sheet, r, kcol)}: required field is missing")
                continue
            if k in parent:
                problems.append(f"{place(sheet, r, kcol)}: duplicate {kcol} '{k}'")
            parent[k] = row.get(vcol)
            places[(coll, i, target, k)] = place(sheet, r, vcol)
    # lines and products must carry these mappings even when empty, for the schema
    for ln in data.get("lines", []):
        ln.setdefault("crew_per_shift", {})
        ln.setdefault("rates_units_per_day", {})

    for r, row in sheets["supply_options"]:
        i = parent_index("supply_options", r, row, "materials")
        if i is None:
            continue
        opts = data["materials"][i].setdefault("supply_options", [])
        rest = {k: v for k, v in row.items() if k != "material"}
        opts.append(
            fields("supply_options", r, rest, ("materials", i, "supply_options", len(opts)))
        )

    if sheets["recovery"]:
        defaults: dict[str, Any] = {}
        overrides: dict[str, Any] = {}
        for r, row in sheets["recovery"]:
            kind, node, days = row.get("kind"), row.get("node"), row.get("days")
            if node is None:
                defaults[kind] = days
                places[("recovery", "defaults_days", kind)] = place("recovery", r, "days")
            else:
                overrides[f"{kind}:{node}"] = days
                places[("recovery", "overrides_days", f"{kind}:{node}")] = place(
                    "recovery", r, "node"
                )
        data["recovery"] = {"defaults_days": defaults, "overrides_days": overrides}

    if problems:
        raise InputError(problems)

    def locate(p: Path) -> str:
        for n in range(len(p), -1, -1):
            if p[:n] in places:
                return places[p[:n]]
        return name

    return validate_plant(data, locate)
