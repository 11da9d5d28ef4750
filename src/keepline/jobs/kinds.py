"""The kinds of background job, by name: what each takes, runs and who may start it.

Registering a kind is one line in :data:`KINDS`: its name, the pydantic input model of
its parameters, its function ``run(session_factory, scope, params, progress) -> result``
(see ``jobs.runner``), the roles that may start it and, when its parameters name
records or files, the check that they are there. For example, the drill's::

    "drill": Kind(DrillIn, drill_job.run_job, PLANNERS, drill_job.check),

This module is a flow: it names the flows each kind runs. The server's runner, the API's
``POST /jobs`` and the console's pages read the kinds from here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from keepline import clock
from keepline.assessment import from_record
from keepline.assessment.schemas import AssessmentIn
from keepline.errors import InputError, quote
from keepline.jobs.runner import Kind, Progress
from keepline.people import import_job
from keepline.plans import drill_job
from keepline.plans.activations import after_write
from keepline.plans.schemas import DrillIn
from keepline.production import replan
from keepline.production.schemas import PlanRequest
from keepline.scope import EnterpriseScope, Role

PLANNERS = (Role.admin, Role.planner)
"""Who may run an assessment, a re-plan or a drill: the production planners and the
plant's administrators (plant management), as ``POST /plans`` and ``keepline assess``."""


def replan_job(
    factory: sessionmaker[Session],
    scope: EnterpriseScope,
    params: dict[str, Any],
    progress: Progress,
) -> dict[str, Any]:
    """Re-plan from today (``production.replan``, as ``POST /plans``), in one transaction
    with the emergency plans' triggers it sets off."""
    body = PlanRequest.model_validate(params)
    start: dt.date = body.as_of or clock.today()
    with factory.begin() as session:
        plan = replan.replan(session, scope, start, body.horizon_days, progress)
        after_write(session, scope, plan.as_of)
        return {"plan_id": plan.id, "as_of": plan.as_of.isoformat()}


def checked(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` checked by ``kind``'s input model, as JSON with its defaults filled in;
    an unknown kind or a bad parameter is an ``InputError`` naming it."""
    spec = KINDS.get(kind)
    if spec is None:
        raise InputError([f"kind: unknown job kind {quote(kind)} (known: {', '.join(KINDS)})"])
    try:
        return spec.params.model_validate(params).model_dump(mode="json")
    except ValidationError as exc:
        raise InputError(
            [f"params.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None


def admitted(session: Session, scope: EnterpriseScope, kind: str, params: dict[str, Any]) -> None:
    """Refuse checked ``params`` that name what ``scope``'s enterprise does not have (the
    kind's ``check``; its problems named ``params.FIELD``, as :func:`checked`'s)."""
    check = KINDS[kind].check
    if check is None:
        return
    try:
        check(session, scope, params)
    except InputError as exc:
        raise InputError([f"params.{p}" for p in exc.problems]) from None


KINDS: dict[str, Kind] = {
    "assessment": Kind(AssessmentIn, from_record.run_job, PLANNERS),
    "replan": Kind(PlanRequest, replan_job, PLANNERS),
    "roster_import": Kind(
        import_job.RosterImportIn, import_job.run_job, import_job.ROSTER_EDITORS, private=True
    ),
    "drill": Kind(DrillIn, drill_job.run_job, PLANNERS, drill_job.check),
}
