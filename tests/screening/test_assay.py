"""Assay interpretation: the default dual-target rule, worked case by case."""

from __future__ import annotations

import pytest

from keepline.errors import InputError
from keepline.screening.assay import AssayRule, Verdict, interpret

RULE = AssayRule()


@pytest.mark.parametrize(
    ("orf", "n", "ic", "verdict"),
    [
        (28.1, 30.4, 27.0, Verdict.positive),  # both ≤ 40, IC valid
        (40.0, 40.0, 30.0, Verdict.positive),  # the cut-off itself counts (≤ 40)
        (40.01, 39.0, 30.0, Verdict.retest),  # ORF1ab just above: one target only
        (None, 35.2, 30.0, Verdict.retest),
        (33.0, None, 30.0, Verdict.retest),
        (None, None, 29.0, Verdict.negative),
        (42.0, 43.5, 29.0, Verdict.negative),  # late amplification beyond 40: not detected
        (None, None, None, Verdict.resample),  # IC failed: invalid well
        (25.0, 26.0, 41.0, Verdict.resample),  # IC beyond its limit
    ],
)
def test_default_rule(orf, n, ic, verdict) -> None:
    got = interpret(RULE, {"ORF1ab": orf, "N": n, "IC": ic})
    assert got.verdict is verdict
    assert got.cts == {"ORF1ab": orf, "N": n, "IC": ic}  # Ct values kept, not only the verdict


def test_missing_target_is_an_error() -> None:
    with pytest.raises(InputError, match="no result for target"):
        interpret(RULE, {"ORF1ab": 30.0, "IC": 28.0})


def test_names_labs_write_map_to_the_rule() -> None:
    assert RULE.canonical("orf1a/b") == "ORF1ab"
    assert RULE.canonical("N gene") == "N"
    assert RULE.canonical("RNase P") == "IC"
    assert RULE.canonical("E") is None


def test_ct_range() -> None:
    assert RULE.check_ct(12.0, "row 2") == 12.0
    with pytest.raises(InputError, match=r"row 2: Ct 46 out of range \(0, 45\]"):
        RULE.check_ct(46.0, "row 2")
    with pytest.raises(InputError, match="out of range"):
        RULE.check_ct(0.0, "row 2")


def test_a_kit_with_its_own_targets_and_cutoff() -> None:
    kit = AssayRule.from_dict(
        {
            "kit": "triple-38",
            "targets": ["ORF1ab", "N", "E"],
            "internal_control": "RP",
            "positive_max_ct": 38.0,
            "aliases": {"e gene": "E"},
            "undetermined_ct": [40.0],
        }
    )
    assert kit.canonical("E gene") == "E"
    assert kit.check_ct(40.0, "x") is None  # the instrument's "undetermined"
    v = interpret(kit, {"ORF1ab": 30.0, "N": 31.0, "E": 38.5, "RP": 30.0})
    assert v.verdict is Verdict.retest  # E above this kit's 38
    assert AssayRule.from_dict(kit.to_dict()) == kit
    with pytest.raises(InputError, match="unknown field"):
        AssayRule.from_dict({"cutoff": 38})
