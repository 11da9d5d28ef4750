"""``keepline gov``: load, register, generate-city, report, send-reports, dashboard."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from keepline import clock
from tests.government.world import EXAMPLES


def test_the_cli_end_to_end(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli(f"plant load {EXAMPLES / 'xuzhou-qpcr.yaml'}").code == 0
    r = cli(["gov", "load", str(EXAMPLES / "jurisdictions" / "xuzhou.yaml")])
    assert r.code == 0 and "4 jurisdictions, 7 departments, officers: 4 added" in r.out
    assert (
        cli(["gov", "checklist", str(EXAMPLES / "checklists" / "xuzhou-municipal.yaml")]).code == 0
    )
    r = cli(
        "gov register xuzhou-qpcr --industry 'medical devices' --scale large "
        "--tag key-epidemic-supplies --document 'notice 1' "
        "--liaison liaison.wang@xuzhou.gov.example"
    )
    assert r.code == 0, r
    r = cli("gov register xuzhou-qpcr --industry x")
    assert r.code != 0 and "enterprise_id: 'xuzhou-qpcr' is already registered" in r.err
    r = cli("gov register nowhere --industry x")
    assert r.code != 0 and "no enterprise 'nowhere'" in r.err
    r = cli("gov jurisdictions atlantis")
    assert r.code != 0 and "no jurisdiction 'atlantis'" in r.err
    assert cli("gov state xuzhou-qpcr --state fully --reason ok --as xuzhou-municipal").code == 0
    r = cli("gov generate-city xuzhou-municipal --enterprises 5 --record-days 2 --history-days 3")
    assert r.code == 0 and "5 enterprises, 1000 workers" in r.out, r
    assert cli("gov report xuzhou-qpcr --submit").code == 0
    r = cli("gov report xuzhou-qpcr --submit")
    assert r.code != 0 and "already submitted" in r.err
    r = cli("gov report xuzhou-qpcr --day 2999-01-01")
    assert r.code != 0 and "day: 2999-01-01 is in the future" in r.err
    r = cli("gov send-reports xuzhou-municipal")
    assert r.code == 0 and "5 reports sent" in r.out
    out = tmp_path / "d.xlsx"
    r = cli(f"gov dashboard xuzhou-municipal --json --xlsx {out}")
    assert r.code == 0, r
    body = r.out[r.out.index("{") :]
    d = json.loads(body)
    assert d["total"]["registered"] == 6 and d["total"]["reported"] == 6
    assert len(d["trend"]) == 30
    assert out.stat().st_size > 1000
    r = cli("gov dashboard xuzhou-municipal --under xuzhou-yunlong")
    assert r.code == 0 and "xuzhou-yunlong" in r.out
    assert cli("gov registry xuzhou-municipal").code == 0
    _visit_commands(cli, tmp_path)


def _visit_commands(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``keepline gov visit|finding|rectification``: a visit, its pack, a task's cycle."""
    today = clock.today()
    r = cli(
        "gov visit add xuzhou-qpcr --visitor '市长 Mayor' "
        "--visitor deputy.mayor@xuzhou.gov.example --topic 产能 --topic materials "
        "--as xuzhou-municipal"
    )
    assert r.code == 0 and r.out.startswith("visit 1: xuzhou-qpcr"), r
    r = cli("gov visit add xuzhou-qpcr --visitor x --topic weather --as xuzhou-municipal")
    assert r.code != 0 and "error: topics: 'weather' is not one of prevention" in r.err
    r = cli("gov visit add xuzhou-qpcr --visitor x --topic living --as xuzhou-yunlong")
    assert r.code == 3 and "no enterprise 'xuzhou-qpcr'" in r.err  # not under the district
    due = (today + dt.timedelta(days=7)).isoformat()
    for text in ("no backup for the optical module", "canteen seating too close"):
        r = cli(
            [
                "gov",
                "finding",
                "add",
                "1",
                "--text",
                text,
                "--category",
                "备用供应商",
                "--severity",
                "严重",
                "--due",
                due,
                "--as",
                "xuzhou-municipal",
            ]
        )
        assert r.code == 0, r
    r = cli("gov finding verify 1 --as xuzhou-municipal")
    assert r.code != 0 and "status: rectification task 1 is open" in r.err
    r = cli("gov rectification answer xuzhou-qpcr 1 --text 'Changzhou signed' --attachment c.pdf")
    assert r.code == 0 and "answered" in r.out
    assert cli("gov finding verify 1 --as xuzhou-municipal").code == 0
    r = cli("gov rectification answer xuzhou-qpcr 2 --text 'chairs moved'")
    assert r.code == 0, r
    r = cli("gov finding send-back 2 --reason 'still too close' --as xuzhou-municipal")
    assert r.code == 0 and "finding 2: open (sent back)" in r.out
    r = cli("gov finding list --as xuzhou-municipal --overdue")
    assert r.code == 0 and r.out.strip() == "0 findings"
    r = cli("gov visit list --as xuzhou-municipal")
    assert r.code == 0 and "1 visit" in r.out and "市长 Mayor" in r.out
    r = cli("gov rectification list xuzhou-qpcr")
    assert "#1 [verified]" in r.out and "#2 [open]" in r.out and "2 rectification tasks" in r.out
    r = cli("gov visit show 1 --as xuzhou-municipal --json")
    v = json.loads(r.out)
    assert [f["status"] for f in v["findings"]] == ["verified", "open"]
    assert v["topics"] == ["capacity", "materials"]
    out = tmp_path / "b.html"
    r = cli(f"gov visit briefing 1 --as xuzhou-municipal -o {out} --json")
    assert r.code == 0, r
    pack = json.loads(r.out[r.out.index("{") :])
    # The CLI world has no roster: living conditions are not recorded.
    assert pack["living"]["recorded"] is False and pack["living"]["commuters"] is None
    assert pack["findings_open"] == 1
    assert "未记录 Not recorded" in out.read_text(encoding="utf-8")
