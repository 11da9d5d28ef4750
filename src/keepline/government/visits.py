"""Visits of officials to an enterprise, the findings recorded during them, and each
finding's rectification task.

A task moves ``open → answered → verified``; the officer may instead send an answer
back (with a reason), which reopens it, and the enterprise answers again. Anything
else (verifying a task not yet answered, answering a verified one) is refused naming
the field ``status``, and nothing is written. A task is overdue when it is not verified
and its due date has passed in plant time (``FindingOut.overdue``).

Officers reach the visits and findings of the enterprises registered in their
jurisdiction and those under it (as :mod:`registry` does); an enterprise reaches its
own findings only. Anything else is 'not found'. Government writes are audited with
the enterprise's jurisdiction and no enterprise (as the registry's), the enterprise's
answers under its own scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.accounts.models import User
from keepline.audit import service as audit
from keepline.db import columns
from keepline.errors import InputError, NotFound, msg
from keepline.government import jurisdictions, registry
from keepline.government.models import (
    Finding,
    FindingStatus,
    FindingStep,
    Jurisdiction,
    Officer,
    Registration,
    Visit,
)
from keepline.government.schemas import (
    FindingIn,
    FindingOut,
    FindingStepOut,
    RectificationAnswerIn,
    SendBackIn,
    VerifyIn,
    VisitIn,
    VisitOut,
)
from keepline.recordkit import bad, dates_in_order, now
from keepline.scope import EnterpriseScope, JurisdictionScope

VISIT_SORTS = columns(Visit, "day", "id", "enterprise_id")
FINDING_SORTS = columns(Finding, "due_on", "id", "status", "severity", "enterprise_id")


# -- reach ------------------------------------------------------------------------------


def _reach(session: Session, scope: JurisdictionScope, jurisdiction: str | None = None) -> str:
    """The path prefix of the jurisdictions the caller reaches (``jurisdiction``: one of
    them, to narrow a list; outside the caller's reach it is 'not found')."""
    return jurisdictions.within(session, scope, jurisdiction).path


def _under(path: str) -> Select[tuple[str]]:
    """The enterprises registered in a jurisdiction under ``path``."""
    return (
        select(Registration.enterprise_id)
        .join(Jurisdiction, Jurisdiction.id == Registration.jurisdiction_id)
        .where(Jurisdiction.path.startswith(path, autoescape=True))
    )


def _reached(
    session: Session, scope: JurisdictionScope, model: type[Visit] | type[Finding], key: int
) -> Visit | Finding | None:
    """The row if the caller oversees its enterprise, else None."""
    row = session.get(model, key)
    if row is None:
        return None
    try:
        registry.visible(session, scope, row.enterprise_id)
    except NotFound:
        return None
    return row


def visit_of(session: Session, scope: JurisdictionScope, visit_id: int) -> Visit:
    """The visit if the caller oversees its enterprise, else 'not found'."""
    row = _reached(session, scope, Visit, visit_id)
    if not isinstance(row, Visit):
        raise NotFound(msg("no visit %(id)s", id=visit_id), field="visit_id")
    return row


def finding_of(session: Session, scope: JurisdictionScope, finding_id: int) -> Finding:
    """The finding if the caller oversees its enterprise, else 'not found'."""
    row = _reached(session, scope, Finding, finding_id)
    if not isinstance(row, Finding):
        raise NotFound(msg("no finding %(id)s", id=finding_id), field="finding_id")
    return row


def own_finding(session: Session, scope: EnterpriseScope, finding_id: int) -> Finding:
    """The calling enterprise's finding, else 'not found'."""
    row = session.get(Finding, finding_id)
    if row is None or row.enterprise_id != scope.enterprise_id:
        raise NotFound(msg("no rectification task %(id)s", id=finding_id), field="finding_id")
    return row


# -- writes ------------------------------------------------------------------------------


def _check_visitors(session: Session, scope: JurisdictionScope, visitors: list[str]) -> list[str]:
    """Visitors as given (trimmed); an e-mail must be an officer the caller reaches, any
    other text is a leader's name taken as written."""
    names = [v.strip() for v in visitors]
    problems = [f"visitors[{i}]: empty" for i, v in enumerate(names) if not v]
    emails = {v.lower() for v in names if "@" in v}
    found: set[str] = set()
    if emails:
        path = jurisdictions.home(session, scope).path
        found = set(
            session.scalars(
                select(User.email)
                .join(Officer, Officer.user_id == User.id)
                .join(Jurisdiction, Jurisdiction.id == Officer.jurisdiction_id)
                .where(User.email.in_(emails), Jurisdiction.path.startswith(path, autoescape=True))
            )
        )
    for i, v in enumerate(names):
        if "@" in v and v.lower() not in found:
            problems.append(f"visitors[{i}]: no officer '{v}' in '{scope.jurisdiction}'")
    if problems:
        err = InputError(problems)
        err.field = "visitors"
        raise err
    return [v.lower() if "@" in v else v for v in names]


def add_visit(session: Session, scope: JurisdictionScope, body: VisitIn) -> Visit:
    reg = registry.visible(session, scope, body.enterprise_id)
    visitors = _check_visitors(session, scope, body.visitors)
    topics = list(dict.fromkeys(t.value for t in body.topics))
    row = Visit(
        enterprise_id=reg.enterprise_id,
        jurisdiction_id=scope.jurisdiction,
        day=body.day,
        visitors=visitors,
        topics=topics,
        notes=body.notes.strip(),
        created_by=scope.actor,
        created_at=now(),
    )
    audit.add(session, scope, row, "gov_visits", jurisdiction=reg.jurisdiction_id)
    return row


def _step(
    session: Session,
    scope: JurisdictionScope | EnterpriseScope,
    finding: Finding,
    step: str,
    text: str,
    jurisdiction: str | None,
    attachment: str | None = None,
) -> None:
    row = FindingStep(
        finding_id=finding.id,
        step=step,
        text=text,
        attachment_name=attachment,
        actor=scope.actor,
        at=finding.updated_at,
    )
    audit.add(session, scope, row, "gov_finding_steps", jurisdiction=jurisdiction)


def add_finding(
    session: Session, scope: JurisdictionScope, visit_id: int, body: FindingIn
) -> Finding:
    """Record a finding of the visit: a rectification task, open, due on ``due_on``."""
    visit = visit_of(session, scope, visit_id)
    dates_in_order(("the visit's day", visit.day), ("due_on", body.due_on))
    reg = registry.visible(session, scope, visit.enterprise_id)
    at = now()
    row = Finding(
        visit_id=visit.id,
        enterprise_id=visit.enterprise_id,
        category=body.category.value,
        severity=body.severity.value,
        text=body.text.strip(),
        due_on=body.due_on,
        status=FindingStatus.open.value,
        created_by=scope.actor,
        created_at=at,
        updated_at=at,
    )
    audit.add(session, scope, row, "gov_findings", jurisdiction=reg.jurisdiction_id)
    _step(session, scope, row, "recorded", row.text, reg.jurisdiction_id)
    return row


def _move(
    session: Session,
    scope: JurisdictionScope | EnterpriseScope,
    row: Finding,
    allowed_from: str,
    to: str,
    verb: str,
    jurisdiction: str | None,
    **changes: str | None,
) -> dict[str, object]:
    """Check the transition (before anything is written) and apply it, audited."""
    if row.status != allowed_from:
        raise bad(
            "status",
            f"rectification task {row.id} is {row.status}: only {allowed_from} tasks can be {verb}",
        )
    before = row.values()
    row.status = to
    for k, v in changes.items():
        setattr(row, k, v)
    row.updated_at = now()
    audit.log(
        session,
        scope,
        "update",
        "gov_findings",
        str(row.id),
        before=before,
        after=row.values(),
        jurisdiction=jurisdiction,
    )
    return before


def answer(
    session: Session, scope: EnterpriseScope, finding_id: int, body: RectificationAnswerIn
) -> Finding:
    """The enterprise says what it did (an open task, new or sent back)."""
    row = own_finding(session, scope, finding_id)
    text = body.text.strip()
    _move(
        session,
        scope,
        row,
        FindingStatus.open.value,
        FindingStatus.answered.value,
        "answered",
        None,
        answer=text,
        attachment_name=body.attachment_name,
    )
    _step(session, scope, row, "answered", text, None, body.attachment_name)
    return row


def verify(session: Session, scope: JurisdictionScope, finding_id: int, body: VerifyIn) -> Finding:
    """The officer accepts the answer: the task is closed."""
    row = finding_of(session, scope, finding_id)
    jur = registry.visible(session, scope, row.enterprise_id).jurisdiction_id
    _move(
        session,
        scope,
        row,
        FindingStatus.answered.value,
        FindingStatus.verified.value,
        "verified",
        jur,
    )
    _step(session, scope, row, "verified", body.note.strip(), jur)
    return row


def send_back(
    session: Session, scope: JurisdictionScope, finding_id: int, body: SendBackIn
) -> Finding:
    """The officer refuses the answer, with a reason: the task is open again."""
    row = finding_of(session, scope, finding_id)
    jur = registry.visible(session, scope, row.enterprise_id).jurisdiction_id
    reason = body.reason.strip()
    _move(
        session,
        scope,
        row,
        FindingStatus.answered.value,
        FindingStatus.open.value,
        "sent back",
        jur,
        sent_back_reason=reason,
    )
    _step(session, scope, row, "sent-back", reason, jur)
    return row


# -- reads -------------------------------------------------------------------------------


def _steps(session: Session, ids: list[int]) -> dict[int, list[FindingStepOut]]:
    out: dict[int, list[FindingStepOut]] = defaultdict(list)
    if not ids:
        return out
    for st in session.scalars(
        select(FindingStep).where(FindingStep.finding_id.in_(ids)).order_by(FindingStep.id)
    ):
        out[st.finding_id].append(FindingStepOut.model_validate(st, from_attributes=True))
    return out


def finding_out(session: Session, row: Finding) -> FindingOut:
    out = FindingOut.model_validate(row, from_attributes=True)
    out.steps = _steps(session, [row.id]).get(row.id, [])
    return out


def visit_out(session: Session, row: Visit) -> VisitOut:
    findings = session.scalars(
        select(Finding).where(Finding.visit_id == row.id).order_by(Finding.id)
    ).all()
    steps = _steps(session, [f.id for f in findings])
    out = VisitOut.model_validate(row, from_attributes=True)
    out.findings = [
        FindingOut.model_validate(f, from_attributes=True).model_copy(
            update={"steps": steps.get(f.id, [])}
        )
        for f in findings
    ]
    return out


def visits_query(
    session: Session,
    scope: JurisdictionScope,
    *,
    enterprise_id: str | None = None,
    jurisdiction: str | None = None,
) -> Select[tuple[Visit]]:
    """The visits to the enterprises the caller oversees (for ``list_page``)."""
    q = select(Visit).where(Visit.enterprise_id.in_(_under(_reach(session, scope, jurisdiction))))
    if enterprise_id:
        q = q.where(Visit.enterprise_id == enterprise_id)
    return q


def _overdue(q: Select[tuple[Finding]], overdue: bool | None) -> Select[tuple[Finding]]:
    if overdue is None:
        return q
    late = (Finding.status != FindingStatus.verified.value) & (Finding.due_on < clock.today())
    return q.where(late if overdue else ~late)


def findings_query(
    session: Session,
    scope: JurisdictionScope,
    *,
    status: FindingStatus | None = None,
    overdue: bool | None = None,
    enterprise_id: str | None = None,
    jurisdiction: str | None = None,
) -> Select[tuple[Finding]]:
    """The findings of the enterprises the caller oversees (for ``list_page``)."""
    q = select(Finding).where(
        Finding.enterprise_id.in_(_under(_reach(session, scope, jurisdiction)))
    )
    if enterprise_id:
        q = q.where(Finding.enterprise_id == enterprise_id)
    if status:
        q = q.where(Finding.status == status.value)
    return _overdue(q, overdue)


def own_findings_query(
    scope: EnterpriseScope, *, status: FindingStatus | None = None, overdue: bool | None = None
) -> Select[tuple[Finding]]:
    """The calling enterprise's rectification tasks (for ``list_page``)."""
    q = select(Finding).where(Finding.enterprise_id == scope.enterprise_id)
    if status:
        q = q.where(Finding.status == status.value)
    return _overdue(q, overdue)


def open_counts(session: Session, enterprise_id: str, day: dt.date) -> tuple[int, int]:
    """(not verified, of which overdue on ``day``) of the enterprise: for the briefing."""
    n, late = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Finding.due_on < day, 1), else_=0)), 0),
        ).where(
            Finding.enterprise_id == enterprise_id,
            Finding.status != FindingStatus.verified.value,
        )
    ).one()
    return int(n), int(late)
