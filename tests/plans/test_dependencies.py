"""Dependency-driven evaluation after a write: each route evaluates only the rules whose
triggers read what it changed, and that opens exactly what a full evaluation would.

On the two-tenant world (Xuzhou, 40 workers) with a plan over every kind of trigger the
routes feed, a sequence of writes goes through the API (each route evaluates after its
write). After each one, a full evaluation of every rule, in a transaction rolled back,
must find nothing more to open: what the write's evaluation skipped would not have fired.
It can fail: a case declared as a stock movement leaves its rule for the full evaluation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import sessionmaker

from keepline import clock, db
from keepline.containment import cases
from keepline.containment.schemas import CaseIn
from keepline.health import service as health
from keepline.health.schemas import DeclarationIn
from keepline.materials.service import on_hand
from keepline.people.models import Worker
from keepline.plans import activations, city, runs, versions
from keepline.plans.engine import Fact, declared
from keepline.plans.models import ActivationState
from keepline.plans.schema import TriggerKind
from keepline.plans.schemas import CityStatusIn, PlanVersionIn
from keepline.scope import EnterpriseScope
from keepline.server_cli import evaluate_plans
from tests.worlds import A, World

SCOPE = EnterpriseScope(A, "test")

PLAN = """\
keepline_plan: 1
id: deps
enterprise: xuzhou-qpcr
version: 1
name: Every trigger the routes feed
levels:
  - id: red
    name: Red
    allows: [notify, create_task, raise_level, set_zone_state, replan, raise_reorder,
             switch_to_backup_supplier]
rules:
  - id: positive
    name: A positive in a zone
    level: red
    when: {kind: positive_in_zone, zone: any, what: [case, positive-pool]}
    actions:
      - {do: set_zone_state, zone: $zone, state: locked, auto: true, reason: "positive {zone}"}
      - {do: create_task, role: health_officer, deadline: 4h, text: "Disinfect {zone}"}
  - id: fever
    name: Fever in a zone
    level: red
    when: {kind: fever_in_zone, zone: any, at_least_workers: 1}
    actions:
      - {do: notify, roles: [health_officer], auto: true, message: "fever in {zone}"}
  - id: fever-and-case
    name: Fever and a positive in the same zone
    level: red
    when:
      all:
        - {kind: fever_in_zone, zone: any, at_least_workers: 1}
        - {kind: positive_in_zone, zone: any, what: [case]}
    actions:
      - {do: raise_level, to: red, auto: true}
  - id: missing
    name: Declarations missing at 09:00
    level: red
    when: {kind: missing_declarations_share, share_above: 0.5, by_time: '09:00'}
    actions:
      - {do: notify, roles: [health_officer], auto: true, message: "declarations missing"}
  - id: masks
    name: Masks below 14 days of cover
    level: red
    when: {kind: days_of_cover_below, material: mask-kn95, below_days: 14}
    actions:
      - {do: notify, roles: [storekeeper], auto: true, message: "{material} low"}
  - id: region
    name: A primary supplier's region locked
    level: red
    when: {kind: region_locked, region: any}
    actions:
      - {do: notify, roles: [storekeeper], auto: true, message: "{region} locked"}
  - id: city
    name: A control area, and the plan re-planned at once
    level: red
    when: {kind: city_risk, control_area: true}
    actions:
      - {do: replan, auto: true}
  - id: late
    name: A front-line order late
    level: red
    when: {kind: critical_order_at_risk, priorities: [front-line]}
    actions:
      - {do: notify, roles: [planner], auto: true, message: "{order} late"}
"""


def full_evaluation_would_open(url: str) -> list[str]:
    """What a full evaluation of every rule would open now (rolled back)."""
    s = sessionmaker(bind=db.get_engine(url))()
    if url.startswith("sqlite"):
        # pysqlite opens a transaction only before a change: a savepoint first (as the
        # evaluation's) would be committed on release. Open it by hand to roll back.
        s.connection().exec_driver_sql("BEGIN")
    try:
        return [a.cause_key for a in activations.evaluate(s, SCOPE, clock.today()).opened]
    finally:
        s.rollback()
        s.close()


def open_rules(url: str) -> set[str]:
    with db.session_scope(url) as s:
        return {a.rule_id for a in runs.list_activations(s, SCOPE, ActivationState.open)}


@pytest.fixture
def noon(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Noon in the plant today: past the plan's 09:00 for declarations."""
    at = dt.datetime.combine(clock.today(), dt.time(12), tzinfo=clock.plant_tz())
    monkeypatch.setattr(clock, "now", lambda: at.astimezone(dt.UTC))
    return at


