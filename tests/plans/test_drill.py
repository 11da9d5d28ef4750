"""The emergency-plan drill: a scenario replayed against a plan on a simulated copy."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.cli import main
from keepline.db import Base
from keepline.outbreak.engine import PCR, Params, Round, Run, Simulation, calibrate_beta, simulate
from keepline.outbreak.policy import to_controls
from keepline.outbreak.population import from_plant
from keepline.outbreak.world import world_from_scenario
from keepline.people.models import Worker
from keepline.plans import schema as s
from keepline.plans.drill import STANDING, NamedPlan, run_drill
from keepline.plans.drill_report import write_drill
from keepline.plans.engine import OrderAtRisk
from keepline.plans.models import DrillRun
from keepline.plans.planfile import load_plan
from keepline.plans.replay import DrillSettings, DrillWorld, day0_orders_at_risk, replay
from keepline.plant import service as plant_service
from keepline.plant.yamlio import parse_yaml
from keepline.scenario import Scenario
from tests.conftest import EXAMPLES
from tests.plans.helpers import ALL_ACTIONS

PLANT = """\
keepline_plant: 1
enterprise: {id: drill, name: Drill Works, region_code: '410100', sector: meters,
             jurisdiction: drill-gov}
horizon_start: 2026-12-01
zones:
  - {id: a, name: Zone A, kind: production, capacity_people: 100}
  - {id: b, name: Zone B, kind: production, capacity_people: 100}
  - {id: c, name: Zone C, kind: warehouse, capacity_people: 20}
shifts:
  - {id: day, start: '08:00', end: '20:00'}
  - {id: night, start: '20:00', end: '08:00'}
teams:
  - {id: t-a1, zone: a, shift: day, headcount: 30, skills: [assembler]}
  - {id: t-a2, zone: a, shift: day, headcount: 30, skills: [assembler]}
  - {id: t-b, zone: b, shift: night, headcount: 30, skills: [assembler]}
lines:
  - {id: line-1, zone: a, crew_per_shift: {assembler: 20}, rates_units_per_day: {meter: 100}}
products:
  - {id: meter, name: Meter, bom: {chip: 1}}
materials:
  - id: chip
    name: Chip
    kind: raw
    unit: pcs
    on_hand: 3000
    supply_options:
      - {supplier: sup-sz, priority: 1, lead_time_days: 5, capacity_per_day: 100, unit_cost: 1}
  - id: mask
    name: Mask
    kind: prevention
    unit: pcs
    on_hand: 2000
    consumption_per_worker_day: 2
    supply_options:
      - {supplier: sup-local, priority: 1, lead_time_days: 1, capacity_per_day: 900, unit_cost: 1}
suppliers:
  - {id: sup-sz, name: Shenzhen chips, region_code: '440300'}
  - {id: sup-local, name: Local medical, region_code: '410100'}
orders:
  - {id: O-1, customer: Water company, product: meter, qty: 1500, due: 2026-12-16,
     priority: livelihood}
