"""Workers' personal declaration links: issue, revoke, resolve (a service).

A token is ``[enterprise_id, employee_no, generation]`` signed with the server's key
(itsdangerous, salt ``declare``); it resolves only while its generation is the one in
``declaration_links`` and the worker is employed. Issuing and revoking are audited.
The token carries no personal data beyond the employee number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.console.models import DeclarationLink
from keepline.errors import NotFound
from keepline.people.models import Worker, employed_on
from keepline.scope import EnterpriseScope, Role

SALT = "declare"
WORKER_ACTOR = "worker:{}"


@dataclass(frozen=True)
class LinkHolder:
    """Whom a valid token belongs to."""

    enterprise_id: str
    employee_no: str
    name: str

    def scope(self) -> EnterpriseScope:
        """The scope a declaration through the link is made under: the worker as actor,
        with the least role (no personal data, no other worker's records)."""
        return EnterpriseScope(
            self.enterprise_id, WORKER_ACTOR.format(self.employee_no), Role.viewer
        )


def _serializer(key: bytes) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=SALT)


def _values(link: DeclarationLink) -> dict[str, object]:
    return dict(generation=link.generation, issued_by=link.issued_by, issued_at=link.issued_at)


def tokens(
    session: Session,
    scope: EnterpriseScope,
    employee_nos: Sequence[str],
    key: bytes,
    *,
    revoke: bool = False,
    issue: bool = True,
) -> dict[str, str]:
    """The link token of each worker (issued at generation 1 the first time; a new
    generation, which ends every earlier token, when ``revoke``). Unknown workers: 404.
    ``issue`` False: a read, writing nothing; a worker with no link yet has no token."""
    eid = scope.enterprise_id
    known = set(
        session.scalars(
            select(Worker.employee_no).where(
                Worker.enterprise_id == eid, Worker.employee_no.in_(list(employee_nos))
            )
        )
    )
    missing = [no for no in employee_nos if no not in known]
    if missing:
        raise NotFound(f"no worker '{missing[0]}'", field="employee_no")
    current = {
        link.employee_no: link
        for link in session.scalars(
            select(DeclarationLink).where(
                DeclarationLink.enterprise_id == eid,
                DeclarationLink.employee_no.in_(list(employee_nos)),
            )
        )
    }
    now = clock.now()
    out: dict[str, str] = {}
    for no in employee_nos:
        link = current.get(no)
        if link is None and not issue:
            continue
        if link is None:
            link = DeclarationLink(
                enterprise_id=eid,
                employee_no=no,
                generation=1,
                issued_by=scope.actor,
                issued_at=now,
            )
            session.add(link)
            audit.log(session, scope, "insert", "declaration_links", no, after=_values(link))
        elif revoke:
            before = _values(link)
            link.generation += 1
            link.issued_by, link.issued_at = scope.actor, now
            audit.log(
                session,
                scope,
                "update",
                "declaration_links",
                no,
                before=before,
                after=_values(link),
                reason="link revoked: earlier tokens stop working",
            )
        out[no] = _serializer(key).dumps([eid, no, link.generation])
    if issue:
        session.flush()
    return out


def resolve(session: Session, token: str, key: bytes) -> LinkHolder:
    """The worker a token belongs to, or ``NotFound`` (forged, revoked, or the worker
    has left): the same answer for each, so a token reveals nothing."""
    try:
        eid, no, generation = _serializer(key).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("this link is not valid") from None
    row = session.execute(
        select(DeclarationLink.generation, Worker.name)
        .join(
            Worker,
            (Worker.enterprise_id == DeclarationLink.enterprise_id)
            & (Worker.employee_no == DeclarationLink.employee_no),
        )
        .where(
            DeclarationLink.enterprise_id == eid,
            DeclarationLink.employee_no == no,
            employed_on(clock.today()),
        )
    ).first()
    if row is None or row.generation != generation:
        raise NotFound("this link is not valid")
    return LinkHolder(eid, no, row.name)
