"""15.2: a file that does not parse is a 422 (one line naming the file) on every upload
route and in the CLI, never a 500 with a parser's internal message; a zip bomb is refused
from the sizes its directory declares, before anything is unpacked; an unexpected 500
logs its traceback and leaves the connection usable."""

from __future__ import annotations

import io
import json
import logging
import zipfile
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from keepline.api import create_app
from keepline.errors import InputError
from keepline.logs import JsonFormatter
from keepline.plant.excel import read_xlsx, write_xlsx
from keepline.plant.yamlio import load_yaml
from keepline.tabular import MAX_UNPACKED_BYTES, RowsError, read_table
from tests.worlds import XUZHOU, World

HERE = Path(__file__).parent
DAMAGED = ["truncated.xlsx", "broken_sheet.xlsx", "not_a_workbook.xlsx", "random_bytes.xlsx"]
ROUTES = [
    ("/workers/import", "A:admin"),
    ("/declarations/import", "A:admin"),
    ("/access-events/import", "A:admin"),
    ("/screening/results", "A:admin"),
]


def zip_bomb(unpacked: int = MAX_UNPACKED_BYTES + 2**20) -> bytes:
    """An .xlsx-shaped zip whose sheet unpacks to ``unpacked`` bytes of one repeated row
    (1/340 of that packed): generated, not kept, as it is ~400 kB."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    head = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = row * (2**20 // len(row))
    parts, size, crc = [packer.compress(head)], len(head), zlib.crc32(head)
    while size < unpacked:
        parts.append(packer.compress(chunk))
        size, crc = size + len(chunk), zlib.crc32(chunk, crc)
    parts.append(packer.flush())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    # Append the sheet as a raw deflated member: zipfile writes its header from the info.
    with zipfile.ZipFile(buf, "a") as z:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        packed = b"".join(parts)
        info.file_size, info.compress_size, info.CRC = size, len(packed), crc
        with z._lock:
            z.fp.seek(z.start_dir)
            info.header_offset = z.fp.tell()
            z.fp.write(info.FileHeader(zip64=size > 0xFFFFFFFF))
            z.fp.write(packed)
            z.filelist.append(info)
            z.NameToInfo[info.filename] = info
            z.start_dir = z.fp.tell()
            z._didModify = True
    return buf.getvalue()


@pytest.mark.parametrize("name", DAMAGED)
def test_read_table_names_the_file_in_one_plain_line(name: str) -> None:
    with pytest.raises(RowsError) as err:
        read_table(name, (HERE / name).read_bytes())
    assert str(err.value) == (
        f"{name}: not a readable .xlsx file (damaged, or not an Excel workbook); "
        "save it again from Excel"
    )


def test_zip_bomb_is_refused_from_its_directory() -> None:
    bomb = zip_bomb()
    assert len(bomb) < 2**19  # 400 kB that unpack to 130 MB
    with pytest.raises(RowsError, match=r"^bomb.xlsx: unpacks to 130 MB; at most 128 MB"):
        read_table("bomb.xlsx", bomb)


def test_a_small_bomb_is_refused_by_its_ratio() -> None:
    with pytest.raises(RowsError, match=r"xl/worksheets/sheet1.xml is packed \d+x"):
        read_table("bomb.xlsx", zip_bomb(8 * 2**20))


def _broken_plant_workbook(tmp_path: Path) -> bytes:
    """The xuzhou plant as a workbook whose zones sheet stops mid-row."""
    good = tmp_path / "good.xlsx"
    write_xlsx(load_yaml(XUZHOU), good)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in zin.namelist():
            d = zin.read(n)
            z.writestr(n, d[: len(d) // 2] if n.startswith("xl/worksheets/sheet3") else d)
    return out.getvalue()


@pytest.mark.parametrize("name", ["truncated.xlsx", "plant.xlsx", *DAMAGED[2:]])
def test_plant_workbook_damaged(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    if name == "plant.xlsx":
        path.write_bytes(_broken_plant_workbook(tmp_path))
    else:
        path.write_bytes((HERE / name).read_bytes())
    with pytest.raises(InputError) as err:
        read_xlsx(path)
    assert str(err.value) == (
        f"{path}: not a readable .xlsx file (damaged, or not an Excel workbook); "
        "save it again from Excel"
    )


def test_every_upload_route_answers_422_naming_the_file(world: World) -> None:
    files = [(n, (HERE / n).read_bytes()) for n in DAMAGED] + [("bomb.xlsx", zip_bomb())]
    for route, who in ROUTES:
        for name, data in files:
            r = world.post(route, who, files={"file": (name, data, "application/octet-stream")})
            assert r.status_code == 422, (route, name, r.status_code, r.text[:300])
            message = r.json()["error"]["message"]
            assert message.startswith(f"{name}: "), (route, message)
            assert "\n" not in message and len(message) < 200


def test_cli_damaged_roster(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.xlsx"
    path.write_bytes((HERE / "broken_sheet.xlsx").read_bytes())
    assert cli("plant load examples/xuzhou-qpcr.yaml").code == 0
    r = cli(["people", "import", str(path), "--enterprise", "xuzhou-qpcr"])
    assert r.code != 0
    assert r.err.strip() == (
        "error: roster.xlsx: not a readable .xlsx file (damaged, or not an Excel workbook); "
        "save it again from Excel"
    )


def test_an_unexpected_error_logs_its_traceback_and_keeps_the_connection(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(db_url)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    # raise_server_exceptions=True: an exception that leaves the app (as Starlette's own
    # 500 handler lets it) fails here; the server would drop the connection.
    with TestClient(app) as client, caplog.at_level(logging.ERROR, "keepline.api"):
        r = client.get("/boom")
        assert r.status_code == 500
        assert r.json()["error"]["code"] == "internal"
        assert client.get("/health").status_code == 200
    [rec] = [r for r in caplog.records if r.getMessage() == "internal error"]
    line = json.loads(JsonFormatter().format(rec))
    assert "Traceback" in line["exc"] and "RuntimeError: a bug" in line["exc"]
    assert line["path"] == "/boom"
