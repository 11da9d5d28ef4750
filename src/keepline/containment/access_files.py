"""Access-control exports (CSV/xlsx) read into stays: epoch seconds and the row each
came from. Pure: no database."""

from __future__ import annotations

from dataclasses import dataclass

from keepline import clock
from keepline.containment.schemas import EventIn
from keepline.errors import quote
from keepline.tabular import RowProblem, RowsError, Table, canonical, require_columns
from keepline.vocabulary import model_headers

COLUMNS = ("employee_no", "zone", "time_in", "time_out")
# Each column's other names (Chinese and English), from EventIn's fields.
HEADERS = model_headers(EventIn, only=COLUMNS)


@dataclass(frozen=True)
class Stay:
    """One access event as stored: ``row`` of the file or batch it came from (for
    error messages), times in epoch seconds."""

    row: int
    employee_no: str
    zone: str
    t_in: int
    t_out: int


def stays_from_table(table: Table) -> list[Stay]:
    """Rows of an access-control export: employee_no, zone, time_in, time_out (ISO 8601;
    without an offset, plant-local time)."""
    table = canonical(table, HEADERS)
    require_columns(table, COLUMNS)
    out: list[Stay] = []
    problems: list[RowProblem] = []
    for row, r in table.rows:
        times = []
        for col in ("time_in", "time_out"):
            try:
                times.append(clock.parse_time(r[col]))
            except ValueError:
                why = f"expected an ISO 8601 time, got {quote(r[col])}"
                problems.append(RowProblem(row, col, why))
        if len(times) == 2:
            out.append(Stay(row, r["employee_no"].strip(), r["zone"].strip(), *times))
    if problems:
        raise RowsError(table.filename, problems)
    return out
