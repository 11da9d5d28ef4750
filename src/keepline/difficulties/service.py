"""A difficulty's life: the enterprise submits it, it is routed to a department, and moves
submitted → accepted → (transferred, accepted again) → in progress (a solution proposed)
→ resolved → closed when the enterprise confirms (with a rating), or back to in progress
when it reopens. Every step is stamped with ``clock.now()``, kept in the history and
audited; a step not allowed from the difficulty's state is a 422 naming ``state`` and
writes nothing.

Tenancy: an enterprise sees its own difficulties; an officer those of enterprises of
their jurisdiction and below, a department's officer only their department's queue
(and, for the command department, what was escalated to it). Anything else reads as
'not found'. Government steps are audited under the jurisdiction, not the enterprise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.difficulties import rules
from keepline.difficulties.deadlines import Clock, late, maybe_utc, utc
from keepline.difficulties.models import (
    Difficulty,
    DifficultyEvent,
    DifficultyState,
    Limit,
)
from keepline.difficulties.schemas import (
    ConfirmIn,
    DifficultyIn,
    EscalationOut,
    ReopenIn,
    TransferIn,
)
from keepline.errors import NotFound, msg, quote
from keepline.government.models import Department, Jurisdiction, Officer, Registration
from keepline.recordkit import bad
from keepline.scope import EnterpriseScope, JurisdictionScope, Scope

S = DifficultyState
GovStep = Literal["accept", "propose", "resolve"]
TABLE = "difficulties"
# Which state each step may start from, and where it leads.
STEPS: dict[str, tuple[tuple[S, ...], S]] = {
    "accept": ((S.submitted, S.transferred), S.accepted),
    "transfer": ((S.submitted, S.transferred, S.accepted), S.transferred),
    "propose": ((S.accepted, S.in_progress), S.in_progress),
    "resolve": ((S.in_progress,), S.resolved),
    "confirm": ((S.resolved,), S.closed),
    "reopen": ((S.resolved,), S.in_progress),
}


def _minutes(m: int) -> dt.timedelta:
    return dt.timedelta(minutes=m)


def clock_of(row: Difficulty) -> Clock:
    return Clock(
        utc(row.accept_due),
        utc(row.propose_due),
        utc(row.close_due),
        maybe_utc(row.accepted_at),
        maybe_utc(row.proposed_at),
        maybe_utc(row.closed_at),
    )


def _check_step(row: Difficulty, step: str) -> S:
    allowed, to = STEPS[step]
    if row.state not in allowed:
        raise bad(
            "state",
            msg(
                "cannot %(step)s difficulty %(id)s: it is %(state)s (%(step)s needs %(allowed)s)",
                step=step,
                id=row.id,
                state=row.state,
                allowed=" or ".join(a.value for a in allowed),
            ),
        )
    return to


def _event(
    session: Session,
    row: Difficulty,
    kind: str,
    at: dt.datetime,
    actor: str,
    note: str = "",
    to: tuple[str, str | None] | None = None,
) -> DifficultyEvent:
    dep_j, dep = to if to is not None else (row.department_jurisdiction, row.department_id)
    ev = DifficultyEvent(
        difficulty_id=row.id,
        kind=kind,
        at=at,
        actor=actor,
        department_jurisdiction=dep_j,
        department_id=dep,
        note=note,
    )
    session.add(ev)
    return ev


def _miss(row: Difficulty, limit: Limit, at: dt.datetime, due: dt.datetime) -> None:
    if late(at, due) and limit.value not in row.missed:
        row.missed = [*row.missed, limit.value]


# -- the enterprise's side ----------------------------------------------------------------


def submit(
    session: Session, scope: EnterpriseScope, body: DifficultyIn, at: dt.datetime | None = None
) -> Difficulty:
    """File a difficulty; it goes to the department its jurisdiction's rules name.
    ``at``: the time stamped (default ``clock.now()``; the demo generator backdates)."""
    reg = session.get(Registration, scope.enterprise_id)
    if reg is None:
        raise bad(
            "enterprise",
            msg("%(id)s is not registered with a jurisdiction", id=quote(scope.enterprise_id)),
        )
    at = at or clock.now()
    dep_j, dep = rules.route(session, reg.jurisdiction_id, body.category.value)
    limits = rules.resolved(session, reg.jurisdiction_id).minutes
    row = Difficulty(
        enterprise_id=scope.enterprise_id,
        jurisdiction_id=reg.jurisdiction_id,
        category=body.category.value,
        text=body.text,
        attachments=list(body.attachments),
        state=S.submitted.value,
        department_jurisdiction=dep_j,
        department_id=dep,
        submitted_by=scope.actor,
        submitted_at=at,
        accept_due=at + _minutes(limits["accept"]),
        propose_due=at + _minutes(limits["propose"]),
        close_due=at + _minutes(limits["close"]),
        missed=[],
    )
    audit.add(session, scope, row, TABLE)
    _event(session, row, "submitted", at, scope.actor, "routed by category")
    session.flush()
    return row


def own(session: Session, scope: EnterpriseScope, difficulty_id: int) -> Difficulty:
    row = session.get(Difficulty, difficulty_id)
    if row is None or row.enterprise_id != scope.enterprise_id:
        raise NotFound(msg("no difficulty %(id)s", id=difficulty_id), field="difficulty_id")
    return row


def answer(
    session: Session,
    scope: EnterpriseScope,
    difficulty_id: int,
    body: ConfirmIn | ReopenIn,
    at: dt.datetime | None = None,
) -> Difficulty:
    """The enterprise's answer to a resolution: ``ConfirmIn`` closes it with a rating of
    the handling; ``ReopenIn`` sends it back to in progress, with new solution and
    closing deadlines from now."""
    row = own(session, scope, difficulty_id)
    if isinstance(body, ConfirmIn):
        return _step(session, scope, row, "confirm", at, body.comment, rating=body)
    return _step(session, scope, row, "reopen", at, body.reason)


# -- the government's side ----------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What an officer sees: their jurisdiction's path, and their department if any."""

    jurisdiction: str
    path: str
    department: str | None


