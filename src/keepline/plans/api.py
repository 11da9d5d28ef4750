"""Routes of the emergency plans; who may call which is declared in ``plans.auth``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.fields import Day
from keepline.plans import activations, city, drill_runs, engine, outbox, runs, versions
from keepline.plans.auth import CityKeeper, PlanAdmin, PlanReader, Responder
from keepline.plans.models import ActivationState, PlanVersion
from keepline.plans.schemas import (
    ActionOut,
    ActivationOut,
    CityStatusIn,
    CityStatusOut,
    DoneIn,
    DrillRunDetail,
    DrillRunOut,
    EvaluationOut,
    PlanVersionDetail,
    PlanVersionIn,
    PlanVersionOut,
    ReasonIn,
    TaskOut,
    WebhookIn,
    WebhookOut,
)
from keepline.scope import EnterpriseScope

router = APIRouter(tags=["emergency plans"], route_class=Route)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ActionNo = Annotated[int, Path(ge=0, le=1000, description="The action's place in its rule.")]


class Versions(BaseModel):
    items: list[PlanVersionOut]


class Activations(BaseModel):
    items: list[ActivationOut]


class Tasks(BaseModel):
    items: list[TaskOut]


class Statuses(BaseModel):
    items: list[CityStatusOut]


class Drills(BaseModel):
    items: list[DrillRunOut]


class StateFilter(StrEnum):
    open = "open"
    closed = "closed"
    all = "all"


def _version_out(
    session: Session, scope: EnterpriseScope, v: PlanVersion, detail: bool = False
) -> PlanVersionOut:
    force = {x.id for x in versions.in_force(session, scope)}
    cls = PlanVersionDetail if detail else PlanVersionOut
    out = cls.model_validate(v)
    out.in_force = v.id in force
    out.level = versions.current_level(session, scope, v.plan_id)
    return out


@router.post("/emergency-plans", response_model=PlanVersionOut)
def load_version(body: PlanVersionIn, session: DB, scope: PlanAdmin) -> PlanVersionOut:
    """Load a plan file (YAML text), checked against the plant; a loaded version is
    frozen, and the same text again changes nothing (``created`` false). A bad file is a
    422 listing each problem as ``file:line field: message``; nothing is written."""
    row, created = versions.load_version(session, scope, body)
    out = _version_out(session, scope, row)
    out.created = created
    return out


@router.get("/emergency-plans", response_model=Versions)
def list_versions(session: DB, scope: PlanReader) -> Versions:
    """Every version loaded, by plan and version; ``in_force`` marks each plan's highest."""
    return Versions(
        items=[_version_out(session, scope, v) for v in versions.list_versions(session, scope)]
    )


@router.get("/emergency-plans/{version_id}", response_model=PlanVersionDetail)
def show_version(version_id: Id, session: DB, scope: PlanReader) -> PlanVersionOut:
    """One version with its YAML text as loaded."""
    return _version_out(session, scope, versions.get_version(session, scope, version_id), True)


@router.post("/emergency-plans/evaluate", response_model=EvaluationOut)
def evaluate(
    session: DB,
    scope: Responder,
    day: Annotated[Day | None, Query(description="Default: today.")] = None,
) -> EvaluationOut:
    """Evaluate the plans in force on a day of the record now (writes to the record
    evaluate them by themselves); returns the activations it opened."""
    out = activations.evaluate(session, scope, day or clock.today())
    return EvaluationOut(
        day=out.day,
        fired=out.fired,
        opened=[runs.activation_out(session, scope, a) for a in out.opened],
    )


@router.get("/activations", response_model=Activations)
def list_activations(
    session: DB,
    scope: PlanReader,
    state: Annotated[StateFilter, Query(description="open, closed or all.")] = StateFilter.open,
) -> Activations:
    """Activations, newest first, with their actions and tasks."""
    which = None if state == StateFilter.all else ActivationState(state.value)
    rows = runs.list_activations(session, scope, which)
    return Activations(items=[runs.activation_out(session, scope, a) for a in rows])


@router.get("/activations/{activation_id}", response_model=ActivationOut)
def show_activation(activation_id: Id, session: DB, scope: PlanReader) -> ActivationOut:
    return runs.activation_out(session, scope, runs.get_activation(session, scope, activation_id))


