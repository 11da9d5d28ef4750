"""The files screening reads: lab results (CSV/Excel or RDML, told apart by sniffing),
the lab's pools (CSV/Excel) and a kit rule (YAML/JSON). Parsing only: no database."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from keepline import yamlkit
from keepline.errors import InputError, quote
from keepline.screening.rdml import read_rdml
from keepline.tabular import canonical, read_table, require_columns

# Plate controls in RDML files are the lab's, not samples of ours.
CONTROL_SAMPLE_TYPES = {"ntc", "nac", "ntp", "nrt", "pos", "ptc", "std", "opt"}
NOT_DETECTED = {"", "-", "n/a", "na", "nd", "undetermined", "undet", "no ct", "no cq", "none"}
NOT_DETECTED |= {"未检出", "阴性未扩增", "无ct", "无扩增", "无"}

# The columns of a lab's results table and of its pools, with their other names
# (Chinese and English): a lab file has no pydantic model, so the table is here.
RESULT_HEADERS: dict[str, tuple[str, ...]] = {
    "sample_id": ("样本编号", "样本号", "样本", "管号", "sample name"),
    "pool_id": ("混管编号", "混样编号", "混管号"),
    "target": ("靶标", "检测靶标", "基因", "检测基因", "target name"),
    "ct": ("ct值", "cq值", "ct value"),
}
POOL_HEADERS: dict[str, tuple[str, ...]] = {
    "pool_id": ("混管编号", "混样编号", "混管号", "pool"),
    "employee_no": ("工号", "员工编号", "职工号"),
}


@dataclass(frozen=True)
class Reading:
    """One target's Ct for one sample, and where in the file it came from."""

    place: str  # "row 7" or "line 812, run 'x' well A1 target 'N'"
    sample_id: str
    target: str
    ct: float | None


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


def parse_ct(text: str, place: str) -> float | None:
    t = text.strip()
    if t.lower() in NOT_DETECTED:
        return None
    try:
        return float(t)
    except ValueError:
        raise InputError([f"{place}, field ct: not a number: {quote(t)}"]) from None


def read_readings(filename: str, data: bytes) -> tuple[str, list[Reading], int]:
    """The file's readings, its format ('rdml' or 'table') and how many plate-control
    reactions were skipped."""
    if is_rdml(filename, data):
        doc = read_rdml(filename, data)
        out, controls = [], 0
        for r in doc.reactions:
            if r.sample_type in CONTROL_SAMPLE_TYPES:
                controls += 1
                continue
            out.append(Reading(f"{filename} line {r.line}, {r.place}", r.sample, r.target, r.cq))
        return "rdml", out, controls
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
        out.append(Reading(place, r[sample_col].strip(), r["target"], ct))
    if problems:
        raise InputError(problems)
    return "table", out, 0


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
