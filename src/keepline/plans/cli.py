"""``keepline plans``: load emergency plans, evaluate them on a day of the record, follow
activations and tasks, confirm actions, and send the outbox."""

from __future__ import annotations

from pathlib import Path

import typer

from keepline import clock
from keepline.clikit import ACTOR, DAY, ENTERPRISE, enterprise_scope, parse_day
from keepline.db import session_scope
from keepline.plans import activations, city, engine, outbox, runs, versions
from keepline.plans.models import ActivationState
from keepline.plans.planfile import WHAT
from keepline.plans.schema import RiskLevel
from keepline.plans.schemas import (
    ActivationOut,
    CityStatusIn,
    PlanVersionIn,
    TaskOut,
    WebhookIn,
)
from keepline.plant.yamlio import read_text_checked
from keepline.recordkit import bad
from keepline.scenario import load_scenario

app = typer.Typer(
    help="Emergency plans: versions, activations, actions, tasks and the outbox.",
    no_args_is_help=True,
)


@app.command("load")
def load_cmd(
    enterprise: str = ENTERPRISE,
    plan: Path = typer.Argument(..., help="The plan file (YAML)."),
    actor: str | None = ACTOR,
) -> None:
    """Check a plan file against the plant and store it as a frozen version (the same
    text again changes nothing). A bad file: one line per problem, nothing written."""
    text = read_text_checked(plan, WHAT)
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        row, created = versions.load_version(
            session, scope, PlanVersionIn(yaml=text, filename=str(plan))
        )
        what = "loaded" if created else "unchanged (this text was loaded before)"
        typer.echo(f"plan {row.plan_id} version {row.version} {what}: id {row.id}")


@app.command("versions")
def versions_cmd(enterprise: str = ENTERPRISE) -> None:
    """Every version loaded; * marks each plan's version in force."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        force = {v.id for v in versions.in_force(session, scope)}
        for v in versions.list_versions(session, scope):
            mark = "*" if v.id in force else " "
            level = versions.current_level(session, scope, v.plan_id) or "-"
            typer.echo(
                f"{mark} {v.id:>4}  {v.plan_id} v{v.version}  level {level}  "
                f"{v.sha256[:12]}  {v.loaded_by}  {v.loaded_at:%Y-%m-%d %H:%M}  {v.name}"
            )


def _task_line(t: TaskOut) -> str:
    flag = " OVERDUE" if t.overdue else ""
    state = f"done by {t.done_by}" if t.done_at else f"due {t.deadline:%Y-%m-%d %H:%M}Z"
    return f"task {t.id} (activation {t.activation_id}) for {t.role}: {t.text} ({state}){flag}"


def _print(a: ActivationOut) -> None:
    typer.echo(
        f"activation {a.id} [{a.state}] {a.plan_id} v{a.version} rule {a.rule_id} "
        f"({a.level}) on {a.day.isoformat()}: {a.cause_key}"
    )
    for r in a.reasons:
        typer.echo(f"  because {r}")
    for x in a.actions:
        how = "auto" if x.auto else "confirm"
        tail = x.result or x.error or ""
        typer.echo(f"  action {x.n} {x.kind} ({how}): {x.state}{': ' + tail if tail else ''}")
    for t in a.tasks:
        typer.echo("  " + _task_line(t))
    if a.close_reason:
        typer.echo(f"  closed by {a.closed_by}: {a.close_reason}")


@app.command("evaluate")
def evaluate_cmd(
    enterprise: str = ENTERPRISE, day: str | None = DAY, actor: str | None = ACTOR
) -> None:
    """Evaluate the plans in force on a day of the record: open what fires anew (once
    per cause while open) and run its automatic actions."""
    d = parse_day(day, "--day")
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        out = activations.evaluate(session, scope, d)
        typer.echo(
            f"{d.isoformat()}: {out.fired} firing(s), {len(out.opened)} activation(s) opened"
        )
        for a in out.opened:
            _print(runs.activation_out(session, scope, a))


@app.command("activations")
def activations_cmd(
    enterprise: str = ENTERPRISE,
    closed: bool = typer.Option(False, "--closed", help="Closed ones instead of open ones."),
) -> None:
    """Open (or closed) activations, newest first, with their actions and tasks."""
    state = ActivationState.closed if closed else ActivationState.open
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        rows = runs.list_activations(session, scope, state)
        for a in rows:
            _print(runs.activation_out(session, scope, a))
        typer.echo(f"{len(rows)} {state.value} activation(s)")


@app.command("stand-down")
def stand_down_cmd(
    enterprise: str = ENTERPRISE,
    activation: int = typer.Argument(..., help="Activation id."),
    reason: str = typer.Option(..., "--reason", help="Why it stands down."),
    actor: str | None = ACTOR,
) -> None:
    """Close an open activation, saying why."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        a = runs.stand_down(session, scope, activation, reason)
        typer.echo(f"activation {a.id} closed: {a.close_reason}")


