"""15.5: a NUL, an ANSI escape or another control character in a text field is refused
with the same one-line message by the API, a file import and the CLI, on SQLite and
PostgreSQL alike (PostgreSQL used to refuse a NUL only deep in the driver; SQLite stored
both)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from keepline.fields import Text
from tests.worlds import XUZHOU, World, roster_csv

BAD = {"\x00": "U+0000", "\x1b[31mred": "U+001B", "a\x7fb": "U+007F", "a\x85b": "U+0085"}


@pytest.mark.parametrize(("bad", "code"), BAD.items())
def test_api_body_refuses_control_characters(world: World, bad: str, code: str) -> None:
    team = world.get("/workers", params={"limit": 1}).json()["items"][0]["team"]
    body = {"employee_no": "XQ99999", "name": f"王{bad}", "team": team}
    r = world.post("/workers", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"] == (
        f"name: contains a control character ({code}); remove it"
    )
    assert world.get("/workers/XQ99999").status_code == 404


def test_file_import_refuses_control_characters(world: World) -> None:
    lines = roster_csv(XUZHOU, 3, seed=7).splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("name")] = "王\x00伟"
    data = "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n"
    r = world.post("/workers/import", files={"file": ("roster.csv", data.encode(), "text/csv")})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"] == (
        "roster.csv row 2, field name: contains a control character (U+0000); remove it"
    )


def test_cli_import_refuses_control_characters(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli(f"plant load {XUZHOU}").code == 0
    lines = roster_csv(XUZHOU, 2, seed=7).splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("name")] = "\x1b[2J王伟"
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    r = cli(["people", "import", str(path), "--enterprise", "xuzhou-qpcr"])
    assert r.code != 0
    assert r.err.strip() == (
        "error: roster.csv row 2, field name: contains a control character (U+001B); remove it"
    )


def test_tab_and_newline_are_text() -> None:
    adapter = TypeAdapter(Text)
    assert adapter.validate_python("line one\n\tline two") == "line one\n\tline two"
    with pytest.raises(ValidationError, match=r"U\+000D"):
        adapter.validate_python("a\rb")
