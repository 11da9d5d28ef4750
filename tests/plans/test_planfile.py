"""Reading plan files: the reference plans load; every kind of bad input is one line
naming the file, the line and the field; every problem is reported; rules that loop are
refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepline.errors import InputError
from keepline.plans import schema as s
from keepline.plans.planfile import MAX_PROBLEMS, load_plan, parse_plan
from keepline.plant.yamlio import load_yaml
from tests.conftest import EXAMPLES, XUZHOU, ZHENGZHOU
from tests.plans.helpers import tiny_plant

BASE = (Path(__file__).parent / "data" / "base-plan.yaml").read_text()
PLANT = tiny_plant()
PLANS = EXAMPLES / "plans"


def problems(text: str, plant=PLANT) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        parse_plan(text, "p.yaml", plant)
    # one line per problem, every problem shown (up to InputError.MAX_SHOWN)
    assert all("\n" not in p for p in exc.value.problems)
    shown = exc.value.problems[: InputError.MAX_SHOWN]
    assert str(exc.value).splitlines()[: len(shown)] == shown
    return exc.value.problems


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_base_plan_is_valid() -> None:
    plan = parse_plan(BASE, "p.yaml", PLANT)
    assert [r.id for r in plan.rules] == ["positive", "missing", "cover"]
    task = plan.rules[0].actions[2]
    assert isinstance(task, s.CreateTask) and task.deadline.total_seconds() == 4 * 3600


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # unknown zone, shift, material, supplier, lane, region, role, level
        (
            "zone: a, within",
            "zone: z, within",
            "p.yaml:17 rules[0].when.zone: unknown zone 'z' (known: a, b, c)",
        ),
        (
            "zone: b, shifts",
            "zone: q, shifts",
            "p.yaml:20 rules[0].actions[1].zone: unknown zone 'q'",
        ),
        (
            "[day]",
            "[evening]",
            "p.yaml:20 rules[0].actions[1].shifts[0]: unknown shift 'evening' (known: day, night)",
        ),
        (
            "material: chip, below",
            "material: chips, below",
            "p.yaml:33 rules[2].when.all[0].material: unknown material 'chips'",
        ),
        (
            "{kind: days_of_cover_below, material: chip, below_days: 7}",
            "{kind: region_locked, supplier: sup-zz}",
            "p.yaml:33 rules[2].when.all[0].supplier: unknown supplier 'sup-zz'",
        ),
        (
            "{kind: days_of_cover_below, material: chip, below_days: 7}",
            "{kind: region_locked, supplier: sup-xa}",
            "p.yaml:33 rules[2].when.all[0].supplier: supplier 'sup-xa' is no material's"
            " primary supplier",
        ),
        (
            "{kind: days_of_cover_below, material: chip, below_days: 7}",
            "{kind: region_locked, lane: lane-zz}",
            "p.yaml:33 rules[2].when.all[0].lane: unknown lane 'lane-zz'",
        ),
        (
            "{kind: days_of_cover_below, material: chip, below_days: 7}",
            "{kind: region_locked, region: '999999'}",
            "p.yaml:33 rules[2].when.all[0].region: no supplier or lane is in region '999999'",
        ),
        (
            "role: health_officer",
            "role: nurse",
            "p.yaml:21 rules[0].actions[2].role: unknown role 'nurse' (known: admin,"
            " health_officer",
        ),
        (
            "roles: [health_officer]",
            "roles: [hr]",
            "p.yaml:27 rules[1].actions[0].roles[0]: unknown role 'hr'",
        ),
        (
            "level: blue",
            "level: green",
            "p.yaml:24 rules[1].level: unknown level 'green' (known: blue, red)",
        ),
        (
            "enterprise: tiny",
            "enterprise: other",
            "p.yaml:3 enterprise: the plan is for 'other' but the plant is 'tiny'",
        ),
        # thresholds with the wrong unit
        (
            "within_days: 1}",
            "within_hours: 24}",
            "p.yaml:17 rules[0].when.within_hours: wrong unit: this field is in days: write"
            " within_days",
        ),
        (
            "share_above: 0.1",
            "share_above: 10",
            "p.yaml:25 rules[1].when.share_above: wrong unit: a share is a fraction between 0"
            " and 1, not a percentage (got 10; write 0.1)",
        ),
        (
            "share_above: 0.1",
            "share_above: 10%",
            "p.yaml:25 rules[1].when.share_above: wrong unit: a share is a fraction between 0"
            " and 1, not a percentage (got '10%'; write 0.1)",
        ),
        (
            "below_days: 7}",
            "below_days: 7d}",
            "p.yaml:33 rules[2].when.all[0].below_days: wrong unit: write a plain number of"
            " days, without 'd' (got '7d')",
        ),
        (
            "within_days: 3}",
            "within_days: 2w}",
            "p.yaml:34 rules[2].when.all[1].within_days: wrong unit: write a plain number of"
            " days, without 'w'",
        ),
        (
            "deadline: 4h",
            "deadline: 4",
            "p.yaml:21 rules[0].actions[2].deadline: a duration needs a unit: write '4h'",
        ),
        (
            "deadline: 4h",
            "deadline: 4 hours",
            "p.yaml:21 rules[0].actions[2].deadline: expected a duration as '4h'",
        ),
        (
            "deadline: 4h",
            "deadline_hours: 4",
            "p.yaml:21 rules[0].actions[2].deadline_hours: wrong unit: the deadline is a duration",
        ),
        (
            "by_time: '09:00'",
            "by_time: 9",
            "p.yaml:25 rules[1].when.by_time: expected a time of day as 'HH:MM'",
        ),
        (
            "pool_size: 10",
            "pool_size: 7",
            "p.yaml:20 rules[0].actions[1].pool_size: input should be 1, 5, 10 or 20",
        ),
        # what the level allows
        (
            '{do: notify, roles: [health_officer], message: "Declarations missing on {day}"}',
            "{do: replan}",
            "p.yaml:27 rules[1].actions[0].do: action 'replan' is not allowed at level 'blue'"
            " (it allows: notify, create_task, raise_level)",
        ),
        (
            "{do: switch_to_backup_supplier, material: chip}",
            "{do: raise_level, to: blue}",
            "p.yaml:36 rules[2].actions[0].to: level 'blue' is below this rule's level 'red'",
        ),
        # what the trigger carries
        (
            "{do: switch_to_backup_supplier, material: chip}",
            "{do: set_zone_state, state: locked}",
            "p.yaml:36 rules[2].actions[0].zone: '$zone' names the zone that fired, but this"
            " rule's trigger carries material: name a zone",
        ),
        (
            "missing on {day}",
            "missing in {zone}",
            "p.yaml:27 rules[1].actions[0].message: {zone} is not carried by this rule's"
            " trigger (it carries nothing)",
        ),
        (
            "missing on {day}",
            "missing on {floor}",
            "p.yaml:27 rules[1].actions[0].message: unknown field {floor} in text",
        ),
        (
            "material: chip}",
            "material: swab}",
            "p.yaml:36 rules[2].actions[0].material: material 'swab' has no backup supply option",
        ),
        # shape
        (
            "kind: positive_in_zone",
            "kind: positive_somewhere",
            "p.yaml:17 rules[0].when.kind: unknown trigger kind 'positive_somewhere' (known:"
            " positive_in_zone",
        ),
        (
            "{kind: positive_in_zone, zone: a, within_days: 1}",
            "{zone: a}",
            "p.yaml:17 rules[0].when: a trigger needs 'kind:'",
        ),
        (
            "do: notify",
            "do: email",
            "p.yaml:27 rules[1].actions[0].do: unknown action 'email' (known: set_zone_state",
        ),
        (
            "id: cover",
            "id: missing",
            "p.yaml:28 rules[2].id: duplicate id 'missing' (first at rules[1])",
        ),
        (
            "name: Chips low\n",
            "name: Chips low\n    colour: red\n",
            "p.yaml:30 rules[2].colour: unknown field",
        ),
        ("version: 1\n", "", "p.yaml:1 version: required field is missing"),
        (
            "{do: switch_to_backup_supplier, material: chip}",
            "{do: raise_reorder, material: chip, up_to_weeks_of_cover: 4}",
            "p.yaml:36 rules[2].actions[0].up_to_weeks_of_cover: wrong unit: this field is in "
            "days: write up_to_days_of_cover",
        ),
        (
            "{kind: missing_declarations_share, share_above: 0.1, by_time: '09:00'}",
            "{any: [{kind: fever_in_zone}], all: [{kind: fever_in_zone}]}",
            "p.yaml:25 rules[1].when: give all or any, not both",
        ),
        (
            "{kind: missing_declarations_share, share_above: 0.1, by_time: '09:00'}",
            "{all: [{any: [{kind: fever_in_zone, zonez: x}]}], zone: b}",
            "p.yaml:25 rules[1].when.zone: unknown field",
        ),
        (
            "{kind: missing_declarations_share, share_above: 0.1, by_time: '09:00'}",
            "{all: [{any: [{kind: fever_in_zone, zonez: x}]}]}",
            "p.yaml:25 rules[1].when.all[0].any[0].zonez: unknown field",
        ),
        (
            # a round on site of the zone the rule has just locked finds nobody
            "zone: b, shifts: [day], pool_size: 10",
            "zone: $zone, pool_size: 10",
            "p.yaml:20 rules[0].actions[1].in_place: screens zone '$zone', which action 0 of "
            "this rule locked: its workers may not work, so a round on site finds nobody",
        ),
        (
            "{kind: days_of_cover_below, material: chip, below_days: 7}",
            "{kind: city_risk}",
            "p.yaml:33 rules[2].when.all[0]: give risk_level_at_least or control_area: true",
        ),
    ],
)
def test_bad_input_is_one_line_naming_file_line_and_field(
    old: str, new: str, expected: str
) -> None:
    found = problems(edit(old, new))
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "p.yaml:1: the plan file is empty"),
        ("id: [unclosed\n", "p.yaml:2: not valid YAML"),
        ("id: p\nid: q\n", "p.yaml:2 id: duplicate key 'id'"),
        ("- a\n- b\n", "p.yaml:1: expected a mapping of plan keys at the top"),
    ],
)
def test_bad_files(text: str, expected: str) -> None:
    assert problems(text)[0].startswith(expected)


def test_every_problem_is_reported_in_file_order() -> None:
    text = edit("zone: a, within", "zone: z, within")
    text = edit("role: health_officer", "role: nurse", text)
    text = edit("level: blue", "level: green", text)
    found = problems(text)
    assert [p.split(" ")[0] for p in found] == ["p.yaml:17", "p.yaml:21", "p.yaml:24"]
    assert len(found) == 3
    # and pydantic's problems all at once too
    text = edit("share_above: 0.1", "share_above: 10")
    text = edit("deadline: 4h", "deadline: 4", text)
    assert [p.split(" ")[0] for p in problems(text)] == ["p.yaml:21", "p.yaml:25"]


def test_problems_are_listed_up_to_a_limit() -> None:
    rule = (
        "  - {id: r%d, name: R, level: red, when: {kind: fever_in_zone, zone: nowhere}, "
        "actions: [{do: replan}]}\n"
    )
    text = BASE + "".join(rule % i for i in range(MAX_PROBLEMS + 50))
    found = problems(text)
    assert len(found) == MAX_PROBLEMS
    # the message lists the first 20, then counts the other 130 (100 kept + 50 not kept)
    with pytest.raises(InputError, match=r"\n… and 130 more problems not shown$"):
        parse_plan(text, "p.yaml", PLANT)


def test_without_a_plant_only_the_plan_itself_is_checked() -> None:
    plan = parse_plan(edit("zone: a, within", "zone: z, within"), "p.yaml")
    assert plan.rules[0].when.zone == "z"  # type: ignore[union-attr]
    assert problems(edit("level: blue", "level: green"), plant=None)[0].startswith("p.yaml:24")


# -- loops --------------------------------------------------------------------------------

LOOP = """\
keepline_plan: 1
id: p
enterprise: tiny
version: 1
name: Loop
levels:
  - {id: red, name: Red, allows: [replan, create_screening_rounds, notify, raise_reorder]}