@app.command("confirm")
def confirm_cmd(
    enterprise: str = ENTERPRISE,
    activation: int = typer.Argument(..., help="Activation id."),
    n: int = typer.Argument(..., help="The action's number (see `keepline plans activations`)."),
    refuse: str | None = typer.Option(None, "--refuse", help="Refuse it instead, saying why."),
    actor: str | None = ACTOR,
) -> None:
    """Run an action that waits for a person (or refuse it with --refuse REASON)."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        if refuse is not None:
            r = activations.refuse(session, scope, activation, n, refuse)
        else:
            r = activations.confirm(session, scope, activation, n)
        tail = r.result or r.error or ""
        typer.echo(f"action {r.n} {r.kind}: {r.state}{': ' + tail if tail else ''}")
    if r.state == "failed":
        raise typer.Exit(1)


@app.command("tasks")
def tasks_cmd(
    enterprise: str = ENTERPRISE,
    role: str | None = typer.Option(None, "--role", help="Only this role's tasks."),
    done: bool = typer.Option(False, "--done", help="Also tasks done and of closed activations."),
) -> None:
    """Tasks, soonest deadline first; OVERDUE marks those past their deadline."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        at = clock.now()
        rows = runs.list_tasks(session, scope, role=role, open_only=not done)
        for t in rows:
            typer.echo(_task_line(runs.task_out(t, at)))
        typer.echo(f"{len(rows)} task(s), {sum(runs.is_overdue(t, at) for t in rows)} overdue")


@app.command("done")
def done_cmd(
    enterprise: str = ENTERPRISE,
    task: int = typer.Argument(..., help="Task id."),
    note: str = typer.Option("", "--note", help="What was done."),
    actor: str | None = ACTOR,
) -> None:
    """Mark a task done; its activation closes when its last task is done."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        t = runs.task_done(session, scope, task, note)
        act = runs.get_activation(session, scope, t.activation_id)
        typer.echo(f"task {t.id} done; activation {act.id} is {act.state}")


@app.command("webhook")
def webhook_cmd(
    enterprise: str = ENTERPRISE,
    url: str = typer.Argument(..., help="http(s) URL the outbox POSTs each message to."),
    actor: str | None = ACTOR,
) -> None:
    """Set where the enterprise's messages are sent."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        hook = outbox.set_webhook(session, scope, WebhookIn(url=url))
        typer.echo(f"webhook of {enterprise}: {hook.url}")


@app.command("send-outbox")
def send_outbox_cmd(
    enterprise: str | None = typer.Argument(None, help="Enterprise id; with --all, every one."),
    every: bool = typer.Option(False, "--all", help="Every enterprise with messages due."),
    user: str | None = ACTOR,
) -> None:
    """POST the messages due to each enterprise's webhook as JSON; a failure is retried
    later with backoff (30 s, 1 min, 2 min, ... at most 1 h; 8 attempts)."""
    if every == (enterprise is not None):
        raise bad("enterprise", "give an enterprise id or --all (not both)")
    if every:
        with session_scope() as session:
            eids = outbox.due_enterprises(session)
    else:
        assert enterprise is not None
        eids = [enterprise]
    failed = 0
    for eid in eids:
        with session_scope() as session:
            scope = enterprise_scope(session, eid, user)
            r = outbox.send_outbox(session, scope)
        failed += r.failed
        typer.echo(
            f"{eid}: {r.sent} sent, {r.failed} failed (retried later), {r.waiting} waiting, "
            f"{r.given_up} given up"
        )
    if failed:
        raise typer.Exit(1)


@app.command("city")
def city_cmd(
    enterprise: str = ENTERPRISE,
    day: str | None = DAY,
    risk: RiskLevel | None = typer.Option(None, "--risk", help="low, medium or high."),
    control_area: bool = typer.Option(
        False, "--control-area/--no-control-area", help="The plant's area is a control area."
    ),
    scenario: Path | None = typer.Option(
        None, "--scenario", help="Read the control-area windows of a scenario file instead."
    ),
    actor: str | None = ACTOR,
) -> None:
    """Enter the city's risk level and control area from a day on (by hand, or from a
    scenario's control-area windows); the plans are evaluated on that day at once."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        if scenario is not None:
            rows = city.from_scenario(session, scope, load_scenario(scenario))
        else:
            d = parse_day(day, "--day")
            body = CityStatusIn(day=d, risk_level=risk, control_area=control_area)
            rows = [city.set_status(session, scope, body)]
        for r in rows:
            activations.after_write(session, scope, r.day, {engine.Fact.city})
            typer.echo(
                f"from {r.day.isoformat()}: risk {r.risk_level or '-'}, control area "
                f"{'yes' if r.control_area else 'no'} ({r.source})"
            )