"""

DAYS = 16
SEED = 1
PARAMS = Params(r0=3.0, calibration_samples=500)
SCENARIO = Scenario.model_validate(
    {"name": "two imported cases in zone a", "importations": [{"day": 1, "count": 2, "zone": "a"}]}
)


def _plant():
    return parse_yaml(PLANT, "drill.yaml")


def _plan(*rules: dict, version: int = 1) -> s.PlanFile:
    return s.PlanFile.model_validate(
        {
            "id": "drill-plan",
            "enterprise": "drill",
            "version": version,
            "name": "Drill plan",
            "levels": [{"id": "red", "name": "Red", "allows": ALL_ACTIONS}],
            "rules": [{"name": r["id"], "level": "red", **r} for r in rules],
        }
    )


LOCK_A = {
    "id": "lock-a",
    "when": {"kind": "positive_in_zone", "zone": "a", "what": ["case", "positive-pool"]},
    "actions": [{"do": "set_zone_state", "zone": "$zone", "state": "locked", "auto": True}],
}


def _settings(**kw) -> DrillSettings:
    return DrillSettings(days=DAYS, seed=SEED, **kw)


@pytest.fixture(scope="module")
def world() -> DrillWorld:
    """The drill plant under the standing measures (no screening, no quarantine)."""
    plant = _plant()
    pop = from_plant(plant)
    controls = to_controls(STANDING, pop)
    return DrillWorld(plant, SCENARIO, pop, controls, PARAMS, calibrate_beta(pop, PARAMS))


def test_no_plan_is_the_outbreak_engine_with_the_standing_policy(world) -> None:
    pop, controls, beta = world.pop, world.controls, world.beta
    drilled = replay(world, None, _settings(replicates=2))
    w = world_from_scenario(SCENARIO, pop, DAYS)
    run = simulate(pop, controls, w, PARAMS, DAYS, SEED, 2, beta=beta)
    assert run.new_infections.sum() > 2  # the outbreak spreads: a real comparison
    for r in (0, 1):
        for f in Run.FIELDS:
            assert np.array_equal(getattr(drilled[r].run, f)[0], getattr(run, f)[r]), f
        assert drilled[r].activations == []


def test_first_trigger_is_the_first_day_the_record_has_a_positive_in_the_zone(world) -> None:
    pop, beta = world.pop, world.beta
    # screening by pools of 5 every other day, so pools and cases both reach the record
    controls = world.controls
    controls = replace(controls, rounds=(Round(PCR, 2, pool_size=5),))
    # the record worked out here from the simulated events, without the plans engine
    sim = Simulation(
        pop, controls, world_from_scenario(SCENARIO, pop, DAYS), PARAMS, DAYS, SEED, [0], beta
    )
    zone_of = pop.team_zone[pop.agent_team]
    a = pop.zones.index("a")
    first = None
    for t in range(DAYS):
        ev = sim.step()
        assert ev.diagnosed.sum() == sim.result().diagnosed[0, t]  # the events add up
        if first is None and ((zone_of[ev.diagnosed[0]] == a).any() or (ev.pools[1] == a).any()):
            first = t
    assert first is not None and first > 1
    (res,) = replay(replace(world, controls=controls), _plan(LOCK_A), _settings())
    assert res.activations[0].opened_day == first
    assert res.activations[0].cause == "lock-a|zone=a"
    assert res.first_trigger_day == first
    assert res.zone_locked_day == first + 1
    # the lock is in force from the next day: zone a's workers are away
    a_teams = [i for i, t in enumerate(pop.team_ids) if t.startswith("t-a")]
    assert res.run.present[0, first + 1 :, a_teams].sum() == 0
    assert res.run.present[0, first, a_teams].sum() > 0


def test_locking_a_zone_gives_fewer_infections_there_after_the_lock(world) -> None:
    pop = world.pop  # standing measures: no screening, no quarantine; only the lock acts
    settings = _settings(replicates=2)
    none = replay(world, None, settings)
    locked = replay(world, _plan(LOCK_A), settings)
    a = pop.zones.index("a")
    for base, res in zip(none, locked, strict=True):
        d = res.zone_locked_day
        assert d is not None
        before_lock = slice(0, d)
        assert np.array_equal(
            base.infections_by_day_zone[before_lock], res.infections_by_day_zone[before_lock]
        )
        after_none = base.infections_by_day_zone[d:, a].sum()
        after_plan = res.infections_by_day_zone[d:, a].sum()
        assert after_none > 0
        assert after_plan < after_none


def _drill(plans: list[s.PlanFile], seed: int = SEED) -> dict:
    named = [NamedPlan(f"plan-v{p.version}.yaml", p) for p in plans]
    return run_drill(
        _plant(), named, SCENARIO, "scenario.yaml", STANDING, "(standing)",
        DrillSettings(days=DAYS, seed=seed), PARAMS,
    )  # fmt: skip


def test_rules_that_cannot_fire_and_actions_that_never_ran_are_listed() -> None:
    plan = _plan(
        {
            **LOCK_A,
            "actions": [
                *LOCK_A["actions"],
                {"do": "quarantine_contacts", "zone": "$zone"},  # waits for a person
            ],
        },
        {
            "id": "chips-locked",
            "when": {"kind": "region_locked"},
            "actions": [{"do": "switch_to_backup_supplier", "auto": True}],
        },
        {
            "id": "declarations",
            "when": {"kind": "missing_declarations_share", "share_above": 0.9, "by_time": "09:00"},
            "actions": [{"do": "notify", "roles": ["admin"], "message": "x", "auto": True}],
        },
        {
            "id": "in-c",
            "when": {"kind": "positive_in_zone", "zone": "c"},
            "actions": [{"do": "raise_level", "to": "red", "auto": True}],
        },
        {
            "id": "overdue",
            "when": {"kind": "difficulty_overdue"},
            "actions": [{"do": "notify", "roles": ["admin"], "message": "x", "auto": True}],
        },
        {
            "id": "chips-low",  # chip is a raw material: its stock is not simulated
            "when": {
                "all": [
                    {"kind": "days_of_cover_below", "material": "chip", "below_days": 7},
                    {"kind": "positive_in_zone", "zone": "a"},
                ]
            },
            "actions": [{"do": "raise_reorder", "up_to_days_of_cover": 30, "auto": True}],
        },
        {
            "id": "either",  # one member the drill simulates: it can fire
            "when": {
                "any": [{"kind": "difficulty_overdue"}, {"kind": "positive_in_zone", "zone": "a"}]
            },
            "actions": [{"do": "notify", "roles": ["admin"], "message": "x", "auto": True}],
        },
    )
    p = _drill([plan])["plans"][0]
    cannot = {r["rule"]: r["reason"] for r in p["not_simulated"]}
    assert cannot == {
        "overdue": "difficulties raised to the government are not simulated",
        "chips-low": "only prevention materials' stock is simulated (chip is not)",
    }
    # not simulated is not "never fired": these are rules whose condition never held
    never = {r["rule"]: r["reason"] for r in p["never_fired"]}
    assert never == dict.fromkeys(
        ["chips-locked", "declarations", "in-c"], "its condition never held"
    )
    ran_not = {(a["rule"], a["index"]): a["reason"] for a in p["never_ran"]}
    assert ran_not == {
        ("lock-a", 1): "waits for a person to confirm it",
        ("chips-locked", 0): "its rule never fired",
        ("declarations", 0): "its rule never fired",
        ("in-c", 0): "its rule never fired",
        ("overdue", 0): "its rule is not simulated",
        ("chips-low", 0): "its rule is not simulated",
    }


def test_same_seed_same_report_and_two_versions_side_by_side(tmp_path: Path) -> None:
    v1 = _plan(LOCK_A)
    v2 = _plan(
        {**LOCK_A, "actions": [{"do": "notify", "roles": ["admin"], "message": "m", "auto": True}]},
        version=2,
    )
    first = _drill([v1, v2])
    assert [p["version"] for p in first["plans"]] == [1, 2]
    one, two = first["plans"]
    # v2 only notifies: it runs as with no plan; v1 locks zone a
    assert two["summary"]["infections"] == two["summary"]["infections_no_plan"]
    assert two["summary"]["worker_days_lost"] == two["summary"]["worker_days_lost_no_plan"]
    assert one["summary"]["worker_days_lost"] > one["summary"]["worker_days_lost_no_plan"]
    write_drill(first, tmp_path / "a")
    write_drill(_drill([v1, v2]), tmp_path / "b")
    for name in ("drill.json", "report.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert "应急预案演练" in html and "Emergency-plan drill" in html
    assert "http://" not in html and "https://" not in html  # nothing from the internet
    assert _drill([v1, v2], seed=SEED + 1) != first  # the seed matters: a real comparison


PLAN_YAML = """\
id: drill-plan
enterprise: drill
version: 1
name: Drill plan
levels:
  - {id: red, name: Red, allows: [set_zone_state, notify]}
