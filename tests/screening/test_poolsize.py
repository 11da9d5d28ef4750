"""The pool size to use: Dorfman's formula at hand-worked values, the dilution correction
on hand-built loads, the recommendation capped by the rules; the record's positivity
(SQLite and PostgreSQL), the API and the CLI."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from keepline.errors import InputError
from keepline.scope import EnterpriseScope
from keepline.screening import planning, positives, rounds
from keepline.screening.poolsize import (
    KitDilution,
    detectable_loads,
    dorfman,
    pool_sensitivity,
    recommend,
)
from keepline.screening.rules import RULES_IN_FORCE, check_pool_size, what_if
from keepline.screening.schemas import RoundIn
from tests.screening.test_service import LAB, TODAY, T, csv_bytes, pool_result
from tests.tiny_world import DAY0, TINY_YAML, load_tiny

# log10 load above the LOD of four positive swabs, chosen off the thresholds:
# ideal kit, a pool of k misses a swab below log10(k) (5: 0.699, 10: 1, 20: 1.301)
LOADS = np.array([0.5, 0.9, 1.5, 2.0])
HIGH = np.array([5.0])  # every swab far above the LOD: no dilution loss


def test_dorfman_at_hand_worked_values() -> None:
    # 1/k + 1 - (1-p)^k
    assert dorfman(0.01, 10) == pytest.approx(0.1 + 1 - 0.9043820750, abs=1e-9)
    assert dorfman(0.05, 5) == pytest.approx(0.2 + 1 - 0.7737809375, abs=1e-12)
    assert dorfman(0.001, 20) == pytest.approx(0.05 + 1 - 0.9801888648, abs=1e-9)
    assert dorfman(0.0, 10) == pytest.approx(0.1)
    assert dorfman(0.3, 1) == 1.0


def test_dilution_loss_on_hand_built_loads() -> None:
    ideal = KitDilution()
    # k=5: 0.9, 1.5, 2.0 ≥ 0.699 → 3/4; k=10: 1.5, 2.0 → 2/4; k=20: 1.5, 2.0 → 2/4
    assert [pool_sensitivity(k, ideal, LOADS) for k in (1, 5, 10, 20)] == [1, 0.75, 0.5, 0.5]
    # a kit that loses 1.5 cycles per doubling: k=5 shifts 3.48 cycles = 1.05 log10
    slow = KitDilution(cq_shift_per_doubling=1.5)
    assert pool_sensitivity(5, slow, LOADS) == 0.5
    # a swab at the LOD reads Cq 38 against a cut-off of 40: 2 cycles (0.6 log10) to spare
    spare = KitDilution(cutoff_cq=40, cq_at_lod=38)
    # margins 2 + 3.32 L cycles: 3.66, 4.99, 6.98, 8.64; a pool of 20 costs 4.32 cycles
    assert pool_sensitivity(20, spare, LOADS) == 0.75  # (ideal kit: 0.5)
    assert pool_sensitivity(10, spare, LOADS) == 1.0  # 3.66 ≥ 3.32 (ideal kit: 0.5)


def test_ideal_kit_is_the_engines_dilution_rule() -> None:
    # the outbreak engine: a pooled member reacts when log10 VL - log10 k ≥ LOD
    loads = detectable_loads()
    for k in (5, 10, 20):
        assert pool_sensitivity(k, KitDilution(), loads) == pytest.approx(
            float(np.mean(loads >= math.log10(k))), abs=1e-12
        )
    # the figures docs/screening.md quotes
    got = [pool_sensitivity(k, KitDilution(), loads) for k in (5, 10, 20)]
    assert got == pytest.approx([0.88, 0.83, 0.78], abs=0.01)


def test_corrected_tests_per_person() -> None:
    # p = 2 %, k = 10, s = 0.5: 0.1 + 1 - (1 - 0.01)^10
    rec = recommend(0.02, loads_above_lod=LOADS, min_sensitivity=0.5)
    ten = next(o for o in rec.options if o.size == 10)
    assert ten.sensitivity == 0.5
    assert ten.tests_per_person == pytest.approx(0.1 + 1 - 0.99**10, abs=1e-12)
    assert ten.dorfman == pytest.approx(dorfman(0.02, 10))
    assert ten.missed_per_10k == pytest.approx(10_000 * 0.02 * 0.5)


@pytest.mark.parametrize(
    ("p", "size"),
    [
        (0.0, 20),
        (0.001, 20),  # 20: 0.0698, 10: 0.1100, 5: 0.2050
        (0.01, 10),  # 10: 0.1956, 20: 0.2321, 5: 0.2490
        (0.05, 5),  # 5: 0.4262, 10: 0.5013, 20: 0.6915
        (0.4, 1),  # 5: 0.2 + 1 - 0.6^5 = 1.122 > 1
    ],
)
def test_recommendation_is_the_cheapest_allowed_size(p: float, size: int) -> None:
    rec = recommend(p, loads_above_lod=HIGH)
    assert rec.size == size
    assert [o.size for o in rec.options] == list(RULES_IN_FORCE.sizes)
    assert all(o.tests_per_person == pytest.approx(o.dorfman) for o in rec.options)


def test_recommendation_leaves_out_sizes_that_lose_too_many_positives() -> None:
    # at 0.1 %, 20 is cheapest; with 20 and 10 finding half the positives and a floor of
    # 0.7, the 5-in-1 (0.75) is the one left; with a floor of 0.8, individual tests
    rec = recommend(0.001, loads_above_lod=LOADS, min_sensitivity=0.7)
    assert rec.size == 5
    rec = recommend(0.001, loads_above_lod=LOADS, min_sensitivity=0.8)
    assert rec.size == 1 and "fewer than 80%" in rec.reason
    with pytest.raises(ValueError, match="prevalence"):
        recommend(1.5)


def test_rules_are_one_source_and_refusals_name_the_field() -> None:
    assert RULES_IN_FORCE.sizes == (1, 5, 10, 20) and not RULES_IN_FORCE.pools_of_pools
    with pytest.raises(InputError, match=r"^pool_size: pool size 30 refused: national guidance"):
        check_pool_size(30)
    with pytest.raises(InputError, match=r"^pools\.0\.size: pool size 7 not allowed"):
        check_pool_size(7, field="pools.0.size")
    assert what_if(10, "x") is None
    assert "what-if outside the rules" in (what_if(50, "screening.0.pool_size") or "")


# --------------------------------------------------------------------------- the record
@pytest.fixture
def tiny(session: Session) -> str:
    eid = load_tiny(session)
    session.commit()
    return eid


def test_positivity_from_the_record_drives_the_recommendation(session: Session, tiny: str) -> None:
    # a round of asm's 15 people in 3 pools of 5, before any result: no recommendation
    planned = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"], pool_size=5))
    session.commit()
    assert planned.recommendation is not None and planned.recommendation.size is None
    rnd = planned.round
    p1, p2, p3 = (f"R{rnd.id}-P0000{i}" for i in (1, 2, 3))
    data = csv_bytes(
        pool_result(p1, "31.2", "33.0") + pool_result(p2, "", "") + pool_result(p3, "", "")
    )
    positives.import_results(session, LAB, "plate1.csv", data, today=TODAY)
    session.commit()
    retests = [s for s in rounds.sample_results(session, T, rnd.id) if s.kind == "retest"]
    rows = pool_result(retests[0].id, "24.0", "25.5")
    for s in retests[1:]:
        rows += pool_result(s.id, "", "")
    positives.import_results(session, LAB, "retests.csv", csv_bytes(rows), today=TODAY)
    session.commit()
    # 15 tested in pools, 1 positive on retest: 6.7 % → 5-in-1
    assert rounds.zone_positivity(session, T, ["asm"], TODAY, 14) == (15, 1)
    rec = rounds.recommend_pool(session, T, ["asm"], TODAY)
    assert (rec.tested, rec.positives, rec.days) == (15, 1, 14)
    assert rec.prevalence == pytest.approx(1 / 15) and rec.size == 5
    assert rec.source == "record: 1 positive of 15 people tested in 14 days"
    # the next round shows it when planned
    again = planning.plan_round(session, T, RoundIn(day=TODAY, zones=["asm"], pool_size=10))
    assert again.recommendation is not None and again.recommendation.size == 5
    # another zone, an old window, an entered prevalence, bad input
    assert rounds.zone_positivity(session, T, ["lab"], TODAY, 14) == (0, 0)
    assert rounds.zone_positivity(session, T, ["asm"], TODAY + dt.timedelta(days=30), 14) == (0, 0)
    assert rounds.recommend_pool(session, T, ["asm"], TODAY, prevalence=0.001).size == 20
    with pytest.raises(InputError, match=r"^zones: no screening result in lab"):
        rounds.recommend_pool(session, T, ["lab"], TODAY)
    with pytest.raises(InputError, match=r"^prevalence: expected a share"):
        rounds.recommend_pool(session, T, ["asm"], TODAY, prevalence=2.0)
    with pytest.raises(InputError, match=r"unknown zone 'paint'"):
        rounds.recommend_pool(session, T, ["paint"], TODAY, prevalence=0.01)
    # another tenant reads nothing of this one's results
    other = load_tiny(session, "tiny2")
    session.commit()

    assert rounds.zone_positivity(session, EnterpriseScope(other, "t"), ["asm"], TODAY, 14) == (
        0,
        0,
    )


def test_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plant = tmp_path / "tiny.yaml"
    plant.write_text(TINY_YAML, encoding="utf-8")
    assert cli(f"plant load {plant}").code == 0
    r = cli("screening recommend-pool tiny asm --prevalence 0.01")
    assert r.code == 0, r
    assert "recommended: 10-in-1" in r.out and "20-in-1" in r.out and "Dorfman" in r.out
    r = cli("screening recommend-pool tiny asm")
    assert r.code != 0 and r.err.startswith("error: zones: no screening result")
    r = cli("screening recommend-pool tiny paint --prevalence 0.01")
    assert r.code != 0 and "unknown zone 'paint'" in r.err
    r = cli("screening recommend-pool tiny asm --prevalence 0.01 --cq-shift 9")
    assert r.code != 0 and "--cq-shift" in r.err
