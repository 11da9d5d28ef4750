"""The jurisdiction tree and its departments: store a jurisdiction file, look nodes up,
and answer "is this under the caller's jurisdiction" (the government's tenancy)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import NotFound
from keepline.government.models import Department, Jurisdiction
from keepline.government.schemas import JurisdictionFile
from keepline.recordkit import bad, missing
from keepline.scope import JurisdictionScope


def get(session: Session, jurisdiction_id: str, field: str = "jurisdiction") -> Jurisdiction:
    """Any jurisdiction by id (a 4xx naming ``field`` when unknown)."""
    row = session.get(Jurisdiction, jurisdiction_id)
    if row is None:
        raise missing(field, f"no jurisdiction '{jurisdiction_id}'")
    return row


def home(session: Session, scope: JurisdictionScope) -> Jurisdiction:
    """The caller's own jurisdiction."""
    row = session.get(Jurisdiction, scope.jurisdiction)
    if row is None:
        raise NotFound(f"no jurisdiction '{scope.jurisdiction}' (load its file first)")
    return row


def within(session: Session, scope: JurisdictionScope, jurisdiction_id: str | None) -> Jurisdiction:
    """``jurisdiction_id`` if it is the caller's or under it (another one is 'not found');
    none: the caller's own."""
    root = home(session, scope)
    if jurisdiction_id is None or jurisdiction_id == root.id:
        return root
    row = session.get(Jurisdiction, jurisdiction_id)
    if row is None or not row.path.startswith(root.path):
        raise missing("jurisdiction", f"no jurisdiction '{jurisdiction_id}'")
    return row


def subtree(session: Session, scope: JurisdictionScope) -> list[Jurisdiction]:
    root = home(session, scope)
    return list(
        session.scalars(
            select(Jurisdiction)
            .where(Jurisdiction.path.startswith(root.path, autoescape=True))
            .order_by(Jurisdiction.path)
        )
    )


def children(session: Session, parent_id: str) -> list[Jurisdiction]:
    return list(
        session.scalars(
            select(Jurisdiction)
            .where(Jurisdiction.parent_id == parent_id)
            .order_by(Jurisdiction.position, Jurisdiction.id)
        )
    )


def departments(session: Session, jurisdiction_id: str) -> list[Department]:
    return list(
        session.scalars(
            select(Department)
            .where(Department.jurisdiction_id == jurisdiction_id)
            .order_by(Department.position)
        )
    )


def department(session: Session, jurisdiction_id: str, department_id: str) -> Department:
    row = session.get(Department, (jurisdiction_id, department_id))
    if row is None:
        raise bad("department", f"no department '{department_id}' in '{jurisdiction_id}'")
    return row


def store_tree(session: Session, file: JurisdictionFile, actor: str) -> list[Jurisdiction]:
    """Insert or update every node and department of ``file`` (parents first). A
    department no longer in the file stays (officers may belong to it)."""
    parent_path = "/"
    if file.parent is not None:
        parent_path = get(session, file.parent, "parent").path
    paths: dict[str | None, str] = {file.parent: parent_path}
    out = []
    for position, (node, parent) in enumerate(file.walk()):
        path = f"{paths[parent]}{node.id}/"
        paths[node.id] = path
        values = dict(
            id=node.id,
            name=node.name,
            kind=node.kind,
            parent_id=parent,
            path=path,
            position=position,
        )
        row = audit.upsert_row(
            session,
            Jurisdiction,
            node.id,
            values,
            enterprise_id=None,
            jurisdiction=node.id,
            actor=actor,
            table="gov_jurisdictions",
            audit_key=node.id,
        )
        for dpos, d in enumerate(node.departments):
            dvalues = dict(
                jurisdiction_id=node.id, id=d.id, name=d.name, kind=d.kind, position=dpos
            )
            audit.upsert_row(
                session,
                Department,
                (node.id, d.id),
                dvalues,
                enterprise_id=None,
                jurisdiction=node.id,
                actor=actor,
                table="gov_departments",
                audit_key=f"{node.id}/{d.id}",
            )
        out.append(row)
    session.flush()
    return out
