"""Activations on the database: a positive pool in zone asm opens one activation whose
automatic actions run through the services (the zone is really locked, audited under the
plan's name), not again while it is open, again after it closes; actions that wait run
only when confirmed; a failing action keeps the others; tasks overdue by the clock;
stand-down; the government's daily report counts them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit.models import AuditEntry
from keepline.containment import cases, zone_states
from keepline.containment.models import Restriction
from keepline.containment.schemas import CaseIn
from keepline.errors import InputError
from keepline.government import daily_report
from keepline.plans import activations, outbox, runs, versions
from keepline.plans.models import Activation, OutboxMessage, Task
from keepline.plans.schemas import PlanVersionIn
from keepline.scope import EnterpriseScope, Role
from keepline.screening import rounds
from keepline.screening.models import Round
from tests.plans.world import ADMIN, LAB, PLAN, Clock, load_plan, positive_pool
from tests.tiny_world import load_tiny

OFFICER = EnterpriseScope("tiny", "user:ho@tiny", Role.health_officer)
PLAN_ACTOR = "plan:ep/v1 after user:lab@tiny"


@pytest.fixture
def tiny(session: Session) -> str:
    eid = load_tiny(session)
    load_plan(session)
    session.commit()
    return eid


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_positive_pool_opens_one_activation_that_locks_its_zone(
    session: Session, tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clk = Clock(monkeypatch)
    positive_pool(session)
    today = clock.local_day(clk.t)
    out = activations.after_write(session, LAB, today)
    session.commit()
    assert out.fired == 1 and len(out.opened) == 1
    act = out.opened[0]
    assert (act.cause_key, act.rule_id, act.state) == ("positive|zone=asm", "positive", "open")
    assert act.reasons == [f"1 positive pool in zone asm on {today.isoformat()}"]
    # The zone really is locked, by the containment service, and the audit log says who.
    state = zone_states.zone_states(session, ADMIN)["asm"]
    assert state is not None and (state.state, state.previous, state.by) == (
        "locked",
        "open",
        PLAN_ACTOR,
    )
    assert state.reason == f"positive in zone asm on {today.isoformat()}"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "zone_states")).one()
    assert entry.actor == PLAN_ACTOR and entry.after["state"] == "locked"
    assert versions.current_level(session, ADMIN, "ep") == "orange"
    msg = session.scalars(select(OutboxMessage)).one()
    assert (msg.to_roles, msg.liaison_officer) == (["health_officer"], True)
    assert msg.text == f"Positive in zone asm on {today.isoformat()}"
    task = session.scalars(select(Task)).one()
    assert (task.role, task.text) == ("health_officer", "Disinfect zone asm")
    assert runs.aware(task.deadline) == clk.t + dt.timedelta(hours=4)
    states = {a.n: (a.kind, a.state) for a in runs.action_runs(session, ADMIN, act.id)}
    assert states == {
        0: ("raise_level", "done"),
        1: ("set_zone_state", "done"),
        2: ("create_screening_rounds", "pending"),
        3: ("quarantine_contacts", "pending"),
        4: ("notify", "done"),
        5: ("create_task", "done"),
        6: ("create_task", "pending"),
    }
    # Not again while it is open: another write, the same positive, nothing new.
    again = activations.after_write(session, LAB, today)
    assert again.fired == 1 and again.opened == []
    assert count(session, Activation) == 1 and count(session, OutboxMessage) == 1


def test_pending_actions_run_only_when_confirmed_and_failures_keep_the_rest(
    session: Session, tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clk = Clock(monkeypatch)
    positive_pool(session)
    today = clock.local_day(clk.t)
    act = activations.after_write(session, LAB, today).opened[0]
    # A1 (pool 1) is confirmed a case: same cause, no new activation.
    cases.open_case(session, OFFICER, CaseIn(employee_no="A1", confirmed_on=today))
    assert activations.after_write(session, OFFICER, today).opened == []
    session.commit()
    quarantined = select(Restriction.employee_no).where(Restriction.reason == "close-contact")
    assert session.scalars(quarantined).all() == []  # waits for a person
    run = activations.confirm(session, OFFICER, act.id, 3)
    # Team asm-a is A1..A6; A1 is the case, A2..A5 are isolated by the positive pool
    # (skipped); A6 alone is quarantined.
    assert (run.state, run.run_by) == ("done", "user:ho@tiny")
    assert run.result == "1 contacts of 1 case(s) in zone asm quarantined"
    assert session.scalars(quarantined).all() == ["A6"]
    with pytest.raises(InputError, match="action 3 of activation 1 is done"):
        activations.confirm(session, OFFICER, act.id, 3)
    # The zone is locked and this round is on site (not in_place), so nobody of asm may
    # be screened: the round planner refuses, the action is recorded failed, and the lock
    # and its audit stay. (The plan-file check refuses this only when the round names
    # the zone the rule locks as that action names it, here '$zone' against 'asm'.)
    rounds_before = count(session, Round)
    run = activations.confirm(session, OFFICER, act.id, 2)
    assert run.state == "failed" and "nobody in these zones and shifts may work" in (
        run.error or ""
    )
    assert count(session, Round) == rounds_before
    assert zone_states.zone_states(session, ADMIN)["asm"].state == "locked"
    assert session.scalar(select(func.count()).where(AuditEntry.table_name == "zone_states")) == 1
    session.commit()


def test_refuse_tasks_overdue_close_and_open_again(
    session: Session, tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clk = Clock(monkeypatch)
    positive_pool(session)
    today = clock.local_day(clk.t)
    act = activations.after_write(session, LAB, today).opened[0]
    refused = activations.refuse(session, OFFICER, act.id, 2, "the lab screens tomorrow")
    assert (refused.state, refused.error) == ("refused", "the lab screens tomorrow")
    task = runs.list_tasks(session, OFFICER, role="health_officer")[0]
    clk.advance(hours=3, minutes=59)
    assert not runs.task_out(task).overdue
    assert daily_report.compute(session, [tiny], today)[tiny].overdue_tasks == 0
    clk.advance(minutes=2)
    assert runs.task_out(task).overdue
    figures = daily_report.compute(session, [tiny], today)[tiny]
    assert (figures.open_activations, figures.overdue_tasks) == (1, 1)
    # A planner cannot do the health officer's task; the health officer can.
    with pytest.raises(InputError, match="is for the health_officer role, not planner"):
        runs.task_done(session, EnterpriseScope("tiny", "p", Role.planner), task.id)
    runs.task_done(session, OFFICER, task.id, "disinfected")
    # Still open: its second task waits to be confirmed.
    assert runs.get_activation(session, ADMIN, act.id).state == "open"
    activations.confirm(session, ADMIN, act.id, 6)
    report = runs.list_tasks(session, ADMIN, role="admin")[0]
    assert report.deadline == task.deadline + dt.timedelta(hours=20)  # 1d after, not 4h
    runs.task_done(session, ADMIN, report.id, "reported")
    session.refresh(act)
    assert (act.state, act.close_reason, act.closed_by) == (
        "closed",
        "every task done",
        "user:admin@tiny",
    )
    figures = daily_report.compute(session, [tiny], today)[tiny]
    assert (figures.open_activations, figures.overdue_tasks) == (0, 0)
    # Closed: the same cause opens a new activation; the zone is already locked.
    second = activations.after_write(session, LAB, today).opened
    assert len(second) == 1 and second[0].id != act.id
    lock = next(a for a in runs.action_runs(session, ADMIN, second[0].id) if a.n == 1)
    assert (lock.state, lock.result) == ("done", "zone asm already locked")
    # A person stands it down, saying why; its task no longer counts as overdue.
    with pytest.raises(InputError, match="say why"):
        runs.stand_down(session, OFFICER, second[0].id, "  ")
    runs.stand_down(session, OFFICER, second[0].id, "false positive: retest negative")
    clk.advance(hours=5)
    assert daily_report.compute(session, [tiny], today)[tiny].overdue_tasks == 0
    assert runs.get_activation(session, ADMIN, second[0].id).close_reason == (
        "stood down: false positive: retest negative"
    )
    with pytest.raises(InputError, match="already closed"):
        runs.stand_down(session, OFFICER, second[0].id, "again")
    session.commit()


def test_versions_are_frozen_and_bad_files_write_nothing(session: Session, tiny: str) -> None:
    before = count(session, AuditEntry)
    row, created = versions.load_version(session, ADMIN, PlanVersionIn(yaml=PLAN))
    assert not created and row.version == 1 and count(session, AuditEntry) == before
    changed = PLAN.replace("name: Test plan", "name: Test plan, changed")
    with pytest.raises(InputError, match="version 1 of plan 'ep' is frozen"):
        versions.load_version(session, ADMIN, PlanVersionIn(yaml=changed, filename="ep.yaml"))
    bad = PLAN.replace("zone: any", "zone: nowhere").replace("version: 1", "version: 2")
    with pytest.raises(InputError) as err:
        versions.load_version(session, ADMIN, PlanVersionIn(yaml=bad, filename="ep.yaml"))
    assert err.value.problems[0].startswith("ep.yaml:16 rules[0].when.zone: unknown zone")
    other = PLAN.replace("enterprise: tiny", "enterprise: elsewhere")
    with pytest.raises(InputError) as err:
        versions.load_version(session, ADMIN, PlanVersionIn(yaml=other, filename="x.yaml"))
    assert err.value.problems == [
        "x.yaml:3 enterprise: the plan is for 'elsewhere' but the plant is 'tiny'"
    ]
    assert count(session, AuditEntry) == before
    v2, created = versions.load_version(
        session, ADMIN, PlanVersionIn(yaml=PLAN.replace("version: 1", "version: 2"))
    )
    assert created and [v.id for v in versions.in_force(session, ADMIN)] == [v2.id]


def test_outbox_retries_a_failing_webhook_with_backoff(
    session: Session, tiny: str, monkeypatch: pytest.MonkeyPatch, receiver
) -> None:
    clk = Clock(monkeypatch)
    m = outbox.add_message(session, ADMIN, ["admin"], True, "Zone asm locked")
    report = outbox.send_outbox(session, ADMIN)
    assert (report.sent, report.waiting) == (0, 1)  # no webhook yet
    outbox.set_webhook(session, ADMIN, outbox.WebhookIn(url=receiver.url))
    receiver.fail_next = 1
    report = outbox.send_outbox(session, ADMIN)
    assert (report.sent, report.failed) == (0, 1)
    assert m.attempts == 1 and "500" in (m.last_error or "") and m.sent_at is None
    assert outbox.send_outbox(session, ADMIN).waiting == 1  # retried after 30 s, not now
    clk.advance(seconds=31)
    report = outbox.send_outbox(session, ADMIN)
    assert (report.sent, report.failed) == (1, 0)
    assert (m.attempts, m.last_error) == (2, None) and m.sent_at == clk.t
    assert len(receiver.bodies) == 2
    assert receiver.bodies[-1] == {
        "id": m.id,
        "enterprise": "tiny",
        "activation_id": None,
        "to_roles": ["admin"],
        "liaison_officer": True,
        "text": "Zone asm locked",
        "created_at": m.created_at.isoformat(),
    }
    assert outbox.send_outbox(session, ADMIN).sent == 0  # sent once
    attempts = session.scalars(
        select(AuditEntry.after).where(AuditEntry.table_name == "plan_outbox")
    ).all()
    assert [a.get("attempts") for a in attempts] == [None, 1, 2]
    session.commit()


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


def test_a_rule_that_locks_a_zone_screens_its_workers_where_they_are(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The defect of the first reference plans: a rule locked a zone and then screened it
    on site, which always failed (a locked zone's workers may not work, so the round had
    nobody to sample). ``in_place: true`` samples them where they are."""
    Clock(monkeypatch)
    load_tiny(session)
    text = PLAN.replace(
        "      - {do: create_screening_rounds, zone: asm, pool_size: 5}\n",
        "      - {do: create_screening_rounds, zone: $zone, pool_size: 5, in_place: true,\n"
        "         auto: true}\n",
    )
    load_plan(session, text)
    positive_pool(session)
    today = clock.local_day(clock.now())
    act = activations.after_write(session, LAB, today).opened[0]
    session.commit()
    run = runs.get_action(session, ADMIN, act.id, 2)
    assert zone_states.zone_states(session, ADMIN)["asm"].state == "locked"
    assert run.state == "done", run.error
    rnd = session.scalars(select(Round).order_by(Round.id.desc())).first()
    assert rnd is not None and rnd.day == today and rnd.zones == ["asm"]
    # asm is A1-A6 (asm-a), B1-B5 (asm-b), N1-N4 (asm-n). A1-A5 were in the positive
    # pool: isolated, left out. The other 10 may not work only because asm is locked:
    # sampled in place, pools of 5 by team: A6 | B1-B5 | N1-N4 = 3 tubes.
    members = rounds.round_members(session, ADMIN, rnd.id)
    assert sorted(members) == ["A6", "B1", "B2", "B3", "B4", "B5", "N1", "N2", "N3", "N4"]
    assert run.result == f"screening rounds {rnd.id} on {today.isoformat()}"
