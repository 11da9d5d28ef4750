"""Files as Chinese users save them: a CSV from Excel on Chinese Windows (GBK), UTF-8
with or without a BOM, an .xlsx; columns headed in Chinese; values in Chinese (发热, 夜班,
a zone's Chinese name). And every problem of a bad file listed, nothing written."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from keepline import clock
from keepline.containment.models import AccessEvent
from keepline.db import session_scope
from keepline.errors import InputError
from keepline.filedocs import render
from keepline.people.models import Worker
from keepline.screening.files import read_pools, read_readings
from keepline.tabular import RowsError, canonical, decode_text, read_table
from keepline.vocabulary import Names
from tests.worlds import A, World

ROSTER_ZH = (
    "工号,姓名,车间,班次,班组,住宿,在职状态\n"
    "XQ90001,王伟,仪器总装车间,夜班,asm-night-1,北宿舍,在职\n"
    "XQ90002,李娜,Instrument assembly hall,白班,asm-day-2,走读,休假\n"
    "XQ90003,张敏,光学与提取器车间,,光学白班组,,离职\n"  # the team by its Chinese name
)
# What each row must become: zone, shift and housing as ids, the status as its value.
EXPECTED = {
    "XQ90001": ("assembly", "night", "asm-night-1", "dorm-north", "active"),
    "XQ90002": ("assembly", "day", "asm-day-2", "commuter", "on-leave"),
    "XQ90003": ("optics", "day", "opt-day", "commuter", "left"),
}


def _upload(world: World, path: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return world.post(path, files={"file": (name, data)})


def _workers(world: World) -> dict[str, tuple[str, str, str, str, str]]:
    out = {}
    for no in EXPECTED:
        w = world.get(f"/workers/{no}").json()
        out[no] = (w["zone"], w["shift"], w["team"], w["housing"], w["employment_status"])
    return out


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("gbk"),  # Excel "CSV (逗号分隔)" on simplified-Chinese Windows
        lambda t: t.encode("gb18030"),
        lambda t: t.encode("utf-8-sig"),  # Excel "CSV UTF-8": with a BOM
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    ],
    ids=["gbk", "gb18030", "utf8-bom", "utf8", "utf16-bom"],
)
def test_text_is_read_whatever_the_encoding(encode) -> None:  # type: ignore[no-untyped-def]
    assert decode_text("roster.csv", encode(ROSTER_ZH)) == ROSTER_ZH
    table = read_table("roster.csv", encode(ROSTER_ZH))
    assert table.columns[:3] == ["工号", "姓名", "车间"]
    assert table.rows[0] == (
        2,
        dict(
            zip(
                ["工号", "姓名", "车间", "班次", "班组", "住宿", "在职状态"],
                ["XQ90001", "王伟", "仪器总装车间", "夜班", "asm-night-1", "北宿舍", "在职"],
                strict=True,
            )
        ),
    )


def test_utf8_with_a_stray_byte_is_refused_naming_its_row_not_read_as_gbk() -> None:
    # A UTF-8 file with one Latin-1 byte on row 4 must not be read as GB18030 (its
    # Chinese would come out as other characters): refused, naming the row.
    data = ROSTER_ZH.encode("utf-8") + b"XQ90004,Zo\xeb,assembly,,asm-night-1,,\n"
    with pytest.raises(RowsError) as exc:
        decode_text("roster.csv", data)
    assert exc.value.rows[0].row == 5
    assert "not UTF-8 text" in str(exc.value)


def test_a_gbk_roster_with_chinese_headers_and_values_imports(world: World) -> None:
    r = _upload(world, "/workers/import", "花名册.csv", ROSTER_ZH.encode("gbk"))
    assert r.status_code == 200, r.text
    assert (r.json()["inserted"], r.json()["unchanged"]) == (3, 0)
    assert _workers(world) == EXPECTED
    # The same roster saved as UTF-8 with a BOM, headers in English words: nothing changes.
    english = ROSTER_ZH.replace(
        "工号,姓名,车间,班次,班组,住宿,在职状态",
        "Employee No,Name,Zone,Shift,Team,Housing,Employment status",
    ).replace("光学白班组", "Optics day crew")  # and by its English name
    again = _upload(world, "/workers/import", "roster.csv", english.encode("utf-8-sig")).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_an_xlsx_roster_with_chinese_headers_imports(world: World) -> None:
    wb = Workbook()
    ws = wb.active
    for line in ROSTER_ZH.splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(world, "/workers/import", "花名册.xlsx", buf.getvalue())
    assert r.status_code == 200, r.text
    assert r.json()["inserted"] == 3
    assert _workers(world) == EXPECTED


def test_three_bad_rows_are_all_named_and_nothing_is_written(world: World) -> None:
    bad = (
        "工号,姓名,车间,班次,班组,在职状态\n"
        "XQ90001,王伟,月球基地,夜班,asm-night-1,在职\n"  # row 2: no such zone
        "XQ90002,李娜,仪器总装车间,夜猫班,asm-night-1,在职\n"  # row 3: no such shift
        "XQ90003,张敏,仪器总装车间,夜班,asm-night-1,出差\n"  # row 4: no such status
    )
    before = world.get("/workers").json()["total"]
    r = _upload(world, "/workers/import", "bad.csv", bad.encode("gbk"))
    assert r.status_code == 422
    err = r.json()["error"]
    assert [(p["row"], p["field"]) for p in err["problems"]] == [
        (2, "zone"),
        (3, "shift"),
        (4, "employment_status"),
    ]
    # The message says all three, and the unknown zone lists the known ones.
    parts = err["message"].split("; ")
    assert [p.split(":")[0] for p in parts] == [
        "bad.csv row 2, field zone",
        "bad.csv row 3, field shift",
        "bad.csv row 4, field employment_status",
    ]
    assert "unknown zone '月球基地' (known: assembly, optics, reagent," in parts[0]
    assert "(known: day, night)" in parts[1]
    assert "on-leave (休假, 请假, 离岗)" in parts[2]
    assert world.get("/workers").json()["total"] == before


def test_cli_lists_every_bad_row_then_counts(cli, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("plant load examples/xuzhou-qpcr.yaml").code == 0
    bad = tmp_path / "花名册.csv"
    rows = ["工号,姓名,车间,班组"]
    rows += [f"XQ9{i:04d},王伟,月球基地,asm-day-1" for i in range(25)]  # rows 2..26
    bad.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    r = cli(f"people import {bad} -e xuzhou-qpcr")
    assert r.code == 2
    lines = r.err.strip().splitlines()
    # 20 problems, one line each, then one line counting the other 5
    assert [ln.split(",")[0] for ln in lines[:20]] == [
        f"error: 花名册.csv row {n}" for n in range(2, 22)
    ]
    assert all("field zone: unknown zone '月球基地' (known: assembly" in ln for ln in lines[:20])
    assert lines[20:] == ["error: … and 5 more problems not shown"]
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Worker)) == 0


def test_gbk_declarations_with_chinese_words(world: World) -> None:
    day = clock.today().isoformat()
    text = (
        "工号,日期,体温（℃）,症状,健康码,密切接触者,中高风险地区旅居史\n"
        f"XQ00001,{day},38.2,发热、咳嗽,黄码,是,否\n"
        f"XQ00002,{day},36.5,,绿码,否,否\n"
    )
    r = _upload(world, "/declarations/import", "申报.csv", text.encode("gbk"))
    assert r.status_code == 200, r.text
    assert r.json()["inserted"] == 2
    got = world.get("/declarations", params={"employee_no": "XQ00001", "day": day}).json()
    d = got["items"][0]
    assert (d["temperature_c"], d["symptoms"], d["health_code"]) == (
        38.2,
        ["fever", "cough"],
        "yellow",
    )
    assert (d["close_contact"], d["risk_travel"]) == (True, False)


def test_access_events_name_zones_in_chinese(world: World) -> None:
    text = (
        "工号,区域,进入时间,离开时间\n"
        "XQ00001,仪器总装车间,2026-12-01T08:00,2026-12-01T12:00\n"
        "XQ00002,Instrument assembly hall,2026-12-01T08:00,2026-12-01T12:00\n"
    )
    r = _upload(world, "/access-events/import", "门禁.csv", text.encode("gbk"))
    assert r.status_code == 200, r.text
    assert r.json()["inserted"] == 2
    with session_scope(world.url) as s:
        zones = s.scalars(select(AccessEvent.zone_id).where(AccessEvent.enterprise_id == A))
        assert sorted(zones) == ["assembly", "assembly"]
    # By id, the same events: nothing new
    by_id = text.replace("仪器总装车间", "assembly").replace("Instrument assembly hall", "assembly")
    again = _upload(world, "/access-events/import", "门禁.csv", by_id.encode("utf-8")).json()
    assert (again["inserted"], again["unchanged"]) == (0, 2)
    unknown = text.replace("仪器总装车间", "食堂二楼")
    r = _upload(world, "/access-events/import", "门禁.csv", unknown.encode("gbk"))
    assert r.status_code == 422
    assert "unknown zone '食堂二楼' (known: assembly, optics," in r.json()["error"]["message"]


def test_lab_files_with_chinese_headers() -> None:
    pools = "混管编号,工号\nP1,XQ00001\nP1,XQ00002\nP2,XQ00003\n".encode("gbk")
    assert read_pools("混管.csv", pools) == [("P1", ["XQ00001", "XQ00002"]), ("P2", ["XQ00003"])]
    results = "样本编号,靶标,Ct值\nR1-S00001,N,未检出\nR1-S00001,ORF1ab,31.5\n".encode("gbk")
    fmt, readings, _ = read_readings("结果.csv", results)
    assert fmt == "table"
    assert [(r.sample_id, r.target, r.ct) for r in readings] == [
        ("R1-S00001", "N", None),
        ("R1-S00001", "ORF1ab", 31.5),
    ]


def test_every_bad_ct_is_named() -> None:
    results = b"sample_id,target,ct\nS1,N,abc\nS2,N,30\nS3,N,x\nS4,N,??\n"
    with pytest.raises(InputError) as exc:
        read_readings("r.csv", results)
    assert str(exc.value).splitlines() == [
        "r.csv row 2, field ct: not a number: 'abc'",
        "r.csv row 4, field ct: not a number: 'x'",
        "r.csv row 5, field ct: not a number: '??'",
    ]


def test_two_headers_for_one_column_are_refused() -> None:
    table = read_table("r.csv", "工号,employee_no,姓名\nX1,X1,王伟\n".encode())
    with pytest.raises(RowsError, match="columns '工号' and 'employee_no' are both employee_no"):
        canonical(table, {"employee_no": ("工号",), "name": ("姓名",)})


def test_the_import_files_page_is_generated_from_the_importers() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "import-files.md").read_text()
    assert page == render(), "docs/import-files.md is stale: run `make docs`"
    # The page carries the words the importers take (one source): a word added to a
    # field's metadata or an enum shows up here.
    assert "| `employee_no` | `工号`, `员工编号`, `职工号` | yes |" in page
    assert "| `fever` | 发热, 发烧 |" in page


def test_a_name_two_share_names_neither() -> None:
    names = Names({"hall-a": ("Hall", "一号厅"), "hall-b": ("Hall", "二号厅"), "x": ("hall-a",)})
    assert (names.get("一号厅"), names.get("二号厅 "), names.get("HALL")) == (
        "hall-a",
        "hall-b",
        None,
    )
    assert names.get("hall-a") == "hall-a"  # an id wins over another's name
