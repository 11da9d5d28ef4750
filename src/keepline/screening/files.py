"""The files screening reads: lab results (RDML, an instrument's results table or
keepline's template, told apart by sniffing), plate maps, the lab's pools (CSV/Excel)
and a kit rule (YAML/JSON). Parsing only: no database."""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

from keepline import yamlkit
from keepline.errors import InputError, msg, quote
from keepline.screening.kits import BY_KEY, GENERIC, NoCq, convention_for, is_no_cq
from keepline.screening.rdml import read_rdml
from keepline.tabular import (
    MAX_ROWS,
    NOT_XLSX,
    canonical,
    check_zip,
    decode_text,
    read_table,
    require_columns,
    restore,
)

NOT_DETECTED = set(GENERIC.texts) | {""}
MAX_LISTED = 20  # wells named in one error line; the rest are counted

# The columns of a lab's results table and of its pools, with their other names
# (Chinese and English): a lab file has no pydantic model, so the table is here.
RESULT_HEADERS: dict[str, tuple[str, ...]] = {
    "sample_id": ("样本编号", "样本号", "样本", "管号", "sample name"),
    "pool_id": ("混管编号", "混样编号", "混管号"),
    "target": ("靶标", "检测靶标", "基因", "检测基因", "target name"),
    "ct": ("ct值", "cq值", "ct value"),
    "well": ("孔位", "孔号", "反应孔", "well position"),
    "type": ("样本类型", "sample type"),
}
POOL_HEADERS: dict[str, tuple[str, ...]] = {
    "pool_id": ("混管编号", "混样编号", "混管号", "pool"),
    "employee_no": ("工号", "员工编号", "职工号"),
}
# A plate map: which tube sits in which well. keepline's own sampling list (its
# sample_id column, in well order) is one too.
PLATE_MAP_HEADERS: dict[str, tuple[str, ...]] = {
    "well": ("孔位", "孔号", "反应孔", "well position"),
    "sample_id": ("样本编号", "管号", "混管编号", "tube", "tube id", "tube_id"),
    "sample_name": ("样本名称", "样品名称", "lab name", "description", "sample name"),
    "type": ("样本类型", "sample type"),
}

# Instrument result tables, mapped by header names (lower case, first found wins): the
# QuantStudio/StepOne "Results" sheet, Bio-Rad CFX "Quantification Cq Results" and the
# Chinese-language tables of SLAN/Bioer/Tianlong-style software.
VENDOR_HEADERS: dict[str, tuple[str, ...]] = {
    "well": ("well position", "well", "孔位", "反应孔", "孔号"),
    "sample": ("sample name", "sample", "样本名称", "样本名", "样品名称", "样本编号"),
    "target": ("target name", "target", "检测项目", "靶标", "基因"),
    "channel": ("reporter", "fluor", "通道", "荧光通道", "染料"),
    "ct": ("ct", "cq", "cт", "ct值", "cq值"),
    "type": ("task", "content", "样本类型", "类型"),
    "quantity": ("quantity", "starting quantity (sq)", "浓度"),
}
SHEETS = ("results", "quantification cq results", "结果", "0")
# What the type / task / content column says, to a sample type (RDML's words).
TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(("unknown", "unkn", "未知", "样本", "待测", "unk", ""), "unkn"),
    **dict.fromkeys(("ntc", "neg ctrl", "negative", "阴性对照", "空白对照", "阴性"), "ntc"),
    **dict.fromkeys(("pos ctrl", "positive", "pos", "阳性对照", "阳性"), "pos"),
    **dict.fromkeys(("standard", "std", "标准品"), "std"),
}


@dataclass(frozen=True)
class Reading:
    """One target's Ct in one well, and where in the file it came from.

    ``sample_id`` is the sample as the file names it (our tube id, or the lab's own
    name); ``name`` is a readable name the file also gives (an RDML sample's
    description). ``sample_type`` is '' or 'unkn' for a sample, else a control type.
    """

    place: str  # "row 7" or "line 812, run 'x' well A1 target 'N'"
    sample_id: str
    target: str
    ct: float | None
    well: str = ""
    name: str = ""
    sample_type: str = ""
    quantity: float | None = None

    @property
    def is_control(self) -> bool:
        return self.sample_type not in ("", "unkn")