def test_each_write_opens_what_a_full_evaluation_would(world: World, noon: dt.datetime) -> None:
    today = clock.today().isoformat()
    r = world.post("/emergency-plans", json={"yaml": PLAN})
    assert r.status_code == 200 and r.json()["created"], r.text
    # What no write reports (nobody has declared by 09:00) is the full evaluation's.
    assert full_evaluation_would_open(world.url) == ["missing"]
    assert evaluate_plans(world.url) == 1  # the server's periodic run (keepline serve)
    assert open_rules(world.url) == {"missing"}
    with db.session_scope(world.url) as s:
        masks = on_hand(s, SCOPE, "mask-kn95", clock.today())
    nos = [f"XQ{n:05d}" for n in range(1, 6)]
    ho = "A:health_officer"
    writes = [
        # (what the write does, the request, the rules it should open)
        (
            "a declaration",
            ("/declarations", ho, {"employee_no": nos[0], "day": today, "temperature_c": 36.5}),
            set(),
        ),
        (
            "a declaration with fever",
            ("/declarations", ho, {"employee_no": nos[1], "day": today, "temperature_c": 38.6}),
            {"fever"},
        ),
        (
            "a case where the fever is",
            ("/cases", ho, {"employee_no": nos[1], "confirmed_on": today}),
            {"positive", "fever-and-case"},
        ),
        (
            "the worker with fever cleared: one more on site uses masks",
            (f"/workers/{nos[1]}/clearance", ho, {"reason": "fever was a cold"}),
            set(),
        ),
        (
            "masks issued down to a day's use",
            (
                "/stock/movements",
                "A:storekeeper",
                {
                    "material_id": "mask-kn95",
                    "kind": "issue",
                    "day": today,
                    "qty": masks - 50,
                    "unit": "pcs",
                },
            ),
            {"masks"},
        ),
        (
            "the primary supplier of the thermal modules locked down",
            (
                "/statuses",
                "A:admin",
                {"kind": "region", "node_id": "320500", "state": "locked-down", "start": today},
            ),
            {"region"},
        ),
        (
            "a control area: the plan re-plans, then finds its orders late",
            ("/city-status", "A:admin", {"day": today, "control_area": True}),
            {"city", "late"},
        ),
    ]
    for what, (path, who, body), expected in writes:
        before = open_rules(world.url)
        r = world.post(path, who=who, json=body)
        assert r.status_code in (200, 201), (what, r.text)
        assert open_rules(world.url) - before == expected, what
        assert full_evaluation_would_open(world.url) == [], what


@pytest.fixture
def loaded(world: World, noon: dt.datetime) -> str:
    """The plan loaded and evaluated in full once (declarations missing: opened)."""
    with db.session_scope(world.url) as s:
        versions.load_version(s, SCOPE, PlanVersionIn(yaml=PLAN, filename="deps.yaml"))
        assert [a.rule_id for a in activations.evaluate(s, SCOPE, clock.today()).opened] == [
            "missing"
        ]
    return world.url


def test_a_declaration_reads_neither_stock_nor_cases(loaded: str, noon: dt.datetime) -> None:
    day = clock.today()
    with db.session_scope(loaded) as s:
        r = health.save_declarations(
            s, SCOPE, [(1, DeclarationIn(employee_no="XQ00001", day=day, temperature_c=36.5))]
        )
        out = activations.after_write(s, SCOPE, day, declared(r.flagged))
    # The rule of fever and a case together is read whole: the positives with it.
    assert out.triggers == {
        TriggerKind.missing_declarations_share,
        TriggerKind.fever_in_zone,
        TriggerKind.positive_in_zone,
    }
    assert {rule for _, rule in out.rules} == {"fever", "fever-and-case", "missing"}
    # A fever stops its worker: fewer on site use fewer masks, so the cover is read again.
    with db.session_scope(loaded) as s:
        body = DeclarationIn(employee_no="XQ00002", day=day, temperature_c=38.5)
        r = health.save_declarations(s, SCOPE, [(1, body)])
        out = activations.after_write(s, SCOPE, day, declared(r.flagged))
    assert TriggerKind.days_of_cover_below in out.triggers
    assert TriggerKind.region_locked not in out.triggers
    # A stock movement reads days of cover only; a full evaluation reads every trigger.
    with db.session_scope(loaded) as s:
        out = activations.after_write(s, SCOPE, day, {Fact.stock})
        assert out.triggers == {TriggerKind.days_of_cover_below}
        assert out.rules == [("deps", "masks")]
        every = set(TriggerKind) - {TriggerKind.positives_within, TriggerKind.difficulty_overdue}
        assert activations.evaluate(s, SCOPE, day).triggers == every  # all the plan has


def test_a_write_that_misstates_what_it_changed_is_caught(loaded: str, noon: dt.datetime) -> None:
    """The check above can fail: a case evaluated as if it were a stock movement leaves
    the positive's rule unopened, and the full evaluation finds it."""
    with db.session_scope(loaded) as s:
        body = CaseIn(employee_no="XQ00003", confirmed_on=clock.today())
        cases.open_case(s, SCOPE, body)
        activations.after_write(s, SCOPE, clock.today(), {Fact.stock})
    assert full_evaluation_would_open(loaded) == [
        f"positive|zone={zone_of(loaded, 'XQ00003')}",
    ]


def zone_of(url: str, no: str) -> str:
    with db.session_scope(url) as s:
        w = s.get(Worker, (A, no))
        assert w is not None
        return w.zone_id


def test_a_confirmed_replan_evaluates_the_rules_reading_the_plan(
    world: World, noon: dt.datetime
) -> None:
    """A person confirming a re-plan changes the production plan: the order rule is
    evaluated at once, not at the next full evaluation."""
    text = PLAN.replace("{do: replan, auto: true}", "{do: replan}")
    day = clock.today()
    with db.session_scope(world.url) as s:
        versions.load_version(s, SCOPE, PlanVersionIn(yaml=text, filename="deps.yaml"))
        activations.evaluate(s, SCOPE, day)
        city.set_status(s, SCOPE, CityStatusIn(day=day, control_area=True))
        [act] = activations.after_write(s, SCOPE, day, {Fact.city}).opened
        assert act.rule_id == "city"
    assert "late" not in open_rules(world.url)
    with db.session_scope(world.url) as s:
        assert activations.confirm(s, SCOPE, act.id, 0).state == "done"
    assert "late" in open_rules(world.url)
    assert full_evaluation_would_open(world.url) == []


def test_serve_evaluates_the_plans_periodically(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("serve --help")
    assert out.code == 0 and "--evaluate-every" in out.out, out