def reach(session: Session, scope: JurisdictionScope) -> Reach:
    root = session.get(Jurisdiction, scope.jurisdiction)
    if root is None:
        raise NotFound(f"no jurisdiction '{scope.jurisdiction}' (load its file first)")
    department = scope.department
    if department is None and scope.user_id is not None:
        department = session.scalar(
            select(Officer.department_id).where(Officer.user_id == scope.user_id)
        )
    return Reach(root.id, root.path, department)


def visible_query(r: Reach) -> Select[tuple[Difficulty]]:
    """Difficulties the officer sees (see the module's docstring)."""
    q = (
        select(Difficulty)
        .join(Jurisdiction, Jurisdiction.id == Difficulty.jurisdiction_id)
        .where(Jurisdiction.path.startswith(r.path, autoescape=True))
    )
    if r.department is not None:
        escalated = exists().where(
            DifficultyEvent.difficulty_id == Difficulty.id,
            DifficultyEvent.kind == "escalated",
            DifficultyEvent.department_jurisdiction == r.jurisdiction,
            DifficultyEvent.department_id == r.department,
        )
        q = q.where(
            (
                (Difficulty.department_jurisdiction == r.jurisdiction)
                & (Difficulty.department_id == r.department)
            )
            | escalated
        )
    return q


def visible(session: Session, scope: JurisdictionScope, difficulty_id: int) -> Difficulty:
    row = session.scalar(visible_query(reach(session, scope)).where(Difficulty.id == difficulty_id))
    if row is None:
        raise NotFound(msg("no difficulty %(id)s", id=difficulty_id), field="difficulty_id")
    return row


def handle(
    session: Session,
    scope: JurisdictionScope,
    difficulty_id: int,
    step: GovStep,
    note: str = "",
    at: dt.datetime | None = None,
) -> Difficulty:
    """The department accepts the difficulty, proposes a solution (``note``: the
    solution) or resolves it."""
    row = visible(session, scope, difficulty_id)
    return _step(session, scope, row, step, at, note)


def transfer(
    session: Session,
    scope: JurisdictionScope,
    difficulty_id: int,
    body: TransferIn,
    at: dt.datetime | None = None,
) -> Difficulty:
    """Send it to another department of the enterprise's jurisdiction or one above; that
    department must accept it within the acceptance limit from now."""
    row = visible(session, scope, difficulty_id)
    target_j = body.jurisdiction or row.department_jurisdiction
    if target_j not in rules.chain(session, row.jurisdiction_id) or (
        session.get(Department, (target_j, body.department)) is None
    ):
        raise bad(
            "department",
            msg(
                "no department %(department)s in %(jurisdiction)s (a department of %(home)s or a "
                "jurisdiction above it)",
                department=quote(body.department),
                jurisdiction=quote(target_j),
                home=quote(row.jurisdiction_id),
            ),
        )
    if (target_j, body.department) == (row.department_jurisdiction, row.department_id):
        raise bad(
            "department",
            msg(
                "difficulty %(id)s is already with %(department)s",
                id=row.id,
                department=quote(body.department),
            ),
        )
    return _step(session, scope, row, "transfer", at, body.note, to=(target_j, body.department))


