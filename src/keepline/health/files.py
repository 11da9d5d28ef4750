"""A declarations file (CSV or Excel, read into a ``Table``) as declarations to save."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from keepline.clock import FROM_FILE
from keepline.health.schemas import DeclarationIn
from keepline.tabular import RowProblem, RowsError, Table, require_columns

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
_TRUE = {"1", "true", "yes", "y", "是", "x"}
_FALSE = {"", "0", "false", "no", "n", "否"}


def _flag(text: str) -> bool | str:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return text  # left for the model to reject, naming the field


def declarations_of(
    table: Table, name: str
) -> tuple[list[tuple[int, DeclarationIn]], list[RowProblem]]:
    """The file's ``(row, declaration)`` pairs, and the problems of rows that are not
    declarations. Columns employee_no, day (YYYY-MM-DD), temperature_c (°C), symptoms
    (';'-separated), health_code, risk_travel, close_contact (yes/no)."""
    require_columns(table, REQUIRED)
    unknown = [c for c in table.columns if c not in FILE_COLUMNS]
    if unknown:
        raise RowsError(name, [RowProblem(1, c, f"unknown column '{c}'") for c in unknown])
    items: list[tuple[int, DeclarationIn]] = []
    problems: list[RowProblem] = []
    for rownum, raw in table.rows:
        values: dict[str, Any] = {k: v for k, v in raw.items() if v != ""}
        values["symptoms"] = [s.strip() for s in raw.get("symptoms", "").split(";") if s.strip()]
        for k in ("risk_travel", "close_contact"):
            values[k] = _flag(raw.get(k, ""))
        try:
            items.append((rownum, DeclarationIn.model_validate(values, context=FROM_FILE)))
        except ValidationError as exc:
            for e in exc.errors():
                problems.append(
                    RowProblem(rownum, str(e["loc"][0]) if e["loc"] else None, e["msg"])
                )
    return items, problems
