"""Issue 14.4 and 14.6: the headline is a statistic over replicates with its interval,
and the do-nothing baseline is labelled, shown with its cost in health, never
recommended."""

from __future__ import annotations

import math

import pytest

from keepline.assessment.headline import headline, mean_interval, planned_percentiles
from keepline.assessment.report import render_html
from keepline.assessment.run import CLASSES, Settings, assess, recommend, representatives
from keepline.outbreak.policy import load_policy
from keepline.plant.yamlio import load_yaml
from tests.assessment.test_assessment import POL, _policy, _scenario
from tests.conftest import XUZHOU


def test_mean_interval_worked_by_hand() -> None:
    # 0.2, 0.4, 0.6, 0.8, 1.0: mean 0.6; deviations ±0.4, ±0.2, 0 → s² = 0.4 / 4 = 0.1;
    # se = √0.1 / √5 = 0.141421; t(0.975, 4 df) = 2.776445 (tables) → half-width 0.392649
    got = mean_interval([0.2, 0.4, 0.6, 0.8, 1.0])
    assert got["n"] == 5
    assert got["mean"] == pytest.approx(0.6)
    assert got["se"] == pytest.approx(math.sqrt(0.1) / math.sqrt(5))
    assert got["low"] == pytest.approx(0.6 - 0.392649, abs=1e-6)
    assert got["high"] == pytest.approx(0.6 + 0.392649, abs=1e-6)
    # all equal: no spread, a zero-width interval; one value: no interval at all
    assert mean_interval([3.0, 3.0, 3.0])["low"] == mean_interval([3.0, 3.0, 3.0])["high"] == 3.0
    assert mean_interval([7.0]) == {"mean": 7.0, "se": None, "low": None, "high": None, "n": 1}
    # a fill rate cannot pass 100 %: the same five values shifted up by 0.4 (mean 1.0 is
    # impossible, so 0.4…1.0 with 1.0 three times) keep their mean and spread, cut at 1.0
    fills = [0.4, 0.7, 1.0, 1.0, 1.0]  # mean 0.82; s² = (0.1764+0.0144+3·0.0324)/4 = 0.0720
    cut = mean_interval(fills, floor=0.0, ceiling=1.0)
    half = 2.776445 * math.sqrt(0.0720 / 5)
    assert cut["mean"] == pytest.approx(0.82)
    assert cut["low"] == pytest.approx(0.82 - half, abs=1e-6)
    assert 0.82 + half > 1.0 and cut["high"] == 1.0


def test_headline_is_the_mean_over_planned_replicates() -> None:
    def plan(fl: float, std: float | None, lost: float) -> dict:
        return {
            "fill_by_due": {"front-line": fl, "livelihood": 1.0, "standard": std},
            "units_short_by_due": {"front-line": 100 * (1 - fl), "livelihood": 0.0,
                                   "standard": 0.0},
            "units_lost": {"front-line": 0.0, "livelihood": 0.0, "standard": 0.0},
            "output_lost_units": lost,
            "output_lost_share": lost / 1000,
        }  # fmt: skip

    h = headline([plan(0.5, None, 10), plan(1.0, None, 30), plan(0.75, None, 20)], CLASSES)
    assert h["planned"] == 3
    fl = h["fill_by_due"]["front-line"]
    # mean 0.75, s = 0.25, se = 0.25/√3, t(0.975, 2) = 4.302653
    assert fl["mean"] == pytest.approx(0.75)
    assert fl["mean"] - fl["low"] == pytest.approx(4.302653 * 0.25 / math.sqrt(3), abs=1e-6)
    assert fl["high"] == 1.0  # 0.75 + 0.621 passes 100 %: cut there
    assert h["fill_by_due"]["standard"] is None  # no standard orders: no fill rate
    assert h["units_short_by_due"]["front-line"]["mean"] == pytest.approx(25.0)
    assert h["output_lost_units"]["mean"] == pytest.approx(20.0)


def test_planned_replicates_one_per_stratum_median_first() -> None:
    assert planned_percentiles(9)[4] == 50.0
    lost = list(range(100))  # replicate r lost r worker-days
    picks = representatives(__import__("numpy").array(lost))
    assert picks[0] == ("median", 49)  # ceil(0.5 · 100) - 1
    # the middles of the nine strata: ceil(100 (i + 0.5) / 9) - 1
    assert sorted(r for _, r in picks) == [5, 16, 27, 38, 49, 61, 72, 83, 94]
    # fewer replicates than strata: each planned once, the median first
    assert representatives(__import__("numpy").array([30, 10, 20])) == [
        ("median", 2), ("ranked 1 of 3", 1), ("ranked 3 of 3", 0),
    ]  # fmt: skip


