"""A declarations file (CSV or Excel, read into a ``Table``) as declarations to save."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from keepline.health.models import HealthCode
from keepline.health.schemas import DeclarationIn, Symptom
from keepline.tabular import RowProblem, RowsError, Table, canonical, require_columns
from keepline.vocabulary import model_headers

FILE_COLUMNS = (
    "employee_no",
    "day",
    "temperature_c",
    "symptoms",
    "health_code",
    "risk_travel",
    "close_contact",
)
REQUIRED = ("employee_no", "day", "temperature_c")
# Each column's other names (Chinese and English), from DeclarationIn's fields.
HEADERS = model_headers(DeclarationIn, only=FILE_COLUMNS)
TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "x", "√"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否", "无"}
_LIST_SPLIT = re.compile(r"[;；,，、|]")


def _flag(text: str) -> bool | str:
    t = text.strip().lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    return text  # left for the model to reject, naming the field


def _symptom(text: str) -> str:
    found = Symptom.from_text(text)
    return found.value if found else text  # an unknown word: the model names it


def declarations_of(
    table: Table, name: str
) -> tuple[list[tuple[int, DeclarationIn]], list[RowProblem]]:
    """The file's ``(row, declaration)`` pairs, and the problems of rows that are not
    declarations. Columns employee_no, day (YYYY-MM-DD), temperature_c (°C), symptoms
    (separated by ';', ',' or '、'), health_code, risk_travel, close_contact (yes/no),
    each headed in Chinese or English; symptoms and health codes in either language
    (发热, 黄码)."""
    table = canonical(table, HEADERS)
    require_columns(table, REQUIRED)
    unknown = [c for c in table.columns if c not in FILE_COLUMNS]
    if unknown:
        raise RowsError(name, [RowProblem(1, c, f"unknown column '{c}'") for c in unknown])
    items: list[tuple[int, DeclarationIn]] = []
    problems: list[RowProblem] = []
    for rownum, raw in table.rows:
        values: dict[str, Any] = {k: v for k, v in raw.items() if v != ""}
        values["symptoms"] = [
            _symptom(s.strip()) for s in _LIST_SPLIT.split(raw.get("symptoms", "")) if s.strip()
        ]
        if code := raw.get("health_code", "").strip():
            found = HealthCode.from_text(code)
            values["health_code"] = found.value if found else code
        for k in ("risk_travel", "close_contact"):
            values[k] = _flag(raw.get(k, ""))
        try:
            items.append((rownum, DeclarationIn.model_validate(values)))
        except ValidationError as exc:
            for e in exc.errors():
                problems.append(
                    RowProblem(rownum, str(e["loc"][0]) if e["loc"] else None, e["msg"])
                )
    return items, problems
