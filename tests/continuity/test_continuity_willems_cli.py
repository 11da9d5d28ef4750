"""Willems chains convert and run (skipped without the data); the two commands."""

from __future__ import annotations

import json

import pytest

from keepline.continuity.exposure import exposure_input
from keepline.continuity.model import build_input
from keepline.continuity.plan import plan_input
from keepline.continuity.willems import chain_path, convert
from tests.conftest import EXAMPLES, XUZHOU, ZHENGZHOU, shared_data


@pytest.mark.shared_data
@pytest.mark.parametrize("number", [1, 4, 13, 16])
def test_willems_chain_converts_and_runs(number):
    folder = shared_data("willems")
    chain = convert(chain_path(folder, number), horizon_days=56)
    p = chain.plant
    # every stage is accounted for: a leaf (material), a line, an outbound node, or folded
    n_nodes = len(p.materials) + len(p.lines) + len(chain.outbound) + len(chain.folded)
    demand_only = chain.stages - n_nodes
    assert demand_only >= 0
    inp = build_input(p, horizon=8, outbound=chain.outbound)
    res = plan_input(inp)
    assert [v for v in res.violations if "below the minimum" not in v] == []
    run = exposure_input(inp)
    assert len(run.nodes) == len(inp.nodes())
    for n in run.nodes:
        assert 0 <= n.tts_days <= inp.horizon
        assert (n.pi > 0) == n.flagged


@pytest.mark.shared_data
def test_willems_chain_1_by_hand():
    # Chain 1: Retail_0001..3 draw on Manuf_0001/0002, which need Part_0001..0003.
    chain = convert(chain_path(shared_data("willems"), 1), horizon_days=28)
    p = chain.plant
    assert sorted(m.id for m in p.materials) == ["part_0001", "part_0002", "part_0003"]
    # Part_0001's stage time is 28 days: 4 weekly periods
    part1 = next(m for m in p.materials if m.id == "part_0001")
    assert part1.supply_options[0].lead_time_days == 4


def test_plan_command_prints_orders_at_risk_and_writes_the_plan(cli, tmp_path):
    out, xlsx = tmp_path / "plan.json", tmp_path / "plan.xlsx"
    sc = EXAMPLES / "scenarios" / "xuzhou-zone-assembly-locked-7d.yaml"
    r = cli(
        [
            "plan",
            str(XUZHOU),
            "--scenario",
            str(sc),
            "--horizon",
            "60",
            "--json",
            str(out),
            "--xlsx",
            str(xlsx),
        ]
    )
    assert r.code == 0, r
    assert "JS-CDC-001" in r.out and "at risk" in r.out
    data = json.loads(out.read_text())
    assert data["check"]["ok"] and data["horizon_days"] == 60
    js = next(o for o in data["orders"] if o["order"] == "JS-CDC-001")
    assert js["at_risk"] and js["units_late"] > 0
    assert xlsx.stat().st_size > 0


def test_exposure_command_table_and_json(cli, tmp_path):
    out = tmp_path / "exp.json"
    r = cli(["exposure", str(ZHENGZHOU), "--horizon", "40", "--json", str(out)])
    assert r.code == 0, r
    assert "TTS" in r.out
    nodes = json.loads(out.read_text())["nodes"]
    rei = [n["risk_exposure_index"] for n in nodes]
    assert rei == sorted(rei, reverse=True)


def test_bad_scenario_is_one_line_error(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\ndisruptions:\n  - {kind: supplier, id: nobody, start_day: 0, days: 3}\n"
    )
    r = cli(["plan", str(XUZHOU), "--scenario", str(bad)])
    assert r.code != 0
    assert r.err.startswith("error: ") and "unknown supplier 'nobody'" in r.err
    assert len(r.err.strip().splitlines()) == 1
