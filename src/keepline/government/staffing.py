"""Flow: load a jurisdiction file — the tree and departments (``jurisdictions``) and the
officers, who are accounts users with a jurisdiction (``accounts.service``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.accounts import service as accounts
from keepline.accounts.models import User
from keepline.audit import service as audit
from keepline.difficulties import rules as difficulty_rules
from keepline.government import jurisdictions
from keepline.government.models import Officer
from keepline.government.schemas import JurisdictionFile, OfficerOut
from keepline.recordkit import bad
from keepline.scope import JurisdictionScope, Role
from keepline.words import plural


@dataclass(frozen=True)
class LoadSummary:
    jurisdictions: int
    departments: int
    officers_added: int
    officers_updated: int

    def describe(self) -> str:
        return (
            f"{plural(self.jurisdictions, 'jurisdiction')}, "
            f"{plural(self.departments, 'department')}, "
            f"officers: {self.officers_added} added, {self.officers_updated} updated"
        )


def load_file(
    session: Session, file: JurisdictionFile, actor: str, password: str | None = None
) -> LoadSummary:
    """Store the tree, its departments and officers. An officer without ``password`` gets
    a random one (set it with ``keepline user``); an existing officer is moved."""
    nodes = jurisdictions.store_tree(session, file, actor)
    added = updated = 0
    for node, _parent in file.walk():
        for o in node.officers:
            email = o.email.strip().lower()
            # An address may have an account in an enterprise too (unique per home):
            # the officer is the jurisdiction's account when there is one.
            user = session.scalar(
                select(User)
                .where(User.email == email)
                .order_by(User.jurisdiction.is_(None), User.id)
                .limit(1)
            )
            if user is None:
                user = accounts.create_user(
                    session,
                    email=email,
                    password=password or secrets.token_urlsafe(24),
                    role=Role.government_officer,
                    jurisdiction=node.id,
                    name=o.name,
                    actor=actor,
                )
                added += 1
            elif user.jurisdiction is None:
                raise bad("officers.email", f"'{email}' is an enterprise's user")
            else:
                updated += 1
                user.jurisdiction = node.id
                user.name = o.name or user.name
            values = dict(
                user_id=user.id, jurisdiction_id=node.id, department_id=o.department, title=o.title
            )
            audit.upsert_row(
                session,
                Officer,
                user.id,
                values,
                enterprise_id=None,
                jurisdiction=node.id,
                actor=actor,
                table="gov_officers",
                audit_key=str(user.id),
            )
    difficulty_rules.store_rules(session, file, actor)
    session.flush()
    return LoadSummary(len(nodes), sum(len(n.departments) for n, _ in file.walk()), added, updated)


def officers(session: Session, scope: JurisdictionScope) -> list[OfficerOut]:
    """Officers of the caller's jurisdiction and those under it."""
    root = jurisdictions.home(session, scope)
    rows = session.execute(
        select(User, Officer)
        .join(Officer, Officer.user_id == User.id)
        .join(jurisdictions.Jurisdiction, jurisdictions.Jurisdiction.id == Officer.jurisdiction_id)
        .where(jurisdictions.Jurisdiction.path.startswith(root.path, autoescape=True))
        .order_by(User.email)
    ).all()
    return [
        OfficerOut(
            user_id=u.id,
            email=u.email,
            name=u.name,
            jurisdiction=o.jurisdiction_id,
            department=o.department_id,
            title=o.title,
        )
        for u, o in rows
    ]
