"""Resumption applications: the checklists (versioned data per jurisdiction), the
enterprise's application with its answers and evidence, the jurisdiction's review
(on-site check; approve, approve in part, or return with reasons per item) and the
work-resumption state that follows the decision."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import NotFound
from keepline.government import jurisdictions, registry
from keepline.government.models import (
    DECIDED,
    Answer,
    Application,
    ApplicationStatus,
    Checklist,
    Jurisdiction,
    Registration,
    ResumptionState,
)
from keepline.government.schemas import (
    AnswerOut,
    ApplicationIn,
    ApplicationOut,
    ChecklistFile,
    DecisionIn,
    OnsiteCheckIn,
)
from keepline.plant import models as pm
from keepline.recordkit import bad, now, owned
from keepline.scope import EnterpriseScope, JurisdictionScope

MAX_EVIDENCE_BYTES = 2_000_000


# -- checklists -----------------------------------------------------------------------


def load_checklist(session: Session, file: ChecklistFile, actor: str) -> Checklist:
    """Store one version of a checklist; a version, once loaded, never changes."""
    jurisdictions.get(session, file.jurisdiction)
    key = (file.jurisdiction, file.id, file.version)
    items = [i.model_dump() for i in file.items]
    old = session.get(Checklist, key)
    if old is not None:
        if old.items != items or old.title != file.title:
            raise bad(
                "version",
                f"checklist '{file.id}' version {file.version} of '{file.jurisdiction}' is "
                "loaded with other items: give the new one a new version",
            )
        return old
    row = Checklist(
        jurisdiction_id=file.jurisdiction,
        id=file.id,
        version=file.version,
        title=file.title,
        items=items,
        loaded_at=now(),
        loaded_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        enterprise_id=None,
        jurisdiction=file.jurisdiction,
        actor=actor,
        action="insert",
        table="gov_checklists",
        key=f"{file.jurisdiction}/{file.id}/{file.version}",
        after={"title": file.title, "items": [i["id"] for i in items]},
    )
    return row


def checklist_for(
    session: Session, reg: Registration, checklist_id: str = "resumption"
) -> Checklist:
    """The latest version of the checklist of the enterprise's jurisdiction or, when it
    has none, of the nearest jurisdiction above it."""
    node: Jurisdiction | None = session.get(Jurisdiction, reg.jurisdiction_id)
    while node is not None:
        row = session.scalar(
            select(Checklist)
            .where(Checklist.jurisdiction_id == node.id, Checklist.id == checklist_id)
            .order_by(Checklist.version.desc())
            .limit(1)
        )
        if row is not None:
            return row
        node = session.get(Jurisdiction, node.parent_id) if node.parent_id else None
    raise bad("checklist", f"no resumption checklist for '{reg.jurisdiction_id}' or above it")


# -- the enterprise's application -------------------------------------------------------


def _evidence(answer: Any, field: str) -> tuple[str | None, str | None, bytes | None]:
    if answer.evidence_base64 is None:
        return None, None, None
    try:
        data = base64.b64decode(answer.evidence_base64, validate=True)
    except (binascii.Error, ValueError):
        raise bad(field, "evidence_base64 is not base64") from None
    if len(data) > MAX_EVIDENCE_BYTES:
        raise bad(field, f"evidence larger than {MAX_EVIDENCE_BYTES} bytes")
    return answer.evidence_name or "evidence", hashlib.sha256(data).hexdigest(), data


def submit(
    session: Session,
    scope: EnterpriseScope,
    body: ApplicationIn,
    suggested: dict[str, tuple[str, str]],
) -> Application:
    """File an application; ``suggested`` (item → answer, note) fills the items the
    enterprise did not answer (when ``body.prefill``). Every item must end up answered;
    an item the checklist does not have is refused; nothing is written on an error."""
    reg = registry.own(session, scope)
    open_ = session.scalar(
        select(Application.id).where(
            Application.enterprise_id == scope.enterprise_id,
            Application.status.in_(
                (ApplicationStatus.submitted.value, ApplicationStatus.onsite_check.value)
            ),
        )
    )
    if open_ is not None:
        raise bad("application", f"application {open_} is still under review")
    checklist = checklist_for(session, reg)
    items = {i["id"]: i for i in checklist.items}
    given: dict[str, Any] = {}
    for n, a in enumerate(body.answers):
        if a.item not in items:
            raise bad(
                f"answers[{n}].item",
                f"checklist '{checklist.id}' v{checklist.version} has no item '{a.item}'",
            )
        if a.item in given:
            raise bad(f"answers[{n}].item", f"'{a.item}' answered twice")
        given[a.item] = a
    for kind, wanted in (("line", body.lines), ("zone", body.zones)):
        model = pm.Line if kind == "line" else pm.Zone
        for x in wanted:
            if session.get(model, (scope.enterprise_id, x)) is None:
                raise bad(f"{kind}s", f"no {kind} '{x}' in the plant")
    app = Application(
        enterprise_id=scope.enterprise_id,
        checklist_jurisdiction=checklist.jurisdiction_id,
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        status=ApplicationStatus.submitted.value,
        resume_on=body.resume_on,
        employees_total=body.employees_total,
        employees_returning=body.employees_returning,
        employees_from_risk_areas=body.employees_from_risk_areas,
        prevention_plan=body.prevention_plan,
        emergency_plan=body.emergency_plan,
        lines=list(body.lines),
        zones=list(body.zones),
        submitted_by=scope.actor,
        submitted_at=now(),
    )
    answers = []
    for n, item_id in enumerate(items):
        a = given.get(item_id)
        if a is not None:
            name, sha, data = _evidence(a, f"answers[{n}].evidence_base64")
            item = items[item_id]
            if item["evidence"] == "file" and data is None:
                raise bad(f"answers[{n}].evidence_base64", f"item '{item_id}' needs a file")
            answers.append(
                Answer(
                    item_id=item_id,
                    answer=a.answer,
                    note=a.note,
                    prefilled=False,
                    evidence_name=name,
                    evidence_sha256=sha,
                    evidence=data,
                )
            )
        elif body.prefill and item_id in suggested:
            ans, note = suggested[item_id]
            answers.append(Answer(item_id=item_id, answer=ans, note=note, prefilled=True))
        else:
            raise bad("answers", f"item '{item_id}' is not answered")
    session.add(app)
    session.flush()
    for a in answers:
        a.application_id = app.id
        session.add(a)
    session.flush()
    audit.log(
        session,
        scope,
        "insert",
        "gov_applications",
        str(app.id),
        after={
            **{k: v for k, v in app.values().items() if k not in ("internal_note",)},
            "answers": {a.item_id: a.answer for a in answers},
        },
        jurisdiction=reg.jurisdiction_id,
    )
    return app


# -- reads ----------------------------------------------------------------------------


def _out(session: Session, app: Application, *, internal: bool) -> ApplicationOut:
    checklist = session.get(
        Checklist, (app.checklist_jurisdiction, app.checklist_id, app.checklist_version)
    )
    items = {i["id"]: i for i in (checklist.items if checklist else [])}
    answers = session.scalars(select(Answer).where(Answer.application_id == app.id)).all()
    order = {k: n for n, k in enumerate(items)}
    return ApplicationOut(
        id=app.id,
        enterprise_id=app.enterprise_id,
        checklist=app.checklist_id,
        checklist_version=app.checklist_version,
        status=app.status,
        resume_on=app.resume_on,
        employees_total=app.employees_total,
        employees_returning=app.employees_returning,
        employees_from_risk_areas=app.employees_from_risk_areas,
        prevention_plan=app.prevention_plan,
        emergency_plan=app.emergency_plan,
        lines=app.lines,
        zones=app.zones,
        approved_lines=app.approved_lines,
        approved_zones=app.approved_zones,
        onsite_check_note=app.onsite_check_note,
        decision_reason=app.decision_reason,
        submitted_at=app.submitted_at,
        decided_at=app.decided_at,
        answers=[
            AnswerOut(
                item=a.item_id,
                group=items.get(a.item_id, {}).get("group", ""),
                text=items.get(a.item_id, {}).get("text", ""),
                veto=bool(items.get(a.item_id, {}).get("veto", False)),
                answer=a.answer,
                note=a.note,
                prefilled=a.prefilled,
                evidence_name=a.evidence_name,
                evidence_sha256=a.evidence_sha256,
                review=a.review,
                review_reason=a.review_reason,
            )
            for a in sorted(answers, key=lambda a: order.get(a.item_id, 1 << 30))
        ],
        internal_note=app.internal_note if internal else None,
    )


def _visible_app(session: Session, scope: JurisdictionScope, application_id: int) -> Application:
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound(f"no application {application_id}", field="application_id")
    try:
        registry.visible(session, scope, app.enterprise_id)
    except NotFound:
        raise NotFound(f"no application {application_id}", field="application_id") from None
    return app


def for_jurisdiction(
    session: Session, scope: JurisdictionScope, application_id: int
) -> ApplicationOut:
    return _out(session, _visible_app(session, scope, application_id), internal=True)


def list_for_jurisdiction(
    session: Session, scope: JurisdictionScope, status: str | None, jurisdiction: str | None
) -> list[ApplicationOut]:
    root = jurisdictions.within(session, scope, jurisdiction)
    q = (
        select(Application)
        .join(Registration, Registration.enterprise_id == Application.enterprise_id)
        .join(Jurisdiction, Jurisdiction.id == Registration.jurisdiction_id)
        .where(Jurisdiction.path.startswith(root.path, autoescape=True))
        .order_by(Application.id)
    )
    if status:
        q = q.where(Application.status == status)
    return [_out(session, a, internal=True) for a in session.scalars(q)]


def for_enterprise(session: Session, scope: EnterpriseScope, application_id: int) -> ApplicationOut:
    message = f"no application {application_id}"
    app = owned(session, scope, Application, application_id, message, field="application_id")
    return _out(session, app, internal=False)


def list_for_enterprise(session: Session, scope: EnterpriseScope) -> list[ApplicationOut]:
    return [
        _out(session, a, internal=False)
        for a in session.scalars(
            select(Application)
            .where(Application.enterprise_id == scope.enterprise_id)
            .order_by(Application.id)
        )
    ]


# -- the review -----------------------------------------------------------------------


def _undecided(app: Application) -> None:
    if app.status in DECIDED:
        raise bad("decision", f"application {app.id} was already decided ({app.status})")


def require_onsite(
    session: Session, scope: JurisdictionScope, application_id: int, body: OnsiteCheckIn
) -> Application:
    app = _visible_app(session, scope, application_id)
    _undecided(app)
    before = app.values()
    app.status = ApplicationStatus.onsite_check.value
    app.onsite_check_by = scope.actor
    app.onsite_check_note = body.note
    audit.log(
        session, scope, "update", "gov_applications", str(app.id), before=before, after=app.values()
    )
    return app


def decide(
    session: Session, scope: JurisdictionScope, application_id: int, body: DecisionIn
) -> Application:
    app = _visible_app(session, scope, application_id)
    _undecided(app)
    reg = registry.visible(session, scope, app.enterprise_id)
    answers = {
        a.item_id: a for a in session.scalars(select(Answer).where(Answer.application_id == app.id))
    }
    checklist = session.get(
        Checklist, (app.checklist_jurisdiction, app.checklist_id, app.checklist_version)
    )
    items = {i["id"]: i for i in (checklist.items if checklist else [])}
    for n, r in enumerate(body.items):
        if r.item not in answers:
            raise bad(f"items[{n}].item", f"the checklist has no item '{r.item}'")
        if r.review == "rework" and not r.reason:
            raise bad(f"items[{n}].reason", f"give the reason to rework '{r.item}'")
    if body.decision != "return":
        vetoed = [
            k for k, a in answers.items() if items.get(k, {}).get("veto") and a.answer == "no"
        ]
        if vetoed:
            raise bad("decision", f"veto item '{vetoed[0]}' is answered 'no': return it instead")
    for kind, wanted, asked in (("lines", body.lines, app.lines), ("zones", body.zones, app.zones)):
        model = pm.Line if kind == "lines" else pm.Zone
        for x in wanted:
            if asked and x not in asked:
                raise bad(kind, f"'{x}' was not asked for")
            if session.get(model, (app.enterprise_id, x)) is None:
                raise bad(kind, f"no {kind[:-1]} '{x}' in the plant")
    before = app.values()
    for r in body.items:
        a = answers[r.item]
        a.review = r.review
        a.review_reason = r.reason or None
    app.status = {
        "approve": ApplicationStatus.approved.value,
        "approve-in-part": ApplicationStatus.approved_in_part.value,
        "return": ApplicationStatus.returned.value,
    }[body.decision]
    app.decision_reason = body.reason
    app.internal_note = body.internal_note or None
    if body.decision == "approve-in-part":
        app.approved_lines = list(body.lines)
        app.approved_zones = list(body.zones)
    app.decided_by = scope.actor
    app.decided_at = now()
    session.flush()
    audit.log(
        session,
        scope,
        "update",
        "gov_applications",
        str(app.id),
        before=before,
        after={**app.values(), "reviews": {r.item: r.review for r in body.items}},
        reason=body.reason,
        jurisdiction=reg.jurisdiction_id,
    )
    state = {
        "approve": ResumptionState.fully.value,
        "approve-in-part": ResumptionState.partly.value,
    }.get(body.decision)
    if state is not None:
        registry.change_state(
            session,
            reg,
            scope.actor,
            state,
            body.day,
            f"application {app.id}: {body.reason}",
            app.id,
        )
    return app
