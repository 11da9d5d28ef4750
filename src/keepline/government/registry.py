"""The registry of enterprises: registration, lists (tags) with date and document,
liaison officers with their history, and the work-resumption state with its history.

Every read goes through :func:`visible`: an enterprise outside the caller's jurisdiction
(and those under it) is 'not found', exactly like one that does not exist. Government
writes are audited with the jurisdiction and no enterprise, so the enterprise's own
audit log never shows the government's notes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.accounts.models import User
from keepline.audit import service as audit
from keepline.errors import NotFound
from keepline.government import jurisdictions
from keepline.government.models import (
    Jurisdiction,
    Liaison,
    Listing,
    Officer,
    Registration,
    ResumptionChange,
    ResumptionState,
)
from keepline.government.schemas import (
    DelistIn,
    EnterpriseOut,
    LiaisonIn,
    LiaisonOut,
    ListingIn,
    ListingOut,
    RegistrationIn,
    RegistrationOut,
    ResumptionChangeOut,
    ResumptionStateIn,
)
from keepline.plant import models as pm
from keepline.recordkit import bad, dates_in_order, now
from keepline.scope import EnterpriseScope, JurisdictionScope


def in_scope(session: Session, scope: JurisdictionScope) -> Select[tuple[Registration]]:
    """Registrations in the caller's jurisdiction and under it."""
    root = jurisdictions.home(session, scope)
    return (
        select(Registration)
        .join(Jurisdiction, Jurisdiction.id == Registration.jurisdiction_id)
        .where(Jurisdiction.path.startswith(root.path, autoescape=True))
    )


def visible(session: Session, scope: JurisdictionScope, enterprise_id: str) -> Registration:
    """The registration of ``enterprise_id`` if the caller oversees it, else 'not found'."""
    root = jurisdictions.home(session, scope)
    row = session.execute(
        select(Registration, Jurisdiction.path)
        .join(Jurisdiction, Jurisdiction.id == Registration.jurisdiction_id)
        .where(Registration.enterprise_id == enterprise_id)
    ).first()
    if row is None or not row[1].startswith(root.path):
        raise NotFound(f"no enterprise '{enterprise_id}' in the registry", field="enterprise_id")
    return row[0]


def own(session: Session, scope: EnterpriseScope) -> Registration:
    """The calling enterprise's registration (it must be registered to report or apply)."""
    row = session.get(Registration, scope.enterprise_id)
    if row is None:
        raise bad("enterprise", f"'{scope.enterprise_id}' is not registered with a jurisdiction")
    return row


def register(session: Session, scope: JurisdictionScope, body: RegistrationIn) -> Registration:
    ent = session.get(pm.Enterprise, body.enterprise_id)
    if ent is None:
        raise bad("enterprise_id", f"no enterprise '{body.enterprise_id}' (load its plant file)")
    where = body.jurisdiction or ent.jurisdiction
    if session.get(Jurisdiction, where) is None:
        raise bad("jurisdiction", f"no jurisdiction '{where}'")
    jur = jurisdictions.within(session, scope, where)
    if session.get(Registration, body.enterprise_id) is not None:
        raise bad("enterprise_id", f"'{body.enterprise_id}' is already registered")
    day = body.registered_on or clock.today()
    reg = Registration(
        enterprise_id=ent.id,
        jurisdiction_id=jur.id,
        industry=body.industry,
        scale=body.scale.value,
        address=body.address,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        resumption_state=ResumptionState.not_resumed.value,
        registered_on=day,
        registered_by=scope.actor,
    )
    session.add(reg)
    session.flush()
    change = ResumptionChange(
        enterprise_id=ent.id,
        state=ResumptionState.not_resumed.value,
        previous=None,
        day=day,
        reason="registered",
        application_id=None,
        actor=scope.actor,
        at=now(),
    )
    session.add(change)
    audit.log(
        session,
        scope,
        "insert",
        "gov_registrations",
        ent.id,
        after=reg.values(),
        jurisdiction=jur.id,
    )
    return reg