@router.post("/activations/{activation_id}/stand-down", response_model=ActivationOut)
def stand_down(activation_id: Id, body: ReasonIn, session: DB, scope: Responder) -> ActivationOut:
    """Close an open activation, saying why (audited)."""
    act = runs.stand_down(session, scope, activation_id, body.reason)
    return runs.activation_out(session, scope, act)


@router.post("/activations/{activation_id}/actions/{n}/confirm", response_model=ActionOut)
def confirm(activation_id: Id, n: ActionNo, session: DB, scope: Responder) -> ActionOut:
    """Run an action that waits for a person, under the caller's name: done, or failed
    with its error."""
    return ActionOut.model_validate(activations.confirm(session, scope, activation_id, n))


@router.post("/activations/{activation_id}/actions/{n}/refuse", response_model=ActionOut)
def refuse(
    activation_id: Id, n: ActionNo, body: ReasonIn, session: DB, scope: Responder
) -> ActionOut:
    """Refuse an action that waits for a person, saying why; it never runs."""
    return ActionOut.model_validate(
        activations.refuse(session, scope, activation_id, n, body.reason)
    )


@router.get("/tasks", response_model=Tasks)
def list_tasks(
    session: DB,
    scope: PlanReader,
    role: Annotated[
        str | None, Query(max_length=40, description="Default: the caller's role.")
    ] = None,
    done: Annotated[bool, Query(description="Also tasks done and of closed activations.")] = False,
) -> Tasks:
    """Tasks of the caller's role (an admin may name another), soonest deadline first;
    ``overdue`` marks those past their deadline."""
    at = clock.now()
    who = role if role is not None else scope.role.value
    rows = runs.list_tasks(session, scope, role=who, open_only=not done)
    return Tasks(items=[runs.task_out(t, at) for t in rows])


@router.post("/tasks/{task_id}/done", response_model=TaskOut)
def task_done(task_id: Id, body: DoneIn, session: DB, scope: Responder) -> TaskOut:
    """Mark a task of the caller's role done; the activation closes with its last task."""
    return runs.task_out(runs.task_done(session, scope, task_id, body.note))


@router.get("/plan-webhook", response_model=WebhookOut)
def get_webhook(session: DB, scope: PlanAdmin) -> WebhookOut:
    hook = outbox.webhook(session, scope)
    if hook is None:
        return WebhookOut(url=None)
    return WebhookOut(url=hook.url, set_by=hook.set_by, set_at=hook.set_at)


@router.put("/plan-webhook", response_model=WebhookOut)
def set_webhook(body: WebhookIn, session: DB, scope: PlanAdmin) -> WebhookOut:
    """The URL the outbox's messages are POSTed to as JSON (audited)."""
    hook = outbox.set_webhook(session, scope, body)
    return WebhookOut(url=hook.url, set_by=hook.set_by, set_at=hook.set_at)


@router.get("/city-status", response_model=Statuses)
def city_history(session: DB, scope: PlanReader) -> Statuses:
    """The city's risk level and control area as entered, oldest first."""
    return Statuses(items=[CityStatusOut.model_validate(r) for r in city.history(session, scope)])


@router.post("/city-status", response_model=CityStatusOut, status_code=201)
def set_city(body: CityStatusIn, session: DB, scope: CityKeeper) -> CityStatusOut:
    """Enter the city's risk level / control area from a day on; the plans are evaluated
    on that day at once."""
    row = city.set_status(session, scope, body)
    activations.after_write(session, scope, body.day, {engine.Fact.city})
    return CityStatusOut.model_validate(row)


@router.get("/drills", response_model=Drills)
def list_drills(session: DB, scope: PlanReader) -> Drills:
    """The drills recorded by ``keepline plans drill``, newest first, with their scores."""
    return Drills(
        items=[DrillRunOut.model_validate(r) for r in drill_runs.list_drills(session, scope)]
    )


@router.get("/drills/{drill_id}", response_model=DrillRunDetail)
def get_drill(drill_id: Id, session: DB, scope: PlanReader) -> DrillRunDetail:
    """One recorded drill with its whole report (drill.json)."""
    return DrillRunDetail.model_validate(drill_runs.get_drill(session, scope, drill_id))
