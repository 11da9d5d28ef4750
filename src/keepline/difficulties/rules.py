"""Each jurisdiction's routing rules, time limits and command, as its file states them,
and their reading with inheritance: the nearest jurisdiction up the path that sets a
rule gives it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.difficulties.deadlines import LIMITS, duration_minutes, resolve
from keepline.difficulties.models import DifficultyCategory, DifficultyRules
from keepline.government.models import Department, Jurisdiction
from keepline.government.schemas import JurisdictionFile
from keepline.recordkit import bad


@dataclass(frozen=True)
class Resolved:
    """What applies to one jurisdiction after inheritance."""

    jurisdiction: str
    routes: dict[str, tuple[str, str]]  # category → (jurisdiction, department)
    minutes: dict[str, int]  # limit → minutes
    command: tuple[str, str | None]  # (jurisdiction, department or None: its leadership)


def store_rules(session: Session, file: JurisdictionFile, actor: str) -> int:
    """Store the ``difficulties`` section of every node of ``file`` (a node without one
    has its stored rules emptied), then check that a tree that routes difficulties routes
    every category everywhere, inheritance from an already loaded parent included."""
    stored = 0
    for node, _parent in file.walk():
        d = node.difficulties
        if d is None and session.get(DifficultyRules, node.id) is None:
            continue
        values = dict(
            jurisdiction_id=node.id,
            routes={c.value: dep for c, dep in d.routes.items()} if d else {},
            command_department=d.command if d else None,
            **{
                f"{limit}_minutes": (
                    duration_minutes(v) if d and (v := getattr(d.limits, limit)) else None
                )
                for limit in LIMITS
            },
        )
        audit.upsert_row(
            session,
            DifficultyRules,
            node.id,
            values,
            enterprise_id=None,
            jurisdiction=node.id,
            actor=actor,
            table="difficulty_rules",
            audit_key=node.id,
        )
        stored += 1
    session.flush()
    for node, _parent in file.walk():
        r = resolved(session, node.id)
        missing = [c.value for c in DifficultyCategory if c.value not in r.routes]
        if r.routes and missing:
            raise bad(
                "jurisdiction.difficulties.routes",
                f"'{node.id}' routes {', '.join(missing)} nowhere (route each category "
                "to a department here or above)",
            )
    return stored


def chain(session: Session, jurisdiction_id: str) -> list[str]:
    """The jurisdiction and those above it, nearest first."""
    j = session.get(Jurisdiction, jurisdiction_id)
    if j is None:
        return []
    return list(reversed([p for p in j.path.split("/") if p]))


def resolved(session: Session, jurisdiction_id: str) -> Resolved:
    ids = chain(session, jurisdiction_id)
    rows = {
        r.jurisdiction_id: r
        for r in session.scalars(
            select(DifficultyRules).where(DifficultyRules.jurisdiction_id.in_(ids))
        )
    }
    ordered = [rows[i] for i in ids if i in rows]
    routes: dict[str, tuple[str, str]] = {}
    for r in ordered:
        for cat, dep in r.routes.items():
            routes.setdefault(cat, (r.jurisdiction_id, dep))
    minutes = resolve([{lim: getattr(r, f"{lim}_minutes") for lim in LIMITS} for r in ordered])
    command = next(
        ((r.jurisdiction_id, r.command_department) for r in ordered if r.command_department),
        (ids[-1] if ids else jurisdiction_id, None),
    )
    return Resolved(jurisdiction_id, routes, minutes, command)


def route(session: Session, jurisdiction_id: str, category: str) -> tuple[str, str]:
    """The department a difficulty of ``category`` from ``jurisdiction_id`` goes to."""
    r = resolved(session, jurisdiction_id)
    if category not in r.routes:
        raise bad(
            "category",
            f"'{jurisdiction_id}' routes no '{category}' difficulties (its jurisdiction file "
            "has no difficulties.routes for it)",
        )
    return r.routes[category]


def department_name(session: Session, jurisdiction_id: str, department_id: str) -> str:
    d = session.get(Department, (jurisdiction_id, department_id))
    return d.name if d else department_id