def listing_add(
    session: Session, scope: JurisdictionScope, enterprise_id: str, body: ListingIn
) -> Listing:
    reg = visible(session, scope, enterprise_id)
    current = session.scalar(
        select(Listing).where(
            Listing.enterprise_id == enterprise_id,
            Listing.tag == body.tag,
            Listing.delisted_on.is_(None),
        )
    )
    if current is not None:
        raise bad("tag", f"'{enterprise_id}' is on '{body.tag}' since {current.listed_on}")
    row = Listing(
        enterprise_id=enterprise_id,
        tag=body.tag,
        listed_on=body.listed_on,
        document=body.document,
        actor=scope.actor,
    )
    audit.add(session, scope, row, "gov_listings", jurisdiction=reg.jurisdiction_id)
    return row


def listing_end(
    session: Session, scope: JurisdictionScope, enterprise_id: str, tag: str, body: DelistIn
) -> Listing:
    reg = visible(session, scope, enterprise_id)
    row = session.scalar(
        select(Listing).where(
            Listing.enterprise_id == enterprise_id,
            Listing.tag == tag,
            Listing.delisted_on.is_(None),
        )
    )
    if row is None:
        raise NotFound(f"'{enterprise_id}' is not on '{tag}'", field="tag")
    dates_in_order(("listed_on", row.listed_on), ("delisted_on", body.delisted_on))
    before = row.values()
    row.delisted_on = body.delisted_on
    row.delist_document = body.document
    audit.log(
        session,
        scope,
        "update",
        "gov_listings",
        str(row.id),
        before=before,
        after=row.values(),
        jurisdiction=reg.jurisdiction_id,
    )
    return row


def _officer(session: Session, scope: JurisdictionScope, email: str) -> User:
    root = jurisdictions.home(session, scope)
    row = session.execute(
        select(User, Jurisdiction.path)
        .join(Officer, Officer.user_id == User.id)
        .join(Jurisdiction, Jurisdiction.id == Officer.jurisdiction_id)
        .where(User.email == email.strip().lower())
    ).first()
    if row is None or not row[1].startswith(root.path):
        raise bad("officer", f"no officer '{email}' in '{root.id}'")
    return row[0]


def assign_liaison(
    session: Session, scope: JurisdictionScope, enterprise_id: str, body: LiaisonIn
) -> Liaison:
    """Make ``officer`` the enterprise's liaison from ``start_on``; the previous one's
    assignment ends the day before (the history stays)."""
    reg = visible(session, scope, enterprise_id)
    user = _officer(session, scope, body.officer)
    current = session.scalar(
        select(Liaison).where(Liaison.enterprise_id == enterprise_id, Liaison.end_on.is_(None))
    )
    if current is not None:
        if current.officer_id == user.id:
            raise bad("officer", f"'{user.email}' is already the liaison")
        dates_in_order(
            ("the current liaison's start_on", current.start_on), ("start_on", body.start_on)
        )
        before = current.values()
        current.end_on = max(current.start_on, body.start_on - dt.timedelta(days=1))
        audit.log(
            session,
            scope,
            "update",
            "gov_liaisons",
            str(current.id),
            before=before,
            after=current.values(),
            jurisdiction=reg.jurisdiction_id,
        )
    row = Liaison(
        enterprise_id=enterprise_id, officer_id=user.id, start_on=body.start_on, actor=scope.actor
    )
    audit.add(session, scope, row, "gov_liaisons", jurisdiction=reg.jurisdiction_id)
    return row


def change_state(
    session: Session,
    reg: Registration,
    actor: str,
    state: str,
    day: dt.date,
    reason: str,
    application_id: int | None = None,
) -> ResumptionChange:
    """Set the work-resumption state from ``day`` on (the one writer of the state)."""
    latest = session.scalar(
        select(ResumptionChange)
        .where(ResumptionChange.enterprise_id == reg.enterprise_id)
        .order_by(ResumptionChange.day.desc(), ResumptionChange.id.desc())
        .limit(1)
    )
    if latest is not None and day < latest.day:
        raise bad("day", f"{day} is before the last change of state ({latest.day})")
    row = ResumptionChange(
        enterprise_id=reg.enterprise_id,
        state=state,
        previous=reg.resumption_state,
        day=day,
        reason=reason,
        application_id=application_id,
        actor=actor,
        at=now(),
    )
    session.add(row)
    before = reg.values()
    reg.resumption_state = state
    session.flush()
    audit.record(
        session,
        enterprise_id=None,
        jurisdiction=reg.jurisdiction_id,
        actor=actor,
        action="update",
        table="gov_registrations",
        key=reg.enterprise_id,
        before=before,
        after=reg.values(),
        reason=reason,
    )
    return row


