"""The roster: file imports (all-or-nothing, valid-rows, re-import, update in place),
bad files naming row and field, the planned-vs-rostered summary, the generator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import yaml
from openpyxl import Workbook

from keepline.people import idnumber
from keepline.people.generate import employee_prefix, roster_rows
from keepline.plant.yamlio import load_yaml
from tests.worlds import XUZHOU, ZHENGZHOU, World, roster_csv


def _upload(
    world: World,
    text: str | bytes,
    name: str = "roster.csv",
    mode: str = "all",
    who: str = "A:admin",
):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return world.post(
        "/workers/import", who=who, params={"mode": mode}, files={"file": (name, data)}
    )


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def test_reimport_changes_nothing_and_a_changed_file_updates_in_place(world: World) -> None:
    text = roster_csv(XUZHOU, 60)  # the first 40 are already in (the world's roster)
    r = _upload(world, text)
    assert r.status_code == 200, r.text
    assert r.json() | {"rejected": []} == {
        "rows": 60,
        "inserted": 20,
        "updated": 0,
        "unchanged": 40,
        "rejected": [],
    }
    audit_before = world.get("/audit", params={"table": "workers"}).json()["total"]
    again = _upload(world, text).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 60)
    assert world.get("/audit", params={"table": "workers"}).json()["total"] == audit_before

    rows = _rows(text)
    old_name = rows[4]["name"]
    rows[4]["name"] = "改名字"
    rows[5]["employment_status"] = "on-leave"
    changed = _upload(world, _csv(rows)).json()
    assert (changed["inserted"], changed["updated"], changed["unchanged"]) == (0, 2, 58)
    w = world.get(f"/workers/{rows[4]['employee_no']}").json()
    assert w["name"] == "改名字"
    entry = world.get(
        "/audit", params={"table": "workers", "key": rows[4]["employee_no"], "action": "update"}
    ).json()
    assert entry["total"] == 1
    assert entry["items"][0]["before"]["name"] == old_name
    assert entry["items"][0]["after"]["name"] == "改名字"
    assert entry["items"][0]["actor"] == "user:admin@a.example"


def test_a_bad_row_rejects_the_whole_file_naming_row_and_field(world: World) -> None:
    rows = _rows(roster_csv(XUZHOU, 50))[40:]  # 10 new workers
    rows[2]["zone"] = "moon-base"  # file row 4 (header is row 1)
    rows[6]["team"] = "no-such-team"  # row 8
    rows[7]["shift"] = "evening"  # row 9
    rows[8]["id_number"] = rows[8]["id_number"][:17] + (
        "0" if rows[8]["id_number"][17] != "0" else "1"
    )
    r = _upload(world, _csv(rows))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_rows" and err["file"] == "roster.csv"
    got = {(p["row"], p["field"]) for p in err["problems"]}
    assert got == {(4, "zone"), (8, "team"), (9, "shift"), (10, "id_number")}
    assert "moon-base" in next(p["message"] for p in err["problems"] if p["row"] == 4)
    assert err["message"].startswith("roster.csv row 4, field zone")
    assert world.get("/workers").json()["total"] == 40  # nothing written

    r = _upload(world, _csv(rows), mode="valid-rows")
    assert r.status_code == 200
    body = r.json()
    assert body["inserted"] == 6 and {p["row"] for p in body["rejected"]} == {4, 8, 9, 10}
    assert world.get("/workers").json()["total"] == 46


def test_malformed_files(world: World) -> None:
    text = roster_csv(XUZHOU, 45)
    # Neither UTF-8 nor a Chinese encoding (Latin-1 from a European spreadsheet): refused,
    # naming the file and the encodings read (GBK files are read: test_chinese_files.py).
    latin1 = "employee_no,name,team\nX1,Zoë Müller,asm-day-1\nX2,José Ñúñez,asm-day-1\n"
    r = _upload(world, latin1.encode("latin-1"))
    assert r.status_code == 422
    assert "nor GBK/GB18030 or Big5" in r.json()["error"]["message"]
    assert r.json()["error"]["file"] == "roster.csv"
    assert r.json()["error"]["problems"][0]["row"] == 2  # the first byte that is not UTF-8

    r = _upload(world, "employee_no,team\nX1,asm-day-1\n")
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0] == {
        "row": 1,
        "field": "name",
        "message": r.json()["error"]["problems"][0]["message"],
    }

    rows = _rows(text)
    dup = [*rows[40:43], rows[41]]
    r = _upload(world, _csv(dup))
    assert r.status_code == 422
    assert r.json()["error"]["problems"] == [
        {
            "row": 5,
            "field": "employee_no",
            "message": f"'{rows[41]['employee_no']}' is also on row 3",
        }
    ]

    r = _upload(world, b"", name="empty.csv")
    assert r.status_code == 422 and r.json()["error"]["file"] == "empty.csv"
    r = _upload(world, b"PK\x03\x04 not really a zip", name="broken.xlsx")
    assert r.status_code == 422 and "xlsx" in r.json()["error"]["message"]
    assert world.get("/workers").json()["total"] == 40


def test_excel_roster(world: World) -> None:
    rows = _rows(roster_csv(XUZHOU, 44))[40:]
    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for row in rows:
        ws.append(
            [int(v) if k == "phone" else v for k, v in row.items()]
        )  # Excel keeps phones as numbers
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(world, buf.getvalue(), name="roster.xlsx")
    assert r.status_code == 200, r.text
    assert r.json()["inserted"] == 4
    assert world.get(f"/workers/{rows[0]['employee_no']}").json()["phone"] == rows[0]["phone"]


def test_one_by_one_and_roles(world: World) -> None:
    body = {"employee_no": "XQ90001", "name": "张三", "team": "opt-night", "phone": "13800138000"}
    r = world.post("/workers", json=body, who="A:health_officer")
    assert r.status_code == 201, r.text
    w = r.json()
    # Zone, shift, skills and housing came from the team in the plant file.
    assert (w["zone"], w["shift"], w["skills"], w["housing"]) == (
        "optics",
        "night",
        ["optician"],
        "dorm-south",
    )
    assert world.post("/workers", json=body).status_code == 422  # exists
    r = world.post("/workers", json=body | {"employee_no": "XQ90002"}, who="A:planner")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    bad = world.post("/workers", json=body | {"employee_no": "XQ90003", "zone": "assembly"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "zone"
    r = world.client.patch("/workers/XQ90001", json={"team": "asm-night-1"}, headers=world.h())
    assert r.status_code == 200 and r.json()["zone"] == "assembly"
    assert world.client.delete("/workers/XQ90001", headers=world.h()).status_code == 204
    assert world.get("/workers/XQ90001").status_code == 404
    actions = [
        e["action"]
        for e in world.get("/audit", params={"key": "XQ90001", "sort": "id"}).json()["items"]
    ]
    assert actions == ["insert", "update", "delete"]


def test_summary_planned_against_rostered(world: World) -> None:
    # The planned headcounts are read straight from the YAML file, not through our code.
    raw = yaml.safe_load(XUZHOU.read_text(encoding="utf-8"))
    planned = {t["id"]: t["headcount"] for t in raw["teams"]}
    text = roster_csv(XUZHOU, 10_000)
    assert _upload(world, text).status_code == 200
    rows = _rows(text)
    rows[0]["employment_status"] = "on-leave"
    assert _upload(world, _csv(rows)).json()["updated"] == 1
    s = world.get("/workers/summary", who="A:viewer").json()
    assert s["planned"] == sum(planned.values()) == 1204
    assert s["rostered"] == 1203
    by_team = {t["team"]: t for t in s["teams"]}
    assert {k: v["planned"] for k, v in by_team.items()} == planned
    first_team = rows[0]["team"]
    assert by_team[first_team]["rostered"] == planned[first_team] - 1
    assert by_team[first_team]["on_leave"] == 1 and by_team[first_team]["difference"] == -1


def test_lists_page_filter_and_sort(world: World) -> None:
    page = world.get("/workers", params={"limit": 7, "offset": 5, "sort": "-employee_no"}).json()
    assert page["total"] == 40 and page["limit"] == 7 and page["offset"] == 5
    nos = [w["employee_no"] for w in page["items"]]
    assert nos == [f"XQ{n:05d}" for n in range(35, 28, -1)]
    team = world.get("/workers", params={"team": "asm-day-1", "limit": 1000}).json()
    assert team["total"] == 40 and all(w["team"] == "asm-day-1" for w in team["items"])
    assert world.get("/workers", params={"team": "wh-day"}).json()["total"] == 0
    r = world.get("/workers", params={"sort": "phone"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "sort"
    r = world.get("/workers", params={"limit": 0})
    assert r.status_code == 422 and r.json()["error"]["field"] == "limit"


def test_generated_roster_is_well_formed() -> None:
    plant = load_yaml(ZHENGZHOU)
    rows = roster_rows(plant, seed=1)
    assert len(rows) == plant.headcount() == 898
    assert rows == roster_rows(plant, seed=1) and rows != roster_rows(plant, seed=2)
    assert employee_prefix("zhengzhou-meters") == "ZM"
    assert len({r["employee_no"] for r in rows}) == len({r["id_number"] for r in rows}) == 898
    for r in rows:
        assert idnumber.problem(r["id_number"]) is None
        assert r["id_number"].startswith(plant.enterprise.region_code)
        age = (
            plant.horizon_start
            - dt.date(
                int(r["id_number"][6:10]), int(r["id_number"][10:12]), int(r["id_number"][12:14])
            )
        ).days / 365.25
        assert 18.9 < age < 55.1
        assert re.fullmatch(r"1[3-9]\d{9}", r["phone"])
        assert 2 <= len(r["name"]) <= 3


def test_gb11643_check_digit_by_hand() -> None:
    # The standard's own example 11010519491231002X. By hand: digits × weights
    # 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2
    # = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → 'X'.
    assert idnumber.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert idnumber.check_char("11010519491231002") == "X"
    assert idnumber.problem("11010519491231002X") is None
    assert "check digit" in (idnumber.problem("110105194912310021") or "")
    assert "date of birth" in (idnumber.problem("110105194913310021") or "")


def test_people_cli_generate_and_import(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "roster.csv"
    assert cli("plant load examples/zhengzhou-meters.yaml").code == 0
    r = cli(f"people generate zhengzhou-meters -o {out} --seed 1")
    assert r.code == 0 and "898 workers" in r.out
    assert out.read_text(encoding="utf-8") == roster_csv(ZHENGZHOU, 10_000)
    first = cli(f"people import {out} --enterprise zhengzhou-meters")
    assert first.code == 0 and "898" in first.out
    again = cli(f"people import {out} --enterprise zhengzhou-meters")
    assert again.code == 0 and "written" not in again.err  # nothing to write the second time
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_no,name,team\nZ1,王伟,nowhere\n", encoding="utf-8")
    r = cli(f"people import {bad} --enterprise zhengzhou-meters")
    assert r.code != 0 and r.err.startswith("error: bad.csv row 2, field team: unknown team")
