"""Instrument results tables, read as exported: each fixture is built here (openpyxl or
CSV text) after the vendor's layout, cited in its docstring, and read back by header
names; no-Cq conventions, one test each."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from keepline.errors import InputError
from keepline.screening.assay import AssayRule
from keepline.screening.files import VENDOR_CONVENTION, read_lab_file
from keepline.screening.kits import BY_KEY, GENERIC, convention_for, is_no_cq
from keepline.screening.rdml import write_rdml


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def quantstudio_results() -> bytes:
    """A QuantStudio 'Results' export (.xlsx): run details as 'key = value' rows, a
    blank row, then the table headed Well, Well Position, Omit, Sample Name, Target
    Name, Task, Reporter, Quencher, CT, Ct Mean, Ct SD, Quantity. Layout as in the
    QuantStudio 7 Flex 'Standard Curve Example' text export (Block Type, Instrument
    Type … then 'Well / Well Position') and the scripts that read it by skipping to the
    'Well Position' header (e.g. pd.read_excel(..., sheet_name='Results')); an
    undetermined well's CT is the word 'Undetermined'. Other sheets come first, as in
    the real workbook."""
    details = [
        ["Block Type", "96-Well Block (0.2mL)"],
        ["Chemistry", "TAQMAN"],
        ["Instrument Type", "QuantStudio(TM) 5 System"],
        ["Passive Reference", "ROX"],
        [],
    ]
    head = [
        "Well",
        "Well Position",
        "Omit",
        "Sample Name",
        "Target Name",
        "Task",
        "Reporter",
        "Quencher",
        "CT",
        "Ct Mean",
        "Ct SD",
        "Quantity",
    ]
    body = [
        [1, "A1", False, "S-1", "ORF1ab", "UNKNOWN", "FAM", "NFQ-MGB", 31.25, 31.25, None, None],
        [1, "A1", False, "S-1", "N", "UNKNOWN", "VIC", "NFQ-MGB", "Undetermined", None, None, None],
        [1, "A1", False, "S-1", "RNase P", "UNKNOWN", "CY5", "NFQ-MGB", 27.5, 27.5, None, None],
        [12, "A12", False, "NTC", "N", "NTC", "VIC", "NFQ-MGB", "Undetermined", None, None, None],
        [13, "B1", False, None, None, None, None, None, None, None, None, None],  # empty well
    ]
    return _xlsx(
        {
            "Sample Setup": [["Well", "Well Position", "Sample Name"], [1, "A1", "S-1"]],
            "Results": [*details, head, *body],
        }
    )


def biorad_cq_results_csv() -> str:
    """Bio-Rad CFX Maestro 'Quantification Cq Results' as CSV: a blank first column, then
    Well (A01), Fluor, Target, Content (Unkn, NTC, Pos Ctrl, Std-01 …), Sample, Biological
    Set Name, Cq, Cq Mean, Cq Std. Dev, Starting Quantity (SQ), …; Cq 'NaN' when none.
    Headers and values as in the CFX Maestro export used as test data by allotropy
    (github.com/Benchling-Open-Source/allotropy,
    tests/parsers/cfxmaestro/testdata/example01.csv), where Target may be empty and the
    fluorophore names the channel."""
    head = (
        ",Well,Fluor,Target,Content,Sample,Biological Set Name,Cq,Cq Mean,Cq Std. Dev,"
        "Starting Quantity (SQ),Log Starting Quantity,SQ Mean,SQ Std. Dev,Set Point,Well Note\n"
    )
    rows = [
        ",A01,FAM,,Unkn-01,T-7,,24.5,24.5,0,NaN,NaN,NaN,0,60,",
        ",A01,HEX,,Unkn-01,T-7,,NaN,0,0,NaN,NaN,NaN,0,60,",
        ",H12,FAM,,NTC,water,,NaN,0,0,NaN,NaN,NaN,0,60,",
        ",G12,FAM,,Pos Ctrl,PC,,22.0,22,0,NaN,NaN,NaN,0,60,",
        ",B01,FAM,,Std-01,,,20.0,20,0,10000,4,10000,0,60,",
    ]
    return head + "\n".join(rows) + "\n"


def slan_style_results() -> bytes:
    """A SLAN/Bioer/Tianlong-style Chinese results table (.xlsx): 反应孔 (well), 样本名称,
    样本类型 (未知 / 阴性对照 / 阳性对照), 通道 (FAM/VIC/CY5), Ct ('No Ct' when none).
    No public manual of these instruments' export was found in the searched references;
    the headers are an assumption written from the Chinese words these tables use, and
    are to be checked against a real export (see docs/import-files.md)."""
    return _xlsx(
        {
            "结果": [
                ["实验名称", "新冠核酸检测"],
                [],
                ["反应孔", "样本名称", "样本类型", "通道", "Ct"],
                ["A1", "甲-01", "未知", "FAM", 35.5],
                ["A1", "甲-01", "未知", "VIC", "No Ct"],
                ["A1", "甲-01", "未知", "CY5", 29.0],
                ["H12", "阴性", "阴性对照", "FAM", "No Ct"],
            ]
        }
    )


def test_quantstudio_results_sheet_is_found_below_its_run_details() -> None:
    lab = read_lab_file("qs5.xlsx", quantstudio_results())
    assert lab.format == "abi" and lab.convention.key == "quantstudio"
    got = [(r.well, r.sample_id, r.target, r.ct, r.sample_type) for r in lab.readings]
    assert got == [
        ("A1", "S-1", "ORF1ab", 31.25, "unkn"),
        ("A1", "S-1", "N", None, "unkn"),  # 'Undetermined'
        ("A1", "S-1", "RNase P", 27.5, "unkn"),
        ("A12", "NTC", "N", None, "ntc"),
    ]
    # Rows 6 (header) + 1: the spreadsheet's own row numbers, on the Results sheet.
    assert lab.readings[0].place == "qs5.xlsx sheet 'Results' row 7, well A1 target 'ORF1ab'"


def test_biorad_cq_results_csv_uses_the_fluor_when_the_target_is_empty() -> None:
    lab = read_lab_file("cfx.csv", biorad_cq_results_csv().encode())
    assert lab.format == "biorad" and lab.convention.key == "biorad"
    got = [(r.well, r.sample_id, r.target, r.ct, r.sample_type) for r in lab.readings]
    assert got == [
        ("A1", "T-7", "FAM", 24.5, "unkn"),  # A01 → A1; Unkn-01 → unkn
        ("A1", "T-7", "HEX", None, "unkn"),  # NaN
        ("H12", "water", "FAM", None, "ntc"),
        ("G12", "PC", "FAM", 22.0, "pos"),
        ("B1", "", "FAM", 20.0, "std"),
    ]
    assert [r.quantity for r in lab.readings] == [None, None, None, None, 10000.0]


def test_biorad_cq_results_as_xlsx_read_the_same() -> None:
    rows = [line.split(",") for line in biorad_cq_results_csv().splitlines()]
    as_xlsx = read_lab_file("cfx.xlsx", _xlsx({"0": rows}))
    as_csv = read_lab_file("cfx.csv", biorad_cq_results_csv().encode())
    strip = [(r.well, r.target, r.ct, r.sample_type) for r in as_csv.readings]
    assert [(r.well, r.target, r.ct, r.sample_type) for r in as_xlsx.readings] == strip


def test_slan_style_chinese_table() -> None:
    lab = read_lab_file("slan.xlsx", slan_style_results())
    assert lab.format == "slan"
    got = [(r.well, r.sample_id, r.target, r.ct, r.sample_type) for r in lab.readings]
    assert got == [
        ("A1", "甲-01", "FAM", 35.5, "unkn"),
        ("A1", "甲-01", "VIC", None, "unkn"),  # 'No Ct'
        ("A1", "甲-01", "CY5", 29.0, "unkn"),
        ("H12", "阴性", "FAM", None, "ntc"),
    ]


def test_a_bad_ct_in_an_instrument_table_names_the_row_well_and_target() -> None:
    bad = biorad_cq_results_csv().replace(",24.5,24.5,", ",twenty,24.5,")
    with pytest.raises(InputError, match=r"cfx.csv row 2, well A1 target 'FAM', field ct"):
        read_lab_file("cfx.csv", bad.encode())


# No-Cq conventions, one test each.


def test_no_cq_lightcycler_100_or_absent() -> None:
    c = convention_for("Roche Diagnostics", "LightCycler 96")
    assert c.key == "lightcycler"
    assert is_no_cq(c, 100.0) and is_no_cq(c, None) and is_no_cq(c, "")
    assert not is_no_cq(c, 35.0)
    # In an RDML file: publisher Roche → Cq 100 is read as no Cq, 35 stays.
    data = write_rdml([("1", "S1", "N", 100.0), ("2", "S2", "N", 35.0)], zipped=False)
    data = data.replace(b"<experiment", b"<id><publisher>Roche</publisher></id><experiment", 1)
    lab = read_lab_file("lc.rdml", data)
    assert lab.convention.key == "lightcycler"
    assert [r.ct for r in lab.readings] == [None, 35.0]


def test_no_cq_stepone_40() -> None:
    c = convention_for("Applied Biosystems StepOne™ Instrument", "StepOne Software")
    assert c.key == "stepone" and is_no_cq(c, 40.0) and not is_no_cq(c, 39.99)
    # The same 40.0 from an instrument without that convention is a Cq of 40.
    assert not is_no_cq(GENERIC, 40.0)


def test_no_cq_biorad_nan_or_missing() -> None:
    c = BY_KEY["biorad"]
    assert is_no_cq(c, "NaN") and is_no_cq(c, float("nan")) and is_no_cq(c, None)
    assert not is_no_cq(c, "24.5")


def test_no_cq_quantstudio_undetermined() -> None:
    c = BY_KEY["quantstudio"]
    assert is_no_cq(c, "Undetermined") and not is_no_cq(c, "31.2")


def test_no_cq_zero_when_the_kit_declares_it() -> None:
    # Some CSVs write 0: nothing reads 0 as no Cq unless the kit says so (0 is outside
    # (0, max_cycles], an error otherwise).
    with pytest.raises(InputError, match="out of range"):
        AssayRule().check_ct(0.0, "r.csv row 2")
    kit = AssayRule.from_dict({"kit": "zero-is-none", "undetermined_ct": [0]})
    assert kit.check_ct(0.0, "r.csv row 2") is None


def test_format_names_fit_the_imports_column() -> None:
    # screening_imports.format is VARCHAR(10): PostgreSQL refuses a longer name.
    assert all(len(k) <= 10 for k in (*VENDOR_CONVENTION, "rdml", "table"))


def test_a_long_export_is_read_past_the_first_hundred_rows() -> None:
    # The header is looked for in the first 100 rows; the sheet is then read whole.
    body = [f",C{i % 12 + 1:02d},FAM,,Unkn,T{i},NaN,NaN" for i in range(150)]
    text = ",Well,Fluor,Target,Content,Sample,Cq,Starting Quantity (SQ)\n" + "\n".join(body)
    lab = read_lab_file("long.csv", text.encode())
    assert len(lab.readings) == 150 and lab.readings[-1].sample_id == "T149"
    as_xlsx = read_lab_file("long.xlsx", _xlsx({"0": [r.split(",") for r in text.splitlines()]}))
    assert len(as_xlsx.readings) == 150
