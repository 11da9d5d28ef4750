"""Activations, the actions they run and the tasks they set: the rows and their states.

Opening an activation, recording what an action did, marking a task done and standing an
activation down are audited here; *running* an action through another capability's
service is the flow :mod:`keepline.plans.activations`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.errors import InputError, NotFound, msg
from keepline.plans.engine import Firing
from keepline.plans.models import (
    ActionRun,
    Activation,
    ActivationState,
    PlanVersion,
    RunState,
    Task,
)
from keepline.plans.schemas import ActionOut, ActivationOut, TaskOut
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope, Role

MAX_TEXT = 1000


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def open_causes(session: Session, scope: EnterpriseScope, version: PlanVersion) -> list[str]:
    """Cause keys of the plan's open activations (any version of the plan)."""
    return list(
        session.scalars(
            select(Activation.cause_key)
            .join(PlanVersion, PlanVersion.id == Activation.version_id)
            .where(
                Activation.enterprise_id == scope.enterprise_id,
                Activation.state == ActivationState.open.value,
                PlanVersion.plan_id == version.plan_id,
            )
        )
    )


def open_activation(
    session: Session, scope: EnterpriseScope, version: PlanVersion, firing: Firing, day: dt.date
) -> Activation:
    """An activation for ``firing`` with its actions, each pending until it runs."""
    key = firing.cause.key()
    row = Activation(
        enterprise_id=scope.enterprise_id,
        version_id=version.id,
        cause_key=key,
        open_key=f"{version.plan_id}|{key}",
        rule_id=firing.rule,
        level=firing.level,
        day=day,
        carried=dict(firing.carried),
        reasons=list(firing.reasons),
        state=ActivationState.open.value,
        opened_by=scope.actor,
        opened_at=clock.now(),
    )
    audit.add(
        session,
        scope,
        row,
        "plan_activations",
        values=lambda r: {
            "plan": version.plan_id,
            "version": version.version,
            "cause": r.cause_key,
            "day": r.day,
            "reasons": r.reasons,
        },
    )
    for a in firing.actions:
        session.add(
            ActionRun(
                enterprise_id=scope.enterprise_id,
                activation_id=row.id,
                n=a.index,
                kind=a.do.value,
                params=dict(a.params),
                auto=a.auto,
                state=RunState.pending.value,
            )
        )
    session.flush()
    return row


def get_activation(session: Session, scope: EnterpriseScope, activation_id: int) -> Activation:
    return owned(session, scope, Activation, activation_id, f"activation {activation_id} not found")


def action_runs(session: Session, scope: EnterpriseScope, activation_id: int) -> list[ActionRun]:
    return list(
        session.scalars(
            select(ActionRun)
            .where(
                ActionRun.enterprise_id == scope.enterprise_id,
                ActionRun.activation_id == activation_id,
            )
            .order_by(ActionRun.n)
        )
    )


def get_action(session: Session, scope: EnterpriseScope, activation_id: int, n: int) -> ActionRun:
    get_activation(session, scope, activation_id)
    row = session.scalar(
        select(ActionRun).where(
            ActionRun.enterprise_id == scope.enterprise_id,
            ActionRun.activation_id == activation_id,
            ActionRun.n == n,
        )
    )
    if row is None:
        raise NotFound(
            msg("activation %(id)s has no action %(n)s", id=activation_id, n=n), field="n"
        )
    return row


def pending_action(
    session: Session, scope: EnterpriseScope, activation_id: int, n: int
) -> tuple[Activation, ActionRun]:
    """The action if it still waits for a person; an error naming why not otherwise."""
    act = get_activation(session, scope, activation_id)
    run = get_action(session, scope, activation_id, n)
    if act.state != ActivationState.open.value:
        raise InputError([msg("activation: activation %(id)s is closed", id=activation_id)])
    if run.state != RunState.pending.value:
        raise InputError(
            [
                msg(
                    "n: action %(n)s of activation %(id)s is %(state)s",
                    n=n,
                    id=activation_id,
                    state=run.state,
                )
            ]
        )
    return act, run


def finish_action(
    session: Session,
    scope: EnterpriseScope,
    run: ActionRun,
    state: RunState,
    *,
    result: str | None = None,
    error: str | None = None,
) -> ActionRun:
    """Record what came of an action (done, failed with its error, refused); audited."""
    before = {"state": run.state}
    run.state = state.value
    run.result = _clip(result) if result else None
    run.error = _clip(error) if error else None
    run.run_by = scope.actor
    run.run_at = clock.now()
    session.flush()
    audit.log(
        session,
        scope,
        "update",
        "plan_action_runs",
        f"{run.activation_id}/{run.n}",
        before=before,
        after={"kind": run.kind, "state": run.state, "result": run.result, "error": run.error},
        reason=error if state == RunState.refused else None,
    )
    return run


def add_task(
    session: Session,
    scope: EnterpriseScope,
    activation: Activation,
    n: int,
    role: str,
    text: str,
    deadline: dt.timedelta,
) -> Task:
    """A task for ``role``, due ``deadline`` after the activation opened."""
    row = Task(
        enterprise_id=scope.enterprise_id,
        activation_id=activation.id,
        n=n,
        role=role,
        text=_clip(text),
        deadline=aware(activation.opened_at) + deadline,
        created_at=clock.now(),
    )
    audit.add(
        session,
        scope,
        row,
        "plan_tasks",
        values=lambda r: {"activation": r.activation_id, "role": r.role, "deadline": r.deadline},
    )
    return row


