"""``keepline gov``: load, register, generate-city, report, send-reports, dashboard."""

from __future__ import annotations

import json
from pathlib import Path

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