@dataclass(frozen=True)
class LabFile:
    """A results file read: its format, the no-Cq convention applied, every reading."""

    format: str  # rdml, table, or the instrument table's (abi, biorad, slan)
    convention: NoCq
    readings: list[Reading]


@dataclass(frozen=True)
class PlateEntry:
    row: int
    well: str
    sample_id: str
    sample_name: str
    sample_type: str


@dataclass(frozen=True)
class PlateMap:
    """Which tube sits in which well (or goes by which lab name) on the plate."""

    filename: str
    entries: list[PlateEntry]
    has_wells: bool
    has_names: bool


def normal_well(text: str) -> str:
    """A1, a01, A 1 → A1; anything else as it is (stripped)."""
    t = text.strip().upper().replace(" ", "")
    m = re.fullmatch(r"([A-Z]{1,2})0*(\d{1,3})", t)
    return f"{m.group(1)}{int(m.group(2))}" if m else t


def plate_wells(rows: int = 8, cols: int = 12) -> list[str]:
    """Wells in the order a plate is filled row by row: A1 … A12, B1 …"""
    return [f"{chr(ord('A') + r)}{c + 1}" for r in range(rows) for c in range(cols)]


def is_rdml(filename: str, data: bytes) -> bool:
    if filename.lower().endswith(".rdml"):
        return True
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return False  # named as a workbook: a broken one is told so, not parsed as RDML
    if data[:2] == b"PK":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return False
        return not any(n.startswith("xl/") for n in names)
    head = data[:512].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rdml")


def parse_ct(text: str, place: str, convention: NoCq = GENERIC) -> float | None:
    """A Ct cell: a number, or None when the instrument's convention says "no Cq"."""
    if is_no_cq(convention, text):
        return None
    try:
        v = float(text.strip())
    except ValueError:
        raise InputError([f"{place}, field ct: not a number: {quote(text.strip())}"]) from None
    if not math.isfinite(v):
        raise InputError([f"{place}, field ct: not a number: {quote(text.strip())}"])
    return v


def read_lab_file(filename: str, data: bytes) -> LabFile:
    """Every reading of a results file (samples and controls), its format told from
    the bytes: RDML, an instrument's results table, or keepline's results template."""
    if is_rdml(filename, data):
        return _read_rdml_file(filename, data)
    vendor = _vendor_table(filename, data)
    if vendor is not None:
        return vendor
    return _read_template(filename, data)


def read_readings(filename: str, data: bytes) -> tuple[str, list[Reading], int]:
    """The file's sample readings, its format and how many control reactions it has."""
    lab = read_lab_file(filename, data)
    samples = [r for r in lab.readings if not r.is_control]
    return lab.format, samples, len(lab.readings) - len(samples)


def _read_rdml_file(filename: str, data: bytes) -> LabFile:
    doc = read_rdml(filename, data)
    conv = convention_for(doc.instrument)
    out = []
    for r in doc.reactions:
        where = filename if doc.one_line else f"{filename} line {r.line}"
        cq = None if r.cq is None or is_no_cq(conv, r.cq) else r.cq
        out.append(
            Reading(
                f"{where}, {r.place}",
                r.sample,
                r.target,
                cq,
                normal_well(r.well),
                r.description,
                r.sample_type,
                r.quantity,
            )
        )
    return LabFile("rdml", conv, out)


def _read_template(filename: str, data: bytes) -> LabFile:
    table = canonical(read_table(filename, data), RESULT_HEADERS)
    cols = set(table.columns)
    sample_col = next((c for c in ("sample_id", "sample", "pool_id") if c in cols), "sample_id")
    ct_col = next((c for c in ("ct", "cq") if c in cols), "ct")
    require_columns(table, (sample_col, "target", ct_col))
    out = []
    problems: list[str] = []
    for row, r in table.rows:
        place = f"{filename} row {row}"
        try:
            ct = parse_ct(r[ct_col], place)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        kind = _sample_type(r["type"]) if r.get("type") else ""
        well = normal_well(r["well"]) if r.get("well") else ""
        out.append(Reading(place, r[sample_col].strip(), r["target"], ct, well, "", kind))
    if problems:
        raise InputError(problems)
    return LabFile("table", GENERIC, out)