def set_state(
    session: Session, scope: JurisdictionScope, enterprise_id: str, body: ResumptionStateIn
) -> ResumptionChange:
    reg = visible(session, scope, enterprise_id)
    return change_state(session, reg, scope.actor, body.state.value, body.day, body.reason)


# -- reads -----------------------------------------------------------------------------


def _active_tags(session: Session, eids: list[str], day: dt.date) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if not eids:
        return out
    rows = session.execute(
        select(Listing.enterprise_id, Listing.tag)
        .where(
            Listing.enterprise_id.in_(eids),
            Listing.listed_on <= day,
            or_(Listing.delisted_on.is_(None), Listing.delisted_on > day),
        )
        .order_by(Listing.tag)
    )
    for eid, tag in rows:
        out[eid].append(tag)
    return out


def _liaisons(session: Session, eids: list[str]) -> dict[str, str]:
    if not eids:
        return {}
    rows = session.execute(
        select(Liaison.enterprise_id, User.email)
        .join(User, User.id == Liaison.officer_id)
        .where(Liaison.enterprise_id.in_(eids), Liaison.end_on.is_(None))
    )
    return dict(rows.all())


def list_registry(
    session: Session,
    scope: JurisdictionScope,
    *,
    jurisdiction: str | None = None,
    industry: str | None = None,
    tag: str | None = None,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[RegistrationOut]]:
    root = jurisdictions.within(session, scope, jurisdiction)
    q = (
        select(Registration, pm.Enterprise.name)
        .join(Jurisdiction, Jurisdiction.id == Registration.jurisdiction_id)
        .join(pm.Enterprise, pm.Enterprise.id == Registration.enterprise_id)
        .where(Jurisdiction.path.startswith(root.path, autoescape=True))
    )
    if industry:
        q = q.where(Registration.industry == industry)
    if state:
        q = q.where(Registration.resumption_state == state)
    if tag:
        q = q.where(
            Registration.enterprise_id.in_(
                select(Listing.enterprise_id).where(
                    and_(Listing.tag == tag, Listing.delisted_on.is_(None))
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    page = session.execute(q.order_by(Registration.enterprise_id).limit(limit).offset(offset)).all()
    eids = [r.enterprise_id for r, _ in page]
    tags = _active_tags(session, eids, clock.today())
    liaison = _liaisons(session, eids)
    return total, [
        _out(r, name, tags.get(r.enterprise_id, []), liaison.get(r.enterprise_id))
        for r, name in page
    ]


def _out(r: Registration, name: str, tags: list[str], liaison: str | None) -> RegistrationOut:
    return RegistrationOut(
        enterprise_id=r.enterprise_id,
        name=name,
        jurisdiction=r.jurisdiction_id,
        industry=r.industry,
        scale=r.scale,
        address=r.address,
        contact_name=r.contact_name,
        contact_phone=r.contact_phone,
        resumption_state=r.resumption_state,
        registered_on=r.registered_on,
        tags=tags,
        liaison=liaison,
    )


def enterprise(session: Session, scope: JurisdictionScope, enterprise_id: str) -> EnterpriseOut:
    reg = visible(session, scope, enterprise_id)
    ent = session.get(pm.Enterprise, enterprise_id)
    name = ent.name if ent else enterprise_id
    listings = session.scalars(
        select(Listing).where(Listing.enterprise_id == enterprise_id).order_by(Listing.id)
    ).all()
    liaisons = session.execute(
        select(Liaison, User.email)
        .join(User, User.id == Liaison.officer_id)
        .where(Liaison.enterprise_id == enterprise_id)
        .order_by(Liaison.start_on, Liaison.id)
    ).all()
    history = session.scalars(
        select(ResumptionChange)
        .where(ResumptionChange.enterprise_id == enterprise_id)
        .order_by(ResumptionChange.day, ResumptionChange.id)
    ).all()
    base = _out(
        reg,
        name,
        sorted(x.tag for x in listings if x.delisted_on is None),
        next((e for li, e in liaisons if li.end_on is None), None),
    )
    return EnterpriseOut(
        **base.model_dump(),
        listings=[ListingOut.model_validate(x, from_attributes=True) for x in listings],
        liaisons=[
            LiaisonOut(id=li.id, officer=e, start_on=li.start_on, end_on=li.end_on)
            for li, e in liaisons
        ],
        resumption_history=[
            ResumptionChangeOut.model_validate(h, from_attributes=True) for h in history
        ],
    )
