"""Policy files (every example loads; errors name file, line and field) and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from keepline.errors import InputError
from keepline.outbreak.policy import load_policy, to_controls
from keepline.outbreak.population import from_plant
from keepline.outbreak.results import Band
from keepline.outbreak.world import world_from_scenario
from keepline.plant.yamlio import load_yaml
from keepline.scenario import load_scenario
from keepline.workforce import from_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
XUZHOU = EXAMPLES / "xuzhou-qpcr.yaml"
ZHENGZHOU = EXAMPLES / "zhengzhou-meters.yaml"

BAND = ("mean", "p5", "p95")
POLICIES = sorted((EXAMPLES / "policies").glob("*.yaml"))
OUR_SCENARIOS = sorted((EXAMPLES / "scenarios").glob("*-city-wave.yaml")) + sorted(
    (EXAMPLES / "scenarios").glob("*-control-area-*.yaml")
)


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_example_policies_load(path: Path) -> None:
    pop = from_plant(load_yaml(XUZHOU))
    controls = to_controls(load_policy(path), pop, str(path))
    assert controls.isolation_days >= 1


def test_examples_present() -> None:
    names = {p.stem for p in POLICIES}
    assert {"no-screening", "weekly-pcr-10", "every-3-days-pcr-10", "daily-antigen"} <= names
    assert {"closed-loop-twice-daily", "zone-quarantine-14d", "team-quarantine-14d"} <= names
    assert len(OUR_SCENARIOS) >= 2


@pytest.mark.parametrize("path", OUR_SCENARIOS, ids=lambda p: p.stem)
def test_example_scenarios_load(path: Path) -> None:
    """Each example scenario loads, and the outbreak sees in it what the file says: the
    city prevalence at its points, the importations in their zones, the control-area days."""
    plant = load_yaml(XUZHOU if path.stem.startswith("xuzhou") else ZHENGZHOU)
    sc = load_scenario(path, plant)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert sc.name == raw["name"]
    pop = from_plant(plant)
    days = 90
    world = world_from_scenario(sc, pop, days)
    points = [p for p in raw["prevalence"] if p["day"] < days]
    assert points
    for p in points:
        assert world.prevalence[p["day"]] == pytest.approx(p["infectious_per_100k"] / 100_000)
    assert world.importations == tuple(
        (i["day"], i["count"], pop.zones.index(i["zone"])) for i in raw["importations"]
    )
    blocked = np.zeros(days, dtype=bool)
    for w in raw.get("control_area", []):
        blocked[w["start_day"] : w["start_day"] + w["days"]] = True
    assert world.commuters_blocked.tolist() == blocked.tolist()
    assert not world.zone_closed.any()  # no zone is closed in these scenarios


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("name: x\nscreening:\n  - {test: pcr, every_days: 0}\n", ":3 screening.0.every_days"),
        ("name: x\nscreening:\n  - test: elisa\n", ":3 screening.0.test"),
        ("name: x\nmasks: 2\n", ":2 masks"),
        ("name: x\nclosedloop: true\n", ":2 closedloop: Extra inputs"),
        ("name: x\non_positive: {action: lockdown}\n", ":2 on_positive.action"),
        ("name: [x\n", ": not valid YAML"),
        ("- a\n", ":1: expected a mapping"),
    ],
)
def test_policy_errors_name_file_line_and_field(tmp_path: Path, text: str, expect: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        load_policy(f)
    msg = str(exc.value)
    assert str(f) in msg and expect in msg and "\n" not in msg


def test_unknown_zone_in_policy(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("name: x\nscreening:\n  - {test: pcr, zones: [assembly, moon]}\n")
    pop = from_plant(load_yaml(XUZHOU))
    with pytest.raises(InputError, match=r"screening\.0\.zones: unknown zone 'moon'"):
        to_controls(load_policy(f), pop, str(f))


def test_cli_run_writes_outputs(cli, tmp_path: Path) -> None:
    out = tmp_path / "o"
    r = cli(
        f"outbreak run {XUZHOU} --policy {EXAMPLES}/policies/weekly-pcr-10.yaml "
        f"--scenario {EXAMPLES}/scenarios/xuzhou-city-wave.yaml --days 40 --replicates 6 "
        f"--workers 1 --json {out}/r.json --plot {out}/r.png --workforce-csv {out}/wf.csv"
    )
    assert r.code == 0, r
    assert "worker-days lost" in r.out and "false-positive results" in r.out
    rec = json.loads((out / "r.json").read_text())
    printed = {row[0]: row[1:] for row in _table_rows(r.out)}
    s = rec["summary"]
    assert printed["worker-days lost"] == [f"{s['worker_days_lost'][k]:.0f}" for k in BAND]
    assert printed["test reactions"] == [f"{s['tests'][k]:.0f}" for k in BAND]
    assert printed["peak share of workers absent"] == [
        f"{100 * s['peak_absent_share'][k]:.1f} %" for k in BAND
    ]
    assert rec["replicates"] == 6 and len(rec["dates"]) == 40
    assert rec["summary"]["tests"]["p5"] <= rec["summary"]["tests"]["mean"]
    assert (out / "r.png").stat().st_size > 10_000
    wf = from_csv(out / "wf.csv", load_yaml(XUZHOU), 40)
    assert wf.available.shape[0] == 40
    assert wf.available[0].sum() > 0


def test_cli_compare(cli, tmp_path: Path) -> None:
    pol = EXAMPLES / "policies"
    r = cli(
        f"outbreak compare {ZHENGZHOU} --policies {pol}/no-screening.yaml "
        f"{pol}/every-3-days-pcr-10.yaml --days 30 --replicates 4 --workers 1 "
        f"--plot {tmp_path}/c.png --json {tmp_path}/c.json"
    )
    assert r.code == 0, r
    assert "no screening" in r.out and "every-3-days 10-in-1 PCR" in r.out
    recs = json.loads((tmp_path / "c.json").read_text())
    assert [x["policy"] for x in recs] == ["no screening", "every-3-days 10-in-1 PCR"]
    assert recs[0]["summary"]["tests"]["mean"] == 0 < recs[1]["summary"]["tests"]["mean"]
    # The table prints, per policy, the figures the comparison computed (the same runs as
    # the JSON): mean [5–95 %] of infections, worker-days lost, peak absent, tests, false
    # positives, in that order.
    rows = _table_rows(r.out)
    assert [row[0] for row in rows] == ["no screening", "every-3-days 10-in-1 PCR"]
    for row, rec in zip(rows, recs, strict=True):
        b = {k: Band(**v) for k, v in rec["summary"].items()}
        assert row[1:] == [
            b["infections"].fmt(),
            b["worker_days_lost"].fmt(),
            b["peak_absent_share"].fmt(1, pct=True),
            b["tests"].fmt(),
            b["false_positives"].fmt(1),
        ]
    # no screening runs no test; every third day with 10-in-1 pools does
    assert rows[0][4] == "0 [0–0]" and rows[1][4] != "0 [0–0]"
    # common random numbers: the same 4 replicates and 30 days under both policies
    assert recs[0]["replicates"] == recs[1]["replicates"] == 4
    assert len(recs[0]["dates"]) == len(recs[1]["dates"]) == 30


def _table_rows(out: str) -> list[list[str]]:
    """The body rows of a rich table printed to ``out``, as lists of stripped cells."""
    body = out.split("┡", 1)[1].split("└", 1)[0]
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in body.splitlines()
        if line.strip().startswith("│")
    ]


def test_cli_bad_policy_one_line_error_nothing_written(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncompliance: 1.5\n")
    r = cli(
        f"outbreak run {XUZHOU} --policy {bad} --days 10 --replicates 2 --json {tmp_path}/x.json"
    )
    assert r.code != 0
    assert r.err.strip().count("\n") == 0 and f"{bad}:2 compliance" in r.err
    assert not (tmp_path / "x.json").exists()
    r = cli(f"outbreak run {XUZHOU} --policy {bad} --days 0")
    assert r.code != 0 and "--days" in r.err