def _sample_type(text: str) -> str:
    t = re.sub(r"[-_ ]?\d+$", "", text.strip().lower())  # Bio-Rad: Unkn-01, Std-03
    return TYPE_WORDS.get(t, t)


Grid = list[tuple[str, list[tuple[int, list[str]]]]]
"""Sheets as (title, [(row number, cells)]), the first rows of each."""
MAX_HEADER_ROW = 100  # instrument exports put up to ~50 lines of run details first


def _grids(filename: str, data: bytes, *, sheet: str | None = None) -> Grid:
    """The file's sheets as text cells (a CSV is one sheet): the first
    ``MAX_HEADER_ROW`` rows of each, to find a header in, or every row of ``sheet``."""
    limit = MAX_HEADER_ROW if sheet is None else MAX_ROWS + MAX_HEADER_ROW
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        check_zip(filename, data, need="xl/workbook.xml")
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # a damaged workbook: read_table words it for the user
            return []
        try:
            out: Grid = []
            for ws in wb.worksheets:
                if sheet is not None and ws.title != sheet:
                    continue
                rows = []
                for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if n > limit:
                        break
                    rows.append((n, [_text(v) for v in values]))
                out.append((ws.title, rows))
            return out
        except Exception:  # a damaged sheet: the same, read_table says what is wrong
            return []
        finally:
            wb.close()
    try:
        text = decode_text(filename, data)
    except InputError:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for n, cells in enumerate(reader, start=1):
            if n > limit:
                break
            rows.append((n, [restore(c).strip() for c in cells]))
    except csv.Error:
        return []
    return [("", rows)]


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _header_index(cells: list[str]) -> dict[str, int] | None:
    """Column positions of a vendor header row, or None if this row is not one."""
    low = [" ".join(c.lower().split()) for c in cells]
    found: dict[str, int] = {}
    for name, words in VENDOR_HEADERS.items():
        for w in words:
            if w in low:
                found[name] = low.index(w)
                break
    vendor_mark = {"type", "channel"} & set(found) or any(
        w in low for w in ("well position", "孔位", "反应孔", "孔号")
    )
    keys = set(found)
    if "ct" in keys and {"target", "channel"} & keys and vendor_mark and {"well", "sample"} & keys:
        return found
    return None


def _vendor_table(filename: str, data: bytes) -> LabFile | None:
    """An instrument's results table, if a sheet has a header row it knows among its
    first rows (only that sheet is then read whole)."""
    grid = _grids(filename, data)
    ordered = sorted(grid, key=lambda s: (s[0].strip().lower() not in SHEETS,))
    for title, head in ordered:
        for i, (_, cells) in enumerate(head):
            cols = _header_index(cells)
            if cols is None:
                continue
            rows = head
            if len(head) >= MAX_HEADER_ROW:  # more than the first rows: read it whole
                whole = _grids(filename, data, sheet=title)
                if not whole:
                    raise InputError([f"{filename}: {NOT_XLSX}"])
                rows = whole[0][1]
            header = [" ".join(c.lower().split()) for c in cells]
            above = " ".join(" ".join(c) for _, c in rows[:i])
            fmt = _vendor_key(header)
            conv = convention_for(above, title) if fmt != "slan" else BY_KEY["slan"]
            if conv is GENERIC:
                conv = BY_KEY[VENDOR_CONVENTION[fmt]]
            sheet = f" sheet '{title}'" if title and len(grid) > 1 else ""
            return LabFile(fmt, conv, _vendor_rows(f"{filename}{sheet}", rows[i + 1 :], cols, conv))
    return None


# A table's format (stored with the import: at most 10 characters) → its no-Cq rule.
VENDOR_CONVENTION = {"abi": "quantstudio", "biorad": "biorad", "slan": "slan"}


def _vendor_key(header: list[str]) -> str:
    if "well position" in header:
        return "abi"  # Applied Biosystems: QuantStudio, StepOne, 7500
    if "fluor" in header or "content" in header:
        return "biorad"
    return "slan"


