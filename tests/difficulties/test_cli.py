"""``keepline difficulties``: the whole life from the shell, a step not allowed as one
error line, the escalation (once), the figures; and the jurisdiction file's errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keepline.difficulties.deadlines import describe_minutes, duration_minutes
from keepline.errors import InputError
from keepline.government import yamlfiles
from keepline.government.schemas import JurisdictionFile
from tests.government.world import EXAMPLES


def test_the_cli_end_to_end(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(f"plant load {EXAMPLES / 'xuzhou-qpcr.yaml'}").code == 0
    assert cli(["gov", "load", str(EXAMPLES / "jurisdictions" / "xuzhou.yaml")]).code == 0
    assert cli("gov register xuzhou-qpcr --industry devices").code == 0
    r = cli("difficulties submit -e xuzhou-qpcr --category 原材料 --text 'resin short'")
    assert (
        r.code == 0 and "raw-materials (原材料) submitted → xuzhou-municipal/industry-it" in r.out
    )
    n = re.search(r"#(\d+)", r.out).group(1)  # type: ignore[union-attr]
    r = cli(f"difficulties confirm {n} -e xuzhou-qpcr --rating 5")
    assert r.code == 2 and r.err.count("\n") == 1
    assert f"error: state: cannot confirm difficulty {n}: it is submitted" in r.err
    r = cli(f"difficulties accept {n} --as xuzhou-municipal --department health")
    assert r.code == 3 and f"no difficulty {n}" in r.err  # not in health's queue
    r = cli(f"difficulties transfer {n} --as xuzhou-municipal --to market --note prices")
    assert r.code == 0 and "transferred → xuzhou-municipal/market" in r.out
    r = cli(f"difficulties accept {n} --as xuzhou-municipal --department market")
    assert r.code == 0 and "accepted" in r.out
    r = cli("difficulties escalate --at 2999-01-01T00:00+08:00")
    assert r.code == 0 and "→ xuzhou-municipal/command" in r.out and "2 escalations" in r.out
    r = cli("difficulties escalate --at 2999-01-02T00:00+08:00")
    assert r.code == 0 and "0 escalations" in r.out
    cli(f"difficulties propose {n} --as xuzhou-municipal --solution 'a second supplier'")
    cli(f"difficulties resolve {n} --as xuzhou-municipal")
    r = cli(f"difficulties reopen {n} -e xuzhou-qpcr --reason 'not delivered'")
    assert r.code == 0 and "in-progress" in r.out
    r = cli(f"difficulties show {n} -e xuzhou-qpcr")
    assert r.code == 0 and "reopened" in r.out and "escalated" in r.out
    r = cli("difficulties list --as xuzhou-municipal --department command")
    assert r.code == 0 and "1 difficulty" in r.out  # escalated to the command
    r = cli("difficulties figures xuzhou-municipal --json")
    assert r.code == 0 and '"department": "market"' in r.out and '"received": 1' in r.out
    r = cli("difficulties submit -e xuzhou-qpcr --category weather --text x")
    assert r.code == 2 and "error: --category: 'weather' is not one of" in r.err


def test_durations() -> None:
    assert [duration_minutes(t) for t in ("60m", "24h", "7d", "90m")] == [60, 1440, 10080, 90]
    assert [describe_minutes(m) for m in (60, 1440, 10080, 90)] == ["60m", "24h", "7d", "90m"]
    for bad in ("1.5h", "0m", "60", "7 d", "h", "-5m", "400d"):
        with pytest.raises(ValueError):
            duration_minutes(bad)


FILE = """\
format_version: 1
jurisdiction:
  id: testville
  name: Testville
  departments:
    - {id: transport, name: Transport}
    - {id: industry, name: Industry}
  difficulties:
    routes:
      logistics-and-passes: transport
      raw-materials: industry
      labour: industry
      prevention-materials: industry
      finance: industry
      policy: industry
      other: industry
    limits: {accept: 30m}
  children:
    - id: sub
      name: Sub
      departments: [{id: desk, name: Desk}]
      difficulties:
        routes: {finance: desk}
"""


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("", "", None),  # the child inherits six routes from the city
        (
            "      other: industry\n",
            "",
            "t.yaml:9 jurisdiction.difficulties.routes: other routed nowhere",
        ),
        (
            "finance: desk}",
            "finance: treasury}",
            "t.yaml:23 jurisdiction.children[0].difficulties.routes.finance: unknown "
            "department 'treasury' (known: desk)",
        ),
        (
            "accept: 30m",
            "accept: half an hour",
            "t.yaml:17 jurisdiction.difficulties.limits.accept: 'half an hour' is not a duration",
        ),
    ],
)
def test_jurisdiction_file_errors_name_the_line_and_field(
    tmp_path: Path, old: str, new: str, error: str | None
) -> None:
    f = tmp_path / "t.yaml"
    f.write_text(FILE.replace(old, new) if old else FILE, encoding="utf-8")
    if error is None:
        parsed = yamlfiles.read(f, JurisdictionFile)
        assert parsed.jurisdiction.children[0].difficulties is not None
        return
    with pytest.raises(InputError) as e:
        yamlfiles.read(f, JurisdictionFile)
    assert str(e.value).startswith(str(tmp_path / error)), str(e.value)