rules:
  - id: swabs-low
    name: Swabs low
    level: red
    when: {kind: days_of_cover_below, material: swab, below_days: 7}
    actions:
      - {do: notify, roles: [admin], message: "{material} low"}
      - {do: replan}
  - id: order-late
    name: Order late
    level: red
    when: {kind: critical_order_at_risk}
    actions:
      - {do: create_screening_rounds, zone: a}
"""


def test_two_rules_that_loop_are_refused_with_both_lines() -> None:
    # swabs-low re-plans -> a new plan can make an order late -> order-late screens zone a
    # -> samples use swabs -> swabs-low again.
    found = problems(LOOP)
    assert found == [
        "p.yaml:15 rules[0].actions[1].do: rules loop: rule 'swabs-low' (p.yaml:9) replan "
        "(a new plan sets which orders are late and how fast bill-of-materials materials "
        "are used) can make critical_order_at_risk of rule 'order-late' (p.yaml:16) hold; "
        "rule 'order-late' (p.yaml:16) create_screening_rounds (each sample uses swabs and "
        "sampling tubes (materials used per test)) can make days_of_cover_below of rule "
        "'swabs-low' (p.yaml:9) hold"
    ]


def test_a_rule_that_triggers_itself_is_refused() -> None:
    text = LOOP.replace("{do: create_screening_rounds, zone: a}", "{do: replan}")
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(
        "p.yaml:21 rules[1].actions[0].do: rules can trigger itself: rule 'order-late' "
        "(p.yaml:16) replan"
    )


def test_what_an_action_does_not_touch_is_no_loop() -> None:
    # Screening uses swabs, not chips; a re-plan changes the use of chips (in the bill of
    # materials), not of swabs; raising a reorder can only raise the cover.
    text = LOOP.replace("material: swab", "material: chip")
    text = text.replace("{do: replan}", "{do: raise_reorder, up_to_days_of_cover: 30}")
    assert parse_plan(text, "p.yaml", PLANT).rules[0].id == "swabs-low"
    assert parse_plan(LOOP.replace("material: swab", "material: mask"), "p.yaml", PLANT)
    # Without a plant every days-of-cover trigger counts: the loop is found.
    assert problems(LOOP.replace("material: swab", "material: mask"), plant=None)


# -- the reference plans --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "plant"), [("xuzhou-qpcr", XUZHOU), ("zhengzhou-meters", ZHENGZHOU)]
)
def test_the_reference_plans_are_valid_for_their_plants(plan: str, plant: Path) -> None:
    loaded = load_plan(PLANS / f"{plan}.yaml", load_yaml(plant))
    assert loaded.enterprise == plan
    kinds = {leaf.kind for r in loaded.rules for leaf in s.leaves(r.when)}
    assert {
        "positive_in_zone",
        "city_risk",
        "region_locked",
        "days_of_cover_below",
        "missing_declarations_share",
    } <= kinds
    cover = [
        leaf
        for r in loaded.rules
        for leaf in s.leaves(r.when)
        if isinstance(leaf, s.DaysOfCoverBelow)
    ]
    assert any(c.material_kind == "prevention" and c.below_days == 14 for c in cover)


@pytest.mark.parametrize(
    ("plan", "plant"), [("xuzhou-qpcr", ZHENGZHOU), ("zhengzhou-meters", XUZHOU)]
)
def test_a_reference_plan_does_not_fit_the_other_plant(plan: str, plant: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_plan(PLANS / f"{plan}.yaml", load_yaml(plant))
    line = (PLANS / f"{plan}.yaml").read_text().splitlines().index(f"enterprise: {plan}") + 1
    assert exc.value.problems[0].startswith(f"{PLANS / plan}.yaml:{line} enterprise: the plan is")