def _step(
    session: Session,
    scope: Scope,
    row: Difficulty,
    step: str,
    at: dt.datetime | None,
    note: str,
    *,
    to: tuple[str, str] | None = None,
    rating: ConfirmIn | None = None,
) -> Difficulty:
    """Move ``row`` by ``step`` at ``at``: the state, the clock, the history, the audit."""
    to_state = _check_step(row, step)
    at = at or clock.now()
    before = row.values()
    minutes = rules.resolved(session, row.jurisdiction_id).minutes
    if step == "accept":
        _miss(row, Limit.accept, at, row.accept_due)
        row.accepted_at = at
    elif step == "transfer":
        assert to is not None
        row.department_jurisdiction, row.department_id = to
        row.accepted_at = None
        row.accept_due = at + _minutes(minutes["accept"])
    elif step == "propose":
        row.solution = note
        if row.proposed_at is None:
            _miss(row, Limit.propose, at, row.propose_due)
            row.proposed_at = at
    elif step == "resolve":
        row.resolved_at = at
    elif step == "confirm":
        assert rating is not None
        _miss(row, Limit.close, at, row.close_due)
        row.closed_at = at
        row.rating, row.rating_comment = rating.rating, rating.comment
    elif step == "reopen":
        row.proposed_at = row.resolved_at = None
        row.propose_due = at + _minutes(minutes["propose"])
        row.close_due = at + _minutes(minutes["close"])
    row.state = to_state.value
    kind = {"accept": "accepted", "propose": "proposed", "resolve": "resolved"}.get(
        step, {"transfer": "transferred", "confirm": "closed", "reopen": "reopened"}.get(step, step)
    )
    _event(session, row, kind, at, scope.actor, note)
    audit.log(
        session,
        scope,
        "update",
        TABLE,
        str(row.id),
        before=before,
        after=row.values(),
        reason=kind,
        jurisdiction=row.jurisdiction_id if isinstance(scope, JurisdictionScope) else None,
    )
    session.flush()
    return row


# -- escalation ---------------------------------------------------------------------------


def escalate_overdue(
    session: Session, at: dt.datetime, actor: str = "keepline:escalation"
) -> list[EscalationOut]:
    """Escalate every open difficulty past a limit to its jurisdiction's command: one
    recorded, audited ``escalated`` event per (difficulty, limit, deadline), so a second
    run at the same or a later time escalates nothing new."""
    at = utc(at)
    open_rows = session.scalars(
        select(Difficulty)
        .where(
            Difficulty.state != S.closed.value,
            (Difficulty.accept_due < at)
            | (Difficulty.propose_due < at)
            | (Difficulty.close_due < at),
        )
        .order_by(Difficulty.id)
    ).all()
    done = {
        (d, lim, utc(due))
        for d, lim, due in session.execute(
            select(
                DifficultyEvent.difficulty_id, DifficultyEvent.limit_name, DifficultyEvent.due_at
            ).where(
                DifficultyEvent.kind == "escalated",
                DifficultyEvent.difficulty_id.in_([r.id for r in open_rows]),
            )
        )
    }
    out = []
    commands: dict[str, tuple[str, str | None]] = {}  # one lookup per jurisdiction
    for row in open_rows:
        if row.jurisdiction_id not in commands:
            commands[row.jurisdiction_id] = rules.resolved(session, row.jurisdiction_id).command
        command = commands[row.jurisdiction_id]
        for limit, due in clock_of(row).overdue(at):
            key = (row.id, limit, due)
            if key in done:
                continue
            done.add(key)
            ev = _event(
                session,
                row,
                "escalated",
                at,
                actor,
                f"{limit} limit passed at {due.isoformat()}",
                to=command,
            )
            ev.limit_name, ev.due_at = limit, due
            session.flush()
            audit.record(
                session,
                enterprise_id=None,
                jurisdiction=command[0],
                actor=actor,
                action="insert",
                table="difficulty_events",
                key=str(ev.id),
                after=ev.values(),
                reason="escalated",
            )
            out.append(
                EscalationOut(
                    difficulty_id=row.id,
                    limit=limit,
                    due_at=due,
                    to_jurisdiction=command[0],
                    to_department=command[1],
                )
            )
    session.flush()
    return out
