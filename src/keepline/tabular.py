"""Read a table from a CSV or Excel upload into rows that remember their row number.

Used by every bulk import (roster, declarations, access events, lab results). Row numbers
are the ones a person sees in a spreadsheet: the header is row 1, the first data row is
row 2. A CSV's encoding is detected from its bytes (UTF-8 with or without a BOM, or what
Excel on Chinese Windows saves: GBK/GB18030), and :func:`canonical` renames columns headed
in Chinese or English to the names the importer knows.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import charset_normalizer

from keepline.errors import InputError, clip, msg, quote
from keepline.fields import control_character
from keepline.vocabulary import column_map, key

MAX_ROWS = 200_000
MAX_CONTROL_PROBLEMS = 50
# An .xlsx is a zip archive; a few kilobytes can unpack to gigabytes (a zip bomb). The
# sizes its directory declares are checked before anything is unpacked (and Python's
# zipfile never unpacks a member past its declared size). 200,000 rows of a roster unpack
# to about 60 MB.
MAX_UNPACKED_BYTES = 128 * 2**20
MAX_RATIO = 200  # unpacked / packed, per member: text compresses ~10x, a bomb ~1000x
NOT_XLSX = msg(
    "not a readable .xlsx file (damaged, or not an Excel workbook); save it again from Excel"
)


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row: ``row`` 0 means the file as a whole."""

    row: int
    field: str | None
    message: str

    def __post_init__(self) -> None:
        # A message that quotes a 10 MB value is cut here too (the API returns these).
        object.__setattr__(self, "message", clip(self.message))

    def describe(self, filename: str) -> str:
        where = f"{filename} row {self.row}" if self.row else filename
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class RowsError(InputError):
    """A file or a batch with bad rows; ``rows`` holds each problem, structured."""

    def __init__(self, filename: str, rows: Sequence[RowProblem]) -> None:
        self.filename = clip(filename, 120)  # an upload's name is the client's to choose
        self.rows = list(rows)
        super().__init__([p.describe(filename) for p in self.rows])
        first = self.rows[0] if self.rows else None
        self.field = first.field if first else None


@dataclass(frozen=True)
class Table:
    """A table read from a file: lower-cased header names and ``(row_number, values)``."""

    filename: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _clean_header(h: object) -> str:
    # "temperature_c [°C]" → "temperature_c": headers may carry their unit in brackets.
    text = "" if h is None else str(h)
    return text.split("[")[0].strip().lower()


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10] if hasattr(v, "hour") else v.isoformat()
    return str(v).strip()


def _build(filename: str, header: Sequence[object], body: Iterable[tuple[int, Sequence[object]]]):
    columns = [_clean_header(h) for h in header]
    seen: set[str] = set()
    for c in columns:
        if c and c in seen:
            raise RowsError(
                filename,
                [RowProblem(1, c, msg("column %(column)s appears twice", column=quote(c)))],
            )
        seen.add(c)
    rows: list[tuple[int, dict[str, str]]] = []
    bad: list[RowProblem] = []
    for rownum, values in body:
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue  # blank lines are not rows
        if len(rows) >= MAX_ROWS:
            raise RowsError(
                filename, [RowProblem(rownum, None, msg("more than %(n)s rows", n=MAX_ROWS))]
            )
        row = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns) if c}
        for c, v in row.items():
            # The same refusal as fields.Text gives an API body: a NUL or an escape
            # sequence is never data, and PostgreSQL cannot store a NUL at all.
            if len(bad) < MAX_CONTROL_PROBLEMS and (ch := control_character(v)):
                why = msg("contains a control character (%(ch)s); remove it", ch=ch)
                bad.append(RowProblem(rownum, c, why))
        rows.append((rownum, row))
    if bad:
        raise RowsError(filename, bad)
    return Table(filename, [c for c in columns if c], rows)