def test_headline_of_100_and_200_replicates_agree_within_their_intervals() -> None:
    # Issue 14.4: daily antigen, control area: the median replicate's plan shipped 62.0 %
    # of standard units on time with 100 replicates and 14.4 % with 200. The headline
    # (mean over the planned replicates) agrees: the 95 % intervals overlap.
    plant = load_yaml(XUZHOU)
    args = ([_policy("daily-antigen")], [_scenario(plant, "xuzhou-control-area-21d")])
    cells = [
        assess(plant, *args, Settings(days=90, replicates=n, seed=1))["cells"][0]
        for n in (100, 200)
    ]
    medians = [c["plan"]["fill_by_due"]["standard"] for c in cells]
    assert medians == pytest.approx([0.620, 0.144], abs=0.001)  # the swing of the issue
    for c in cells:
        assert c["headline"]["planned"] == 9 and len(c["plans"]) == 9
    a, b = (c["headline"] for c in cells)
    pairs = [(a["fill_by_due"][k], b["fill_by_due"][k]) for k in CLASSES]
    pairs.append((a["output_lost_share"], b["output_lost_share"]))
    for x, y in pairs:
        assert x["low"] <= y["high"] and y["low"] <= x["high"], (x, y)
    std = a["fill_by_due"]["standard"], b["fill_by_due"]["standard"]
    assert abs(std[0]["mean"] - std[1]["mean"]) < 0.15  # not 0.476 as the medians differ


def _row(policy: str, *, rules: list[str], fill: float, infections: float) -> dict:
    return {"policy": policy, "rules": rules, "fill": fill, "infections": infections}


def _report(rows: list[dict]) -> dict:
    """A report of one scenario with a cell per policy, as ``assess`` makes it."""

    def stat(v: float) -> dict:
        return {"mean": v, "se": 0.0, "low": v, "high": v, "n": 9}

    cells = []
    for r in rows:
        short = 1000 * (1 - r["fill"])
        cells.append(
            {
                "policy": r["policy"],
                "scenario": "wave",
                "headline": {
                    "fill_by_due": {"front-line": stat(r["fill"]), "livelihood": stat(1.0),
                                    "standard": stat(1.0)},
                    "units_short_by_due": {"front-line": stat(short), "livelihood": stat(0.0),
                                           "standard": stat(0.0)},
                    "units_lost": dict.fromkeys(CLASSES, stat(0.0)),
                    "output_lost_share": stat(0.0),
                },
                "outbreak": {"metrics": {
                    k: {"mean": r["infections"]} for k in
                    ("infections", "infections_in_plant", "infectious_worker_days_at_work",
                     "tests", "worker_days_lost")
                }},
            }
        )  # fmt: skip
    return {
        "settings": {"policies": [r["policy"] for r in rows], "scenarios": ["wave"]},
        "policy_rules": {
            r["policy"]: {"baseline": bool(r["rules"]), "rules_broken": r["rules"]} for r in rows
        },
        "cells": cells,
    }


def test_recommendation_never_picks_a_policy_that_breaks_the_rules() -> None:
    broken = ["workers with symptoms are not isolated: the sick keep working"]
    # the baseline meets every order and has the fewest infections: still not recommended
    report = _report(
        [
            _row("no screening", rules=broken, fill=1.0, infections=0.0),
            _row("weekly pcr", rules=[], fill=1.0, infections=40.0),
            _row("daily antigen", rules=[], fill=0.9, infections=5.0),
        ]
    )
    rec = recommend(report)
    assert rec["policy"] == "weekly pcr" and rec["critical_on_time"]
    assert "no screening" in rec["why"] and "break the rules" in rec["why"]
    # no rule-keeping policy keeps critical orders on time: the least loss among them
    report = _report(
        [
            _row("no screening", rules=broken, fill=1.0, infections=0.0),
            _row("a", rules=[], fill=0.8, infections=1.0),
            _row("b", rules=[], fill=0.9, infections=9.0),
        ]
    )
    assert recommend(report)["policy"] == "b"
    # only rule-breakers: nothing is recommended
    only = recommend(_report([_row("no screening", rules=broken, fill=1.0, infections=0.0)]))
    assert only["policy"] is None


def test_example_policies_rules_in_force() -> None:
    base = load_policy(POL / "no-screening.yaml")
    assert base.is_baseline
    assert base.rules_broken() == [
        "workers with symptoms are not isolated: the sick keep working",
        "nobody is tested, so no case is confirmed and isolated",
    ]
    for path in sorted(POL.glob("*.yaml")):
        if path.name != "no-screening.yaml":
            p = load_policy(path)
            assert not p.is_baseline and p.rules_broken() == [], path.name


def test_report_labels_the_baseline_and_shows_the_sick_at_work() -> None:
    plant = load_yaml(XUZHOU)
    report = assess(
        plant,
        [_policy("no-screening"), _policy("weekly-pcr-10")],
        [_scenario(plant, "xuzhou-city-wave")],
        Settings(days=30, replicates=6, seed=3),
    )
    # the only policy that keeps the rules is recommended, whatever the baseline shows
    assert report["recommendation"]["policy"] == report["settings"]["policies"][1]
    rows = {r["policy"]: r for r in report["summary"]["policies"]}
    base = rows["no screening"]
    assert base["baseline"] and base["rules_broken"]
    cell = next(c for c in report["cells"] if c["policy"] == "no screening")
    sick = cell["outbreak"]["metrics"]["infectious_worker_days_at_work"]["mean"]
    assert base["infectious_worker_days_at_work"] == pytest.approx(sick) and sick > 0
    page = render_html(report)
    assert 'no screening <span class="bad">(baseline: do nothing)</span>' in page
    assert "worker-days at work while infectious" in page