def _vendor_rows(
    where: str, rows: list[tuple[int, list[str]]], cols: dict[str, int], conv: NoCq
) -> list[Reading]:
    def cell(cells: list[str], name: str) -> str:
        i = cols.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    out: list[Reading] = []
    problems: list[str] = []
    for n, cells in rows:
        target = cell(cells, "target") or cell(cells, "channel")
        if not any(cells) or not target:
            continue  # an empty well, or the blank lines between sections
        place = f"{where} row {n}"
        well = normal_well(cell(cells, "well"))
        if well:
            place += f", well {well} target '{target}'"
        try:
            ct = parse_ct(cell(cells, "ct"), place, conv)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        try:
            quantity: float | None = float(cell(cells, "quantity"))
        except ValueError:
            quantity = None
        if quantity is not None and not math.isfinite(quantity):
            quantity = None  # Bio-Rad writes NaN where a well has no starting quantity
        sample = cell(cells, "sample")
        out.append(
            Reading(
                place, sample, target, ct, well, sample, _sample_type(cell(cells, "type")), quantity
            )
        )
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError([f"{where}: the results table has no rows with a target"])
    return out


def read_plate_map(filename: str, data: bytes) -> PlateMap:
    """A plate map: well → tube id (CSV/xlsx, Chinese or English headers), or keepline's
    sampling list for the round, whose tubes fill the plate in list order (A1, A2, …,
    row by row) when it has no well column."""
    table = canonical(read_table(filename, data), PLATE_MAP_HEADERS)
    cols = set(table.columns)
    if "sample_id" not in cols:
        require_columns(table, ("sample_id",))
    has_wells = "well" in cols
    entries: list[PlateEntry] = []
    problems: list[str] = []
    seen_well: dict[str, int] = {}
    seen_tube: set[str] = set()
    order = plate_wells()
    for row, r in table.rows:
        tube = r["sample_id"].strip()
        if not tube:
            continue
        if not has_wells:
            if tube in seen_tube:
                continue  # the sampling list has one row per member of a tube
            seen_tube.add(tube)
            if len(seen_tube) > len(order):
                problems.append(
                    msg(
                        "%(file)s row %(row)s: more than %(n)s tubes; add a well column",
                        file=filename,
                        row=row,
                        n=len(order),
                    )
                )
                break
            well = order[len(seen_tube) - 1]
        else:
            well = normal_well(r["well"])
            if not well:
                problems.append(
                    msg("%(file)s row %(row)s, field well: empty", file=filename, row=row)
                )
                continue
            if well in seen_well:
                problems.append(
                    msg(
                        "%(file)s row %(row)s, field well: %(well)s twice (first at row %(first)s)",
                        file=filename,
                        row=row,
                        well=well,
                        first=seen_well[well],
                    )
                )
                continue
            seen_well[well] = row
        entries.append(
            PlateEntry(
                row, well, tube, r.get("sample_name", "").strip(), _sample_type(r.get("type", ""))
            )
        )
    if problems:
        raise InputError(problems)
    if not entries:
        raise InputError([msg("%(file)s: the plate map names no tube", file=filename)])
    return PlateMap(filename, entries, has_wells, "sample_name" in cols)


def read_pools(filename: str, data: bytes) -> list[tuple[str, list[str]]]:
    """The lab's pools (pool_id, employee_no rows) as ``(pool id, members)`` in file order."""
    table = canonical(read_table(filename, data), POOL_HEADERS)
    require_columns(table, ("pool_id", "employee_no"))
    pools: dict[str, list[str]] = {}
    for _, r in table.rows:
        pools.setdefault(r["pool_id"], []).append(r["employee_no"])
    return list(pools.items())


def read_assay(path: Path) -> dict[str, Any]:
    """A kit rule from a YAML/JSON file (a mapping: kit, targets, ...)."""
    try:
        data = yamlkit.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([f"{path}: cannot read the kit rule: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        why = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError([f"{where}: cannot read the kit rule: {why}"]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}: a kit rule is a mapping (kit, targets, ...)"])
    return data