def decode_text(filename: str, data: bytes) -> str:
    """The text of a CSV file, its encoding told from the bytes, not the file name.

    A byte-order mark decides (UTF-8, UTF-16). Otherwise strict UTF-8 first: text in
    another encoding almost never decodes as UTF-8, so this cannot mistake a GBK file.
    Then charset-normalizer picks among the encodings Chinese users' spreadsheets save
    in: GB18030 (a superset of GBK and GB2312, what Excel on simplified-Chinese Windows
    writes as "CSV (逗号分隔)") and Big5; a statistical detector left to choose among every
    code page misreads short files, so the choice is narrowed to those two.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise RowsError(
                    filename,
                    [
                        RowProblem(
                            line,
                            None,
                            f"not {codec.upper()} text although it "
                            f"starts with a {codec.upper()} byte-order mark",
                        )
                    ],
                ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    best = charset_normalizer.from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
    if best is None:
        line = data[:bad_at].count(b"\n") + 1
        raise RowsError(
            filename,
            [
                RowProblem(
                    line,
                    None,
                    f"not UTF-8 text (byte {bad_at}), nor GBK/GB18030 or Big5; save the "
                    "sheet as 'CSV UTF-8' or .xlsx",
                )
            ],
        )
    return str(best)


def read_table(filename: str, data: bytes) -> Table:
    """Parse ``data`` as .xlsx (by name or magic bytes) or else as CSV (see
    :func:`decode_text` for the encodings)."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _read_xlsx(filename, data)
    text = decode_text(filename, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RowsError(filename, [RowProblem(0, None, msg("the file is empty"))]) from None
    except csv.Error as exc:
        raise RowsError(filename, [RowProblem(1, None, f"not CSV: {exc}")]) from None
    try:
        body = [(n, [restore(c) for c in cells]) for n, cells in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise RowsError(filename, [RowProblem(reader.line_num, None, f"not CSV: {exc}")]) from None
    return _build(filename, header, body)


def check_zip(
    filename: str, data: bytes, *, need: str | None = None, what: str = NOT_XLSX
) -> zipfile.ZipFile:
    """``data`` opened as a zip archive whose members may be unpacked: its directory is
    readable, it declares at most ``MAX_UNPACKED_BYTES`` unpacked and no member is packed
    more than ``MAX_RATIO`` times, and it holds ``need`` (a member name) if given.
    Anything else is one ``RowsError`` naming the file."""

    def bad(message: str) -> RowsError:
        return RowsError(filename, [RowProblem(0, None, message)])

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise bad(what) from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise bad(
            f"unpacks to {unpacked / 2**20:,.0f} MB; at most {MAX_UNPACKED_BYTES // 2**20} MB "
            "(split the file)"
        )
    for i in infos:
        if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise bad(
                f"{i.filename[:60]} is packed {i.file_size // max(i.compress_size, 1)}x; "
                "not a spreadsheet saved by Excel"
            )
    if need is not None and need not in {i.filename for i in infos}:
        raise bad(what)
    return zf


def canonical(table: Table, columns: Mapping[str, Sequence[str]]) -> Table:
    """``table`` with each column headed by one of ``columns``' other names (Chinese or
    English: ``{"employee_no": ("工号", "员工编号")}``) renamed to its canonical name.
    Headers it does not know stay as they are, for the importer to name. Two headers for
    the same column are refused."""
    words = column_map(columns)
    renamed: dict[str, str] = {}
    problems: list[RowProblem] = []
    first: dict[str, str] = {}
    for c in table.columns:
        name = words.get(key(c), c)
        if name in first:
            problems.append(
                RowProblem(
                    1,
                    name,
                    msg(
                        "columns %(a)s and %(b)s are both %(name)s",
                        a=quote(first[name]),
                        b=quote(c),
                        name=name,
                    ),
                )
            )
        first[name] = c
        renamed[c] = name
    if problems:
        raise RowsError(table.filename, problems)
    if all(renamed[c] == c for c in table.columns):
        return table
    rows = [(n, {renamed[c]: v for c, v in row.items()}) for n, row in table.rows]
    return replace(table, columns=[renamed[c] for c in table.columns], rows=rows)


def _read_xlsx(filename: str, data: bytes) -> Table:
    from openpyxl import load_workbook

    check_zip(filename, data, need="xl/workbook.xml")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not wb.worksheets:
                raise RowsError(filename, [RowProblem(0, None, msg("the workbook has no sheet"))])
            it = wb.worksheets[0].iter_rows(values_only=True)
            header = next(it, None)
            if header is None:
                raise RowsError(filename, [RowProblem(0, None, msg("the first sheet is empty"))])
            body = list(enumerate(it, start=2))
        finally:
            wb.close()
    except RowsError:
        raise
    except Exception:  # openpyxl and the XML parser raise many kinds for a damaged file
        raise RowsError(filename, [RowProblem(0, None, NOT_XLSX)]) from None
    return _build(filename, header, body)


def require_columns(table: Table, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise RowsError(
            table.filename,
            [
                RowProblem(
                    1,
                    c,
                    msg(
                        "missing column %(column)s (have: %(have)s)",
                        column=quote(c),
                        have=", ".join(table.columns),
                    ),
                )
                for c in missing
            ],
        )


# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV
# Injection"): `=cmd|' /C calc'!A0` runs a program, `=HYPERLINK(...)` sends data away.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell made inert for a CSV export: prefixed with ``'`` when it starts like a
    formula, or with ``'`` itself (so that a real leading quote survives ``restore``).
    Anything else, and non-text values, are returned as they are."""
    if isinstance(value, str) and value[:1] in (*FORMULA_START, "'"):
        return "'" + value
    return value


def restore(cell: str) -> str:
    """The value ``neutralise`` was given: one ``'`` removed where it added one. A
    hand-typed ``'abc`` (a quote before a plain character) is kept as it is."""
    if cell[:1] == "'" and cell[1:2] in (*FORMULA_START, "'"):
        return cell[1:]
    return cell


def append_row(ws: Any, values: Sequence[object]) -> None:
    """``ws.append(values)`` for an exported workbook: text that starts with ``=`` is
    written as text (openpyxl would store it as a live formula), exactly as given, so
    the workbook reads back to the same values."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def write_csv(columns: Sequence[str], rows: Iterable[dict[str, object]]) -> str:
    """CSV text; every text cell that a spreadsheet would run as a formula is neutralised
    (``read_table`` restores it)."""
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: neutralise(v) for k, v in r.items()})
    return out.getvalue()
