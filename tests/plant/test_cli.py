"""The `keepline` command for plants: one-line errors, nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from keepline.plant.docs import json_schema_text, render
from tests.conftest import ROOT, XUZHOU, ZHENGZHOU


def test_help_lists_every_command(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("--help")
    assert r.code == 0
    for cmd in ("plant", "db"):
        assert cmd in r.out
    r = cli("plant --help")
    for cmd in ("load", "check", "export", "list", "show", "schema", "template"):
        assert cmd in r.out


def test_load_list_show_export(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli(["plant", "load", str(XUZHOU), str(ZHENGZHOU)])
    assert r.code == 0, r
    assert "xuzhou-qpcr: created" in r.out and "zhengzhou-meters: created" in r.out
    r = cli(["plant", "load", str(XUZHOU)])
    assert r.out.strip() == "xuzhou-qpcr: no changes"
    r = cli("plant list")
    assert r.out.splitlines()[0].startswith("xuzhou-qpcr")
    r = cli("plant show zhengzhou-meters")
    assert "898 workers" in r.out and "livelihood  5 orders, 165,000 units" in r.out
    # days of cover: 60,000 MCUs, used by 4,000 water + 1,500 gas + 400 controllers a day
    assert "mcu-chip" in r.out and "10.2 days" in r.out
    out = tmp_path / "z.xlsx"
    assert cli(["plant", "export", "zhengzhou-meters", "-o", str(out)]).code == 0
    assert load_workbook(out).sheetnames[:3] == ["README", "enterprise", "zones"]
    assert cli(["plant", "load", str(out)]).out.strip() == "zhengzhou-meters: no changes"


def test_bad_file_one_line_error_and_nothing_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(XUZHOU.read_text().replace("zone: optics\n", "zone: assembly-z\n"))
    # a good file first, a bad one second: validation of all happens before any write
    r = cli(["plant", "load", str(ZHENGZHOU), str(bad)])
    assert r.code == 2
    assert r.err.count("\n") == 1 and r.err.startswith(f"error: {bad}:")
    assert "lines[2].zone: unknown zone 'assembly-z'" in r.err
    assert "Traceback" not in r.err
    assert cli("plant list").out.startswith("no plants loaded")


def test_check_lists_every_problem_of_every_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = XUZHOU.read_text()
    one = tmp_path / "one.yaml"  # two problems
    one.write_text(
        text.replace("zone: optics\n", "zone: assembly-z\n").replace(
            "shift: night,", "shift: nite,", 1
        )
    )
    two = tmp_path / "two.yaml"  # one problem
    two.write_text(text.replace("capacity_people: 450", "capacity_people: -1"))
    r = cli(["plant", "check", str(one), str(ZHENGZHOU), str(two)])
    assert r.code == 2
    assert r.out == f"{ZHENGZHOU}: ok (zhengzhou-meters, 898 workers, 8 orders)\n"
    lines = r.err.strip().splitlines()
    assert len(lines) == 3, lines  # every problem of both bad files, one line each
    assert lines[0].startswith(f"error: {one}:") and "unknown shift 'nite'" in lines[0]
    assert lines[1].startswith(f"error: {one}:") and "unknown zone 'assembly-z'" in lines[1]
    assert lines[2].startswith(f"error: {two}:") and "zones[0].capacity_people" in lines[2]


def test_unknown_enterprise_and_unknown_suffix(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli(["plant", "export", "nope", "-o", str(tmp_path / "x.yaml")])
    assert r.code == 3 and r.err.strip() == "error: no enterprise 'nope' (known: none loaded)"
    txt = tmp_path / "plant.txt"
    txt.write_text("x")
    r = cli(["plant", "load", str(txt)])
    assert r.code == 2 and "unknown plant-file type '.txt'" in r.err


def test_excel_errors_name_sheet_row_and_column(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = tmp_path / "x.xlsx"
    assert cli(["plant", "load", str(XUZHOU)]).code == 0
    assert cli(["plant", "export", "xuzhou-qpcr", "-o", str(book)]).code == 0
    wb = load_workbook(book)
    ws = wb["teams"]
    ws["B4"] = "nowhere"  # teams row 4 = third team, column B = zone
    wb["line_crew"]["A3"] = "ghost-line"
    wb.save(book)
    r = cli(["plant", "load", str(book)])
    assert r.code == 2
    assert f"{book} sheet 'line_crew' row 3 column 'line': unknown line 'ghost-line'" in r.err
    wb["line_crew"]["A3"] = "qpcr96-line"
    wb.save(book)
    r = cli(["plant", "load", str(book)])
    assert (
        f"{book} sheet 'teams' row 4 column 'zone' teams[2].zone: unknown zone 'nowhere'" in r.err
    )


def test_template_has_every_sheet(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.xlsx"
    assert cli(["plant", "template", "-o", str(out)]).code == 0
    wb = load_workbook(out)
    assert "supply_options" in wb.sheetnames
    assert wb["materials"]["E1"].value == "on_hand [material unit]"
    r = cli(["plant", "load", str(out)])  # an empty template is not a plant
    assert r.code == 2 and "enterprise" in r.err


def test_schema_and_docs_are_generated_from_the_model(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("plant schema")
    schema = json.loads(r.out)
    assert "enterprise" in schema["required"]
    assert (ROOT / "docs" / "plant-file.schema.json").read_text() == json_schema_text(), (
        "docs/plant-file.schema.json is stale: run `make docs`"
    )
    assert (ROOT / "docs" / "plant-file.md").read_text() == render(), (
        "docs/plant-file.md is stale: run `make docs`"
    )


def test_real_process_exit_code_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("")
    env = {"KEEPLINE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    p = subprocess.run(
        [sys.executable, "-m", "keepline", "plant", "load", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert p.returncode == 2
    assert p.stderr == f"error: {bad}:1: the plant file is empty\n"