def aware(at: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back naive; they are stored in UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def get_task(session: Session, scope: EnterpriseScope, task_id: int) -> Task:
    return owned(session, scope, Task, task_id, f"task {task_id} not found")


def tasks_of(session: Session, scope: EnterpriseScope, activation_id: int) -> list[Task]:
    return list(
        session.scalars(
            select(Task)
            .where(Task.enterprise_id == scope.enterprise_id, Task.activation_id == activation_id)
            .order_by(Task.id)
        )
    )


def list_tasks(
    session: Session,
    scope: EnterpriseScope,
    *,
    role: str | None = None,
    open_only: bool = True,
) -> list[Task]:
    """Tasks of open activations (``open_only``: not done), for ``role`` when given."""
    q = (
        select(Task)
        .join(Activation, Activation.id == Task.activation_id)
        .where(Task.enterprise_id == scope.enterprise_id)
    )
    if role is not None:
        q = q.where(Task.role == role)
    if open_only:
        q = q.where(Task.done_at.is_(None), Activation.state == ActivationState.open.value)
    return list(session.scalars(q.order_by(Task.deadline, Task.id)))


def may_do(scope: EnterpriseScope, task: Task) -> None:
    """A task is done by someone in its role (or an admin)."""
    if scope.role not in (Role.admin, Role(task.role)):
        raise InputError(
            [
                msg(
                    "role: task %(id)s is for the %(role)s role, not %(yours)s",
                    id=task.id,
                    role=task.role,
                    yours=scope.role.value,
                )
            ]
        )


def close(session: Session, scope: EnterpriseScope, act: Activation, reason: str) -> Activation:
    """Close an open activation with a reason; audited."""
    act.state = ActivationState.closed.value
    act.open_key = None
    act.closed_by = scope.actor
    act.closed_at = clock.now()
    act.close_reason = _clip(reason)[:500]
    session.flush()
    audit.log(
        session,
        scope,
        "update",
        "plan_activations",
        str(act.id),
        before={"state": ActivationState.open.value},
        after={"state": act.state, "cause": act.cause_key},
        reason=act.close_reason,
    )
    return act


def task_done(session: Session, scope: EnterpriseScope, task_id: int, note: str = "") -> Task:
    """Mark a task done; the activation closes when every one of its tasks is done (and
    no task of it still waits to be confirmed)."""
    task = get_task(session, scope, task_id)
    may_do(scope, task)
    if task.done_at is not None:
        raise InputError(
            [msg("task: task %(id)s was done by %(who)s", id=task_id, who=task.done_by)]
        )
    act = get_activation(session, scope, task.activation_id)
    if act.state != ActivationState.open.value:
        raise InputError(
            [
                msg(
                    "task: activation %(id)s is closed (%(reason)s)",
                    id=act.id,
                    reason=act.close_reason,
                )
            ]
        )
    task.done_by = scope.actor
    task.done_at = clock.now()
    task.note = note.strip() or None
    session.flush()
    audit.log(
        session,
        scope,
        "update",
        "plan_tasks",
        str(task.id),
        before={"done_at": None},
        after={"done_at": task.done_at, "note": task.note},
    )
    # Closed with its last task; not while a task it would set still waits to be confirmed.
    waiting = any(
        a.kind == "create_task" and a.state == RunState.pending.value
        for a in action_runs(session, scope, act.id)
    )
    if not waiting and all(t.done_at is not None for t in tasks_of(session, scope, act.id)):
        close(session, scope, act, "every task done")
    return task


def stand_down(
    session: Session, scope: EnterpriseScope, activation_id: int, reason: str
) -> Activation:
    """A person closes an open activation, saying why."""
    act = get_activation(session, scope, activation_id)
    if act.state != ActivationState.open.value:
        raise InputError([msg("activation: activation %(id)s is already closed", id=activation_id)])
    if not reason.strip():
        raise InputError([msg("reason: say why the activation stands down")])
    return close(session, scope, act, f"stood down: {reason.strip()}")


def list_activations(
    session: Session, scope: EnterpriseScope, state: ActivationState | None = None
) -> list[Activation]:
    q = select(Activation).where(Activation.enterprise_id == scope.enterprise_id)
    if state is not None:
        q = q.where(Activation.state == state.value)
    return list(session.scalars(q.order_by(Activation.id.desc())))


def is_overdue(task: Task, at: dt.datetime | None = None) -> bool:
    at = at or clock.now()
    return task.done_at is None and aware(task.deadline) < at


def task_out(task: Task, at: dt.datetime | None = None) -> TaskOut:
    out = TaskOut.model_validate(task)
    out.overdue = is_overdue(task, at)
    return out


def activation_out(session: Session, scope: EnterpriseScope, act: Activation) -> ActivationOut:
    version = session.get(PlanVersion, act.version_id)
    assert version is not None
    at = clock.now()
    values: dict[str, Any] = {
        c.name: getattr(act, c.name) for c in Activation.__table__.c if c.name != "open_key"
    }
    return ActivationOut(
        **values,
        plan_id=version.plan_id,
        version=version.version,
        actions=[ActionOut.model_validate(r) for r in action_runs(session, scope, act.id)],
        tasks=[task_out(t, at) for t in tasks_of(session, scope, act.id)],
    )
