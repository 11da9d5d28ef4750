"""Render the dashboard and the daily reports as xlsx workbooks (no database here)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from keepline.government.schemas import REPORT_FIGURES as FIGURES
from keepline.government.schemas import DailyReportOut, DashboardOut, FiguresOut
from keepline.tabular import append_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(wb: Workbook, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    ws = wb.create_sheet(name)
    ws.append(list(columns))
    for r in rows:
        append_row(ws, r)


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _figure_rows(rows: Sequence[FiguresOut]) -> tuple[list[str], list[list[Any]]]:
    cols = list(FiguresOut.model_fields)
    return cols, [[getattr(r, c) for c in cols] for r in rows]


def dashboard(d: DashboardOut) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for name, rows in (
        ("total", [d.total]),
        ("by jurisdiction", d.by_jurisdiction),
        ("by industry", d.by_industry),
        ("by tag", d.by_tag),
    ):
        cols, body = _figure_rows(rows)
        _sheet(wb, name, cols, body)
    from_trend = [list(p.model_dump().values()) for p in d.trend]
    _sheet(wb, "trend", list(d.trend[0].model_dump()) if d.trend else ["day"], from_trend)
    info = wb.create_sheet("about", 0)
    info.append(["jurisdiction", d.jurisdiction])
    info.append(["day", d.day])
    for k, v in d.filters.items():
        info.append([k, v or ""])
    return _bytes(wb)


def reports(rows: Sequence[DailyReportOut], not_reported: Sequence[str] = ()) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    cols = ["enterprise_id", "day", "status", *FIGURES]
    _sheet(wb, "reports", cols, [[getattr(r, c) for c in cols] for r in rows])
    # Each report's detail, a sheet a part: one row a line, material or order at risk.
    for name, part, keys in (
        ("lines", "lines", ("line", "output_units", "full_rate_units", "utilisation")),
        ("materials", "materials", ("material", "stock", "use_per_day", "days_of_cover")),
        ("orders at risk", "orders_at_risk", ("order", "priority", "due", "remaining", "why")),
    ):
        body = [
            [r.enterprise_id, r.day, *(x[k] for k in keys)]
            for r in rows
            for x in r.detail.get(part, [])
        ]
        _sheet(wb, name, ["enterprise_id", "day", *keys], body)
    if not_reported:
        _sheet(wb, "not reported", ["enterprise_id"], [[e] for e in not_reported])
    return _bytes(wb)
