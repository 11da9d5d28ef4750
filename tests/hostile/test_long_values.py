"""15.3: an error quotes at most a short prefix of a value (errors.quote), and any error
line is cut to errors.MAX_MESSAGE_CHARS (the net under values quoted another way)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from keepline.errors import InputError, quote
from keepline.plant.yamlio import dump_yaml, load_yaml, parse_yaml
from tests.worlds import XUZHOU, World, roster_csv

TEN_MB = 10_000_000
BIG = 1_000_000  # in a YAML file: PyYAML scans about 1 MB a second


def test_quote_keeps_a_short_prefix() -> None:
    assert quote("abc") == "'abc'"
    assert quote("x" * TEN_MB) == f"'{'x' * 40}'… (10,000,000 characters)"
    assert quote("a\nb\x1b") == "'a\\nb\\x1b'"  # one line, escapes shown
    assert quote(10) == "10"


def test_plant_file_with_a_long_value(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = dump_yaml(load_yaml(XUZHOU))
    text = plain.replace("horizon_start: ", f"horizon_start: {'x' * BIG}  # ", 1)
    with pytest.raises(InputError) as err:
        parse_yaml(text, "p.yaml")
    assert len(str(err.value)) < 300, len(str(err.value))
    # the date field's own message, with the value cut to 40 characters and its length
    assert (
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… (1,000,000 characters) is not a date"
        in str(err.value)
    )
    # A number too long for Python to read is a marked YAML error, not a traceback.
    text = plain.replace("horizon_start: ", f"horizon_start: {'9' * BIG}  # ", 1)
    with pytest.raises(InputError, match=r"^p.yaml:\d+: not valid YAML: a number of 1,000,000"):
        parse_yaml(text, "p.yaml")


def test_upload_with_a_long_value_answers_a_short_line(world: World) -> None:
    lines = roster_csv(XUZHOU, 2, seed=3).splitlines()
    header = lines[0].split(",")
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for line in lines[1:]:
        cells = line.split(",")
        cells[header.index("team")] = "t" * 1_000_000
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    r = world.post("/workers/import", files={"file": ("roster.xlsx", buf.getvalue(), "x")})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["message"].startswith("roster.xlsx row 2, field team: ")
    # Two bad rows, each problem cut to errors.MAX_MESSAGE_CHARS, joined with '; '.
    assert len(err["message"]) < 2 * 1100
    assert all(len(p["message"]) < 1100 for p in err["problems"])
    assert len(r.content) < 10_000
