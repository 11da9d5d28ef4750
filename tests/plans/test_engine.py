"""The pure engine on hand-built snapshots: every trigger fires and does not fire, the
combinations join what they carry, actions are bound, and a cause opens once."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from keepline.plans import engine as e
from keepline.plans import schema as s
from tests.plans.helpers import DAY, one_rule, plan_of, tiny_plant

PLANT = tiny_plant()
CASE, POOL = s.PositiveKind.case, s.PositiveKind.positive_pool


def ago(n: int) -> dt.date:
    return DAY - dt.timedelta(days=n)


def fired(when: dict[str, Any], snap: e.RecordSnapshot) -> list[dict[str, str]]:
    """What each firing of a one-rule plan carries, in order."""
    return [f.carried for f in e.evaluate(one_rule(when), snap, PLANT).firings]


# -- positive_in_zone ------------------------------------------------------------------

# A case in zone a today, a positive pool in zone b yesterday, a case in c tomorrow.
POSITIVES = e.RecordSnapshot(
    day=DAY,
    positives=(
        e.Positive(DAY, "a", CASE),
        e.Positive(ago(1), "b", POOL),
        e.Positive(DAY + dt.timedelta(days=1), "c", CASE),
    ),
)


def test_positive_in_zone_today_only_by_default() -> None:
    # within_days 1 is today: a's case; b's pool was yesterday, c's case is tomorrow.
    assert fired({"kind": "positive_in_zone"}, POSITIVES) == [{"zone": "a"}]


def test_positive_in_zone_window_and_filters() -> None:
    two_days = {"kind": "positive_in_zone", "within_days": 2}
    assert fired(two_days, POSITIVES) == [{"zone": "a"}, {"zone": "b"}]
    assert fired({**two_days, "zone": "b"}, POSITIVES) == [{"zone": "b"}]
    assert fired({**two_days, "what": ["positive-pool"]}, POSITIVES) == [{"zone": "b"}]
    # Does not fire: zone b today; zone c (only tomorrow); nothing at all.
    assert fired({"kind": "positive_in_zone", "zone": "b"}, POSITIVES) == []
    assert fired({**two_days, "zone": "c"}, POSITIVES) == []
    assert fired({"kind": "positive_in_zone"}, e.RecordSnapshot(day=DAY)) == []


def test_positive_in_zone_reason() -> None:
    f = e.evaluate(one_rule({"kind": "positive_in_zone"}), POSITIVES, PLANT).firings[0]
    assert f.reasons == ("1 case in zone a on 2026-12-10",)


# -- positives_within ------------------------------------------------------------------

# a on D-3, a on D-2, b on D-1, a on D: 3 in the last 3 days (D-2..D), 2 in the last 2.
SPREAD = e.RecordSnapshot(
    day=DAY,
    positives=(
        e.Positive(ago(3), "a"),
        e.Positive(ago(2), "a"),
        e.Positive(ago(1), "b", POOL),
        e.Positive(DAY, "a"),
    ),
)


def test_positives_within_counts_the_window() -> None:
    rule = {"kind": "positives_within", "at_least_positives": 3, "within_days": 3}
    assert fired(rule, SPREAD) == [{}]  # the plant as a whole carries nothing
    assert fired({**rule, "within_days": 2}, SPREAD) == []  # D-1, D: only 2
    assert fired({**rule, "at_least_positives": 4}, SPREAD) == []
    assert fired({**rule, "within_days": 4, "at_least_positives": 4}, SPREAD) == [{}]
    assert fired({**rule, "what": ["case"]}, SPREAD) == []  # cases D-2, D: 2


def test_positives_within_per_zone_and_one_zone() -> None:
    rule = {"kind": "positives_within", "at_least_positives": 2, "within_days": 3}
    # per zone in D-2..D: a has 2 (D-2, D), b has 1.
    assert fired({**rule, "per_zone": True}, SPREAD) == [{"zone": "a"}]
    assert fired({**rule, "zone": "a"}, SPREAD) == [{"zone": "a"}]
    assert fired({**rule, "zone": "b"}, SPREAD) == []
    f = e.evaluate(one_rule({**rule, "per_zone": True}), SPREAD, PLANT).firings[0]
    assert f.reasons == ("2 positives (2 cases) in zone a on 2026-12-08..2026-12-10, at least 2",)


# -- missing_declarations_share --------------------------------------------------------

# 200 expected; 150 made at 08:00, 20 more at 09:30.
DECLARED = e.RecordSnapshot(
    day=DAY,
    declarations_expected=200,
    declarations_made_at=(dt.time(8, 0),) * 150 + (dt.time(9, 30),) * 20,
)


def test_missing_declarations_share() -> None:
    rule = {"kind": "missing_declarations_share", "by_time": "09:00", "share_above": 0.2}
    # By 09:00: 150 made, 50 missing = 25 % > 20 %.
    assert fired(rule, DECLARED) == [{}]
    f = e.evaluate(one_rule(rule), DECLARED, PLANT).firings[0]
    assert f.reasons == ("50 of 200 declarations (25.0%) missing at 09:00, above 20.0%",)
    # 25 % is not above 25 %.
    assert fired({**rule, "share_above": 0.25}, DECLARED) == []
    # By 10:00: 170 made, 30 missing = 15 %: above 10 %, not above 20 %.
    assert fired({**rule, "by_time": "10:00", "share_above": 0.1}, DECLARED) == [{}]
    assert fired({**rule, "by_time": "10:00"}, DECLARED) == []


def test_missing_declarations_waits_for_its_time_and_needs_someone_expected() -> None:
    rule = {"kind": "missing_declarations_share", "by_time": "09:00", "share_above": 0.2}
    early = e.RecordSnapshot(
        day=DAY, as_of=dt.time(8, 30), declarations_expected=200, declarations_made_at=()
    )
    assert fired(rule, early) == []
    assert fired(
        rule, e.RecordSnapshot(day=DAY, as_of=dt.time(9, 0), declarations_expected=200)
    ) == [{}]
    assert fired(rule, e.RecordSnapshot(day=DAY)) == []


# -- fever_in_zone ---------------------------------------------------------------------


def test_fever_in_zone() -> None:
    snap = e.RecordSnapshot(day=DAY, fevers={"b": 1, "a": 2})
    assert fired({"kind": "fever_in_zone"}, snap) == [{"zone": "a"}, {"zone": "b"}]
    assert fired({"kind": "fever_in_zone", "at_least_workers": 2}, snap) == [{"zone": "a"}]
    assert fired({"kind": "fever_in_zone", "zone": "b"}, snap) == [{"zone": "b"}]
    assert fired({"kind": "fever_in_zone", "zone": "b", "at_least_workers": 2}, snap) == []
    assert fired({"kind": "fever_in_zone", "zone": "c"}, snap) == []


# -- region_locked ---------------------------------------------------------------------

CHIP_HIT = {"region": "440300", "supplier": "sup-sz", "material": "chip"}


def test_region_locked_fires_for_materials_whose_primary_supplier_is_there() -> None:
    snap = e.RecordSnapshot(day=DAY, locked_regions=frozenset({"440300"}))
    assert fired({"kind": "region_locked"}, snap) == [CHIP_HIT]
    assert fired({"kind": "region_locked", "supplier": "sup-sz"}, snap) == [CHIP_HIT]
    assert fired({"kind": "region_locked", "lane": "lane-sz"}, snap) == [CHIP_HIT]
    assert fired({"kind": "region_locked", "region": "440300"}, snap) == [CHIP_HIT]
    # Does not fire: another region or lane named; nothing locked.
    assert fired({"kind": "region_locked", "region": "610100"}, snap) == []
    assert fired({"kind": "region_locked", "lane": "lane-xa"}, snap) == []
    assert fired({"kind": "region_locked"}, e.RecordSnapshot(day=DAY)) == []


def test_a_locked_backup_region_does_not_fire() -> None:
    # 610100 holds only chip's backup supplier: chip still comes from Shenzhen.
    snap = e.RecordSnapshot(day=DAY, locked_regions=frozenset({"610100"}))
    assert fired({"kind": "region_locked"}, snap) == []


# -- days_of_cover_below ---------------------------------------------------------------

COVER = e.RecordSnapshot(day=DAY, days_of_cover={"swab": 9.5, "mask": 14.0, "chip": 3.0})


def test_days_of_cover_below() -> None:
    prevention = {"kind": "days_of_cover_below", "material_kind": "prevention", "below_days": 14}
    # swab 9.5 < 14; mask 14 is not below 14; chip is raw.
    assert fired(prevention, COVER) == [{"material": "swab"}]
    assert fired({**prevention, "below_days": 14.5}, COVER) == [
        {"material": "mask"},
        {"material": "swab"},
    ]
    assert fired({"kind": "days_of_cover_below", "below_days": 10}, COVER) == [
        {"material": "chip"},
        {"material": "swab"},
    ]
    assert fired({"kind": "days_of_cover_below", "material": "chip", "below_days": 3}, COVER) == []
    assert fired({"kind": "days_of_cover_below", "material": "chip", "below_days": 3.5}, COVER) == [
        {"material": "chip"}
    ]
    # A material nobody uses has no days of cover: it never fires.
    assert (
        fired({"kind": "days_of_cover_below", "below_days": 1000}, e.RecordSnapshot(day=DAY)) == []
    )


# -- city_risk -------------------------------------------------------------------------


def test_city_risk_level_and_control_area() -> None:
    medium = e.RecordSnapshot(day=DAY, city_risk_level=s.RiskLevel.medium)
    assert fired({"kind": "city_risk", "risk_level_at_least": "low"}, medium) == [{}]
    assert fired({"kind": "city_risk", "risk_level_at_least": "medium"}, medium) == [{}]
    assert fired({"kind": "city_risk", "risk_level_at_least": "high"}, medium) == []
    assert fired({"kind": "city_risk", "control_area": True}, medium) == []
    area = e.RecordSnapshot(day=DAY, control_area=True)
    assert fired({"kind": "city_risk", "control_area": True}, area) == [{}]
    assert fired({"kind": "city_risk", "risk_level_at_least": "low"}, area) == []
    both = {"kind": "city_risk", "control_area": True, "risk_level_at_least": "high"}
    assert fired(both, area) == [{}]
    assert fired(both, e.RecordSnapshot(day=DAY)) == []


# -- critical_order_at_risk, difficulty_overdue -----------------------------------------


def test_critical_order_at_risk() -> None:
    snap = e.RecordSnapshot(
        day=DAY,
        orders_at_risk=(e.OrderAtRisk("O-2", "livelihood"), e.OrderAtRisk("O-1", "standard")),
    )
    assert fired({"kind": "critical_order_at_risk"}, snap) == [{"order": "O-2"}]
    assert fired({"kind": "critical_order_at_risk", "priorities": ["front-line"]}, snap) == []
    assert fired(
        {"kind": "critical_order_at_risk", "priorities": ["standard", "livelihood"]}, snap
    ) == [{"order": "O-1"}, {"order": "O-2"}]


def test_difficulty_overdue() -> None:
    snap = e.RecordSnapshot(day=DAY, overdue_difficulties=2)
    assert fired({"kind": "difficulty_overdue"}, snap) == [{}]
    assert fired({"kind": "difficulty_overdue", "at_least_difficulties": 2}, snap) == [{}]
    assert fired({"kind": "difficulty_overdue", "at_least_difficulties": 3}, snap) == []
    assert fired({"kind": "difficulty_overdue"}, e.RecordSnapshot(day=DAY)) == []


# -- all / any ---------------------------------------------------------------------------

# Positives today in a and b; fever in b and c; a control area.
MIXED = e.RecordSnapshot(
    day=DAY,
    positives=(e.Positive(DAY, "a"), e.Positive(DAY, "b", POOL)),
    fevers={"b": 1, "c": 3},
    control_area=True,
)
POS = {"kind": "positive_in_zone"}
FEVER = {"kind": "fever_in_zone"}
AREA = {"kind": "city_risk", "control_area": True}


def test_all_joins_on_the_zone() -> None:
    # a positive and a fever in the same zone: only b has both.
    assert fired({"all": [POS, FEVER]}, MIXED) == [{"zone": "b"}]
    f = e.evaluate(one_rule({"all": [POS, FEVER]}), MIXED, PLANT).firings[0]
    assert f.reasons == ("1 positive pool in zone b on 2026-12-10", "1 worker with fever in zone b")


def test_all_with_a_member_carrying_nothing_keeps_the_zone() -> None:
    assert fired({"all": [POS, AREA]}, MIXED) == [{"zone": "a"}, {"zone": "b"}]
    no_area = e.RecordSnapshot(day=DAY, positives=MIXED.positives, fevers=MIXED.fevers)
    assert fired({"all": [POS, AREA]}, no_area) == []
    assert fired({"all": [POS, {"kind": "fever_in_zone", "zone": "a"}]}, MIXED) == []


def test_any_unites_and_merges_the_same_zone() -> None:
    assert fired({"any": [POS, FEVER]}, MIXED) == [{"zone": "a"}, {"zone": "b"}, {"zone": "c"}]
    f = e.evaluate(one_rule({"any": [POS, FEVER]}), MIXED, PLANT).firings[1]
    assert f.carried == {"zone": "b"}
    assert len(f.reasons) == 2  # the pool and the fever
    assert fired({"any": [{"kind": "difficulty_overdue"}, FEVER]}, e.RecordSnapshot(day=DAY)) == []


def test_nested_combinations() -> None:
    when = {"all": [AREA, {"any": [POS, {"kind": "fever_in_zone", "at_least_workers": 3}]}]}
    # control area, and (a positive, or 3 fevers): a, b by positives, c by fevers.
    assert fired(when, MIXED) == [{"zone": "a"}, {"zone": "b"}, {"zone": "c"}]


# -- actions bound to what fired --------------------------------------------------------


def test_actions_carry_the_zone_and_split_auto_from_confirm() -> None:
    plan = one_rule(
        POS,
        [
            {"do": "set_zone_state", "state": "locked", "auto": True},
            {"do": "create_screening_rounds", "zone": "$zone", "pool_size": 10, "days_in_a_row": 3},
            {
                "do": "create_task",
                "role": "health_officer",
                "text": "Disinfect zone {zone}",
                "deadline": "4h",
                "auto": True,
            },
            {
                "do": "notify",
                "roles": ["admin"],
                "liaison_officer": True,
                "message": "rule {rule}: positive in {zone} on {day}",
            },
        ],
    )
    ev = e.evaluate(plan, MIXED, PLANT)
    assert [f.carried for f in ev.firings] == [{"zone": "a"}, {"zone": "b"}]
    lock, screen, task, note = ev.firings[0].actions
    assert lock.params == {
        "zone": "a",
        "state": "locked",
        "closed_loop": False,
        "reason": "emergency plan rule r",
    }
    assert screen.params["zone"] == "a" and screen.params["pool_size"] == 10
    assert screen.params["days_in_a_row"] == 3 and screen.params["start_after_days"] == 0
    assert task.params == {"role": "health_officer", "text": "Disinfect zone a", "deadline": "PT4H"}
    assert note.params["message"] == "rule r: positive in a on 2026-12-10"
    assert [(a.rule, a.index, a.params.get("zone")) for a in ev.to_run] == [
        ("r", 0, "a"),
        ("r", 2, None),
        ("r", 0, "b"),
        ("r", 2, None),
    ]
    assert [a.do for a in ev.to_confirm] == [
        s.ActionKind.create_screening_rounds,
        s.ActionKind.notify,
    ] * 2


def test_actions_carry_the_material_and_name_the_backup() -> None:
    plan = one_rule(
        {"kind": "region_locked"},
        [
            {"do": "switch_to_backup_supplier"},
            {"do": "raise_reorder", "material": "$material", "up_to_days_of_cover": 30},
            {
                "do": "notify",
                "roles": ["storekeeper"],
                "message": "{supplier} in {region}: {material}",
            },
        ],
    )
    snap = e.RecordSnapshot(day=DAY, locked_regions=frozenset({"440300"}))
    switch, reorder, note = e.evaluate(plan, snap, PLANT).firings[0].actions
    assert switch.params == {"material": "chip", "backup_supplier": "sup-xa"}
    assert reorder.params == {"material": "chip", "up_to_days_of_cover": 30.0}
    assert note.params["message"] == "sup-sz in 440300: chip"


# -- once while open ---------------------------------------------------------------------


def test_a_cause_opens_once_while_open() -> None:
    plan = plan_of({"id": "lock", "when": POS}, {"id": "fever", "when": FEVER})
    firings = e.evaluate(plan, MIXED, PLANT).firings
    keys = [f.cause.key() for f in firings]
    assert keys == ["lock|zone=a", "lock|zone=b", "fever|zone=b", "fever|zone=c"]
    # Nothing open: all four open.
    assert e.to_open(firings, []) == list(firings)
    # 'lock' open for zone a: a second positive in a opens nothing; b still opens, and the
    # fever rule in b is another cause.
    opened = e.to_open(firings, [e.Cause("lock", (("zone", "a"),))])
    assert [f.cause.key() for f in opened] == ["lock|zone=b", "fever|zone=b", "fever|zone=c"]
    # Stored keys work as well as causes.
    assert e.to_open(firings, ["lock|zone=a", "lock|zone=b", "fever|zone=b", "fever|zone=c"]) == []
    # The same cause twice in one batch opens once.
    assert [f.cause.key() for f in e.to_open([*firings, firings[0]], keys[1:])] == ["lock|zone=a"]


def test_cause_keys_round_trip() -> None:
    for cause in [
        e.Cause("r"),
        e.Cause("r", (("zone", "a"),)),
        e.Cause("region", (("material", "chip"), ("region", "440300"), ("supplier", "sup-sz"))),
    ]:
        assert e.Cause.parse(cause.key()) == cause
    assert e.Cause("region", CHIP_HIT_SORTED).key() == (
        "region|material=chip,region=440300,supplier=sup-sz"
    )


CHIP_HIT_SORTED = tuple(sorted(CHIP_HIT.items()))


# -- determinism -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_order_of_the_record_does_not_change_the_answer(seed: int) -> None:
    plan = plan_of(
        {"id": "any", "when": {"any": [POS, FEVER]}}, {"id": "all", "when": {"all": [POS, AREA]}}
    )
    shuffled = list(SPREAD.positives + MIXED.positives)
    random.Random(seed).shuffle(shuffled)
    fevers = list(MIXED.fevers.items())
    random.Random(seed).shuffle(fevers)
    a = e.RecordSnapshot(
        day=DAY,
        positives=SPREAD.positives + MIXED.positives,
        fevers=MIXED.fevers,
        control_area=True,
    )
    b = e.RecordSnapshot(day=DAY, positives=tuple(shuffled), fevers=dict(fevers), control_area=True)
    assert e.evaluate(plan, a, PLANT) == e.evaluate(plan, b, PLANT)