rules:
  - id: lock-a
    name: Lock a zone with a positive
    level: red
    when: {kind: positive_in_zone, zone: any}
    actions:
      - {do: set_zone_state, zone: $zone, state: locked, auto: true}
"""
SCENARIO_YAML = """\
name: two imported cases in zone a
importations:
  - {day: 1, count: 2, zone: a}
"""


def _counts(session: Session) -> dict[str, int]:
    return {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in Base.metadata.sorted_tables
    }


def test_the_drill_never_writes_to_the_database(session: Session, cli, tmp_path: Path) -> None:
    plant_service.load_plant(session, _plant())
    for i in range(25):  # a roster smaller than the plant model: the drill uses it
        session.add(
            Worker(
                enterprise_id="drill", employee_no=f"E{i}", name=f"W{i}", zone_id="a",
                shift_id="day", team_id="t-a1", skills=["assembler"], housing="commuter",
                employment_status="active", updated_at=session.scalar(select(func.now())),
            )
        )  # fmt: skip
    session.commit()
    before = _counts(session)
    assert before["audit_log"] > 0 and before["workers"] == 25
    (tmp_path / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text(SCENARIO_YAML, encoding="utf-8")
    out = tmp_path / "out"
    r = cli(
        f"plans drill drill --plan {tmp_path / 'plan.yaml'} --scenario {tmp_path / 'scenario.yaml'}"
        f" --days 8 -o {out}"
    )
    assert r.code == 0, r
    session.expire_all()
    # the record is untouched: the drill leaves only its own row, and that row's audit entry
    after = _counts(session)
    assert after == {**before, "plan_drills": 1, "audit_log": before["audit_log"] + 1}
    drill = json.loads((out / "drill.json").read_text(encoding="utf-8"))
    assert drill["plant"]["workers"] == 25  # the roster's head count, not the plant model's 90
    assert (out / "report.html").is_file()
    row = session.scalars(select(DrillRun)).one()
    assert "recorded as drill" in r.err and f"drill {row.id}" in r.err
    assert (row.enterprise_id, row.scenario, row.days, row.seed) == (
        "drill", "two imported cases in zone a", 8, 1,
    )  # fmt: skip
    assert row.report == drill and row.plans[0]["id"] == "drill-plan"
    assert row.scores[0]["infections"] == drill["plans"][0]["summary"]["infections"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "plan_drills")).one()
    assert entry.after["scenario"] == "two imported cases in zone a"
    assert "100% drill done" in r.err  # the progress callback, as a background job will use it


def _main(args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``keepline ARGS`` in-process, with no database (the plant is a file)."""
    capsys.readouterr()
    try:
        main(shlex.split(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().err


def test_bad_input_is_one_line_naming_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = tmp_path / "drill.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text(SCENARIO_YAML, encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(PLAN_YAML.replace("zone: any", "zone: zz"), "utf-8")
    base = f"plans drill {plant} --scenario {tmp_path / 'scenario.yaml'} -o {tmp_path / 'o'}"
    code, err = _main(f"{base} --plan {tmp_path / 'plan.yaml'}", capsys)
    assert code != 0
    assert f"{tmp_path / 'plan.yaml'}:11" in err and "unknown zone 'zz'" in err
    (tmp_path / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    code, err = _main(f"{base} --plan {tmp_path / 'plan.yaml'} --task-delay nurse=3", capsys)
    assert code != 0 and "error: --task-delay: expected role=hours" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["xuzhou-qpcr", "zhengzhou-meters"])
def test_the_templates_cover_what_the_guidelines_ask(name: str) -> None:
    # (checked against its plant by tests/plans/test_planfile.py)
    plan = load_plan(EXAMPLES / "plans" / f"{name}.yaml")
    found = [leaf for rule in plan.rules for leaf in s.leaves(rule.when)]
    assert any(isinstance(x, s.PositiveInZone) for x in found)
    assert any(isinstance(x, s.CityRisk) and x.control_area for x in found)
    assert any(isinstance(x, s.RegionLocked) for x in found)
    assert any(
        isinstance(x, s.DaysOfCoverBelow) and x.material_kind == "prevention" and x.below_days == 14
        for x in found
    )
    assert any(isinstance(x, s.MissingDeclarationsShare) for x in found)


def test_actions_waiting_for_a_person_run_when_the_drill_confirms_them(world) -> None:
    rule = {
        "id": "trace",
        "when": {"kind": "positive_in_zone", "zone": "a"},
        "actions": [{"do": "quarantine_contacts", "contacts_by": ["team"], "quarantine_days": 5}],
    }
    (waits,) = replay(world, _plan(rule), _settings())
    assert waits.activations[0].actions[0].ran_day is None
    assert waits.run.quarantined.sum() == 0
    settings = _settings(confirm_after_hours=30.0)  # the next day but one
    (done,) = replay(world, _plan(rule), settings)
    opened = done.activations[0].opened_day
    assert done.activations[0].actions[0].ran_day == opened + 2
    # the case's team (30 workers, the case isolated) quarantined from the day after the
    # action, for five days: exactly the workers missing against the run that waits
    q = done.run.quarantined[0]
    first = opened + 3
    assert q[:first].sum() == 0 and q[first + 5 :].sum() == 0
    assert 0 < q[first] < 30
    missing = waits.run.present[0, first].sum() - done.run.present[0, first].sum()
    assert missing == q[first]


def test_a_replan_after_a_lock_sees_the_order_late_and_its_rule_fires(world) -> None:
    plan = _plan(
        {**LOCK_A, "actions": [*LOCK_A["actions"], {"do": "replan", "auto": True}]},
        {
            "id": "late",
            "when": {"kind": "critical_order_at_risk", "priorities": ["livelihood"]},
            "actions": [{"do": "notify", "roles": ["planner"], "message": "{order}", "auto": True}],
        },
    )
    (res,) = replay(world, plan, _settings())
    lock = res.activations[0]
    # line-1 (zone a) makes at most 100 meters a day; locked from the day after the
    # firing, it makes at most 100 x (opened + 1) by the due day 15 - short of 1,500
    assert 100 * (lock.opened_day + 1) < 1500
    assert lock.actions[1].effect == "re-planned: 1 critical order late"
    late = [a for a in res.activations if a.rule == "late"]
    assert late and late[0].opened_day == lock.opened_day + 1
    assert late[0].cause == "late|order=O-1"


# -- what the replay simulates for each trigger, worked by hand -----------------------

QUIET = Scenario.model_validate({"name": "no infection"})


def _quiet_world(plant_text: str, scenario: Scenario = QUIET) -> DrillWorld:
    plant = parse_yaml(plant_text, "drill.yaml")
    pop = from_plant(plant)
    controls = to_controls(STANDING, pop)
    return DrillWorld(plant, scenario, pop, controls, PARAMS, calibrate_beta(pop, PARAMS))


COVER = {
    "id": "masks-low",
    "when": {"kind": "days_of_cover_below", "material_kind": "prevention", "below_days": 14},
    "actions": [
        {"do": "raise_reorder", "material": "$material", "up_to_days_of_cover": 30, "auto": True}
    ],
}


def test_masks_fall_by_daily_use_and_a_locked_region_holds_the_reorder_back() -> None:
    # 4,000 masks, 2 a worker-day, 90 workers at work every day (nobody infected): 180 a
    # day. Stock at the end of day t is 4,000 - 180 (t + 1); cover = stock / 180.
    # Day 7: 2,560 / 180 = 14.2; day 8: 2,380 / 180 = 13.2 < 14 -> the rule fires on day 8.
    # Reorder up to 30 days: 30 x 180 - 2,380 = 3,020 masks, ordered from sup-local
    # (lead time 1 day) - in region 410200, here locked on days 5-12 (8 days): dispatched
    # on day 13, the first day it is open, and in on day 14. Without the lock: dispatched
    # day 9, in on day 10.
    plant = PLANT.replace("on_hand: 2000", "on_hand: 4000").replace(
        "region_code: '410100'}", "region_code: '410200'}"
    )
    lock = Scenario.model_validate(
        {
            "name": "mask maker's city locked",
            "disruptions": [{"kind": "region", "id": "410200", "start_day": 5, "days": 8}],
        }
    )
    for scenario, arrives in ((QUIET, 10), (lock, 14)):
        world = _quiet_world(plant, scenario)
        (res,) = replay(world, _plan(COVER), _settings())
        assert res.run.present[0].sum(axis=1).tolist() == [90] * DAYS
        [act] = res.activations
        assert (act.opened_day, act.cause) == (8, "masks-low|material=mask")
        assert act.reasons == ("mask: 13.2 days of cover, below 14",)
        assert (
            act.actions[0].effect == f"3,020 of mask ordered from sup-local, arriving day {arrives}"
        )
        stock = res.stock["mask"]
        assert stock[:arrives] == [4000 - 180 * (t + 1) for t in range(arrives)]
        assert stock[arrives] == 4000 - 180 * (arrives + 1) + 3020


def test_quarantined_workers_do_not_declare_and_the_declarations_rule_fires(world) -> None:
    plan = _plan(
        {
            "id": "trace",
            "when": {"kind": "positive_in_zone", "zone": "a"},
            "actions": [
                {
                    "do": "quarantine_contacts",
                    "contacts_by": ["team"],
                    "quarantine_days": 5,
                    "auto": True,
                },
            ],
        },
        {
            "id": "missing",
            "when": {"kind": "missing_declarations_share", "share_above": 0.2, "by_time": "09:00"},
            "actions": [{"do": "notify", "roles": ["admin"], "message": "m", "auto": True}],
        },
    )
    (res,) = replay(world, plan, _settings())
    trace = next(a for a in res.activations if a.rule == "trace")
    missing = next(a for a in res.activations if a.rule == "missing")
    # the case's team of 30 is quarantined from the day after the firing: with the
    # isolated, more than a fifth of the 90 workers do not declare that day - and on no
    # day before (the run's own counts of isolated and quarantined workers)
    t = trace.opened_day + 1
    away = res.run.isolated[0] + res.run.quarantined[0]
    assert res.run.quarantined[0, t] >= 29 and away[t] > 0.2 * 90
    assert (away[:t] <= 0.2 * 90).all()
    assert missing.opened_day == t
    share = away[t] / 90
    assert missing.reasons == (
        f"{away[t]} of 90 declarations ({share:.1%}) missing at 09:00, above 20.0%",
    )


def test_a_round_in_place_samples_a_locked_zone_and_one_on_site_finds_nobody(world) -> None:
    def screened(in_place: bool) -> tuple[int, int]:
        rule = {
            **LOCK_A,
            "actions": [
                *LOCK_A["actions"],
                {"do": "create_screening_rounds", "zone": "$zone", "pool_size": 1,
                 "in_place": in_place, "auto": True},
            ],
        }  # fmt: skip
        (res,) = replay(world, _plan(rule), _settings())
        day = res.activations[0].opened_day + 1  # the lock and the round, from the next day
        return int(res.run.samples[0, day]), int(res.run.isolated[0, day])

    on_site, _ = screened(False)
    in_place, isolated = screened(True)
    assert on_site == 0  # zone a is locked: none of its 60 workers is at work
    # in place: zone a's 60 workers less those isolated (all isolated workers are of
    # zone a here: the infections are imported there and it is locked the next day)
    assert 0 < in_place <= 60 and in_place >= 60 - isolated


def test_the_plants_day0_plan_feeds_critical_order_at_risk() -> None:
    # O-1 needs 1,500 meters by day 15; line-1 makes 100 a day, but only 1,000 chips are
    # in stock and the one chip supplier (Shenzhen, lead time 5 days) is locked from day
    # 0 to the end: at most 1,000 meters ship, so the day-0 plan has O-1 late.
    plant_text = PLANT.replace("on_hand: 3000", "on_hand: 1000")
    lock = Scenario.model_validate(
        {
            "name": "chips locked",
            "disruptions": [{"kind": "region", "id": "440300", "start_day": 0, "days": 60}],
        }
    )
    plant = parse_yaml(plant_text, "drill.yaml")
    world = replace(
        _quiet_world(plant_text, lock), orders_at_risk=day0_orders_at_risk(plant, lock, DAYS)
    )
    assert world.orders_at_risk == (OrderAtRisk("O-1", "livelihood"),)
    late = {
        "id": "late",
        "when": {"kind": "critical_order_at_risk"},
        "actions": [{"do": "create_task", "role": "planner", "deadline": "1d",
                     "text": "recover {order}", "auto": True}],
    }  # fmt: skip
    (res,) = replay(world, _plan(late), _settings())
    act, again = res.activations[:2]
    assert (act.opened_day, act.cause) == (0, "late|order=O-1")
    # the task is made by itself, done after the planner's 24 h: the activation closes
    # on day 1, and opens again that day (the order is still late in the latest plan)
    assert act.tasks[0]["done_day"] == 1 and act.closed_day == 1
    assert (again.opened_day, again.cause) == (1, "late|order=O-1")


def test_a_task_exists_once_its_action_ran(world) -> None:
    rule = {
        "id": "disinfect",
        "when": {"kind": "positive_in_zone", "zone": "a"},
        "actions": [
            {"do": "create_task", "role": "health_officer", "deadline": "4h", "text": "{zone}"}
        ],
    }
    # waiting for a person and never confirmed: no task, so the activation stays open
    (waits,) = replay(world, _plan(rule), _settings())
    [act] = waits.activations
    assert act.tasks == [] and act.closed_day is None
    # confirmed 30 h later: made on the day after next (ceil(30 / 24) = 2 days), done
    # 4 h later - counted as the next day - and the activation closes then
    (done,) = replay(world, _plan(rule), _settings(confirm_after_hours=30.0))
    act = done.activations[0]
    opened = act.opened_day
    assert act.actions[0].ran_day == opened + 2
    assert [t["done_day"] for t in act.tasks] == [opened + 3]
    assert act.closed_day == opened + 3
