"""Plan versions: load a plan file (checked against the enterprise's plant), frozen once
loaded; the version in force of each plan; the plan's response level."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from keepline.audit import service as audit
from keepline.errors import InputError, msg
from keepline.plans import schema as s
from keepline.plans.models import PlanLevel, PlanVersion
from keepline.plans.planfile import parse_plan
from keepline.plans.schemas import PlanVersionIn
from keepline.plant.service import export_plant
from keepline.recordkit import now, owned
from keepline.scope import EnterpriseScope


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Parsed plan files by the digest of their text, per process: a loaded version is frozen
# (its text never changes), so its parse never goes stale; the same text parses the same
# in any database. Checked against the plant when it was loaded.
_PARSED: dict[str, s.PlanFile] = {}
_PARSED_MAX = 256


def parsed(version: PlanVersion) -> s.PlanFile:
    """The plan file of a stored version, parsed once per process (its text is read from
    the database only then: :func:`in_force` defers it)."""
    plan = _PARSED.get(version.sha256)
    if plan is None:
        plan = parse_plan(version.text, f"plan {version.sha256[:12]}")
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[version.sha256] = plan
    return plan


def version_values(v: PlanVersion) -> dict[str, object]:
    return {
        "plan_id": v.plan_id,
        "version": v.version,
        "name": v.name,
        "sha256": v.sha256,
    }


def load_version(
    session: Session, scope: EnterpriseScope, body: PlanVersionIn
) -> tuple[PlanVersion, bool]:
    """Check and store a plan file; (the version, whether it is new).

    The same text again changes nothing. A version number already loaded with another
    text, or one not above the plan's highest, is refused: a loaded version is frozen.
    Nothing is written when the file has a problem (one line each, ``file:line field``).
    """
    eid = scope.enterprise_id
    plant = export_plant(session, eid)
    plan = parse_plan(body.yaml, body.filename, plant)  # its enterprise must be the plant's
    digest = sha256(body.yaml)
    mine = (PlanVersion.enterprise_id == eid, PlanVersion.plan_id == plan.id)
    same = session.scalars(select(PlanVersion).where(*mine, PlanVersion.version == plan.version))
    existing = same.first()
    if existing is not None:
        if existing.sha256 == digest:
            return existing, False
        raise InputError(
            [
                msg(
                    "%(file)s: version: version %(version)s of plan '%(plan)s' is frozen "
                    "(loaded by %(who)s); give the changed plan a new version",
                    file=body.filename,
                    version=plan.version,
                    plan=plan.id,
                    who=existing.loaded_by,
                )
            ]
        )
    highest = session.scalar(select(func.max(PlanVersion.version)).where(*mine))
    if highest is not None and plan.version < highest:
        raise InputError(
            [
                msg(
                    "%(file)s: version: plan '%(plan)s' is at version %(highest)s; a new version "
                    "must be higher, not %(version)s",
                    file=body.filename,
                    plan=plan.id,
                    highest=highest,
                    version=plan.version,
                )
            ]
        )
    row = PlanVersion(
        enterprise_id=eid,
        plan_id=plan.id,
        version=plan.version,
        name=plan.name,
        text=body.yaml,
        sha256=digest,
        loaded_by=scope.actor,
        loaded_at=now(),
    )
    audit.add(session, scope, row, "plan_versions", values=version_values)
    return row, True


def list_versions(session: Session, scope: EnterpriseScope) -> list[PlanVersion]:
    return list(
        session.scalars(
            select(PlanVersion)
            .where(PlanVersion.enterprise_id == scope.enterprise_id)
            .order_by(PlanVersion.plan_id, PlanVersion.version)
        )
    )


def get_version(session: Session, scope: EnterpriseScope, version_id: int) -> PlanVersion:
    return owned(session, scope, PlanVersion, version_id, f"plan version {version_id} not found")


def in_force(session: Session, scope: EnterpriseScope) -> list[PlanVersion]:
    """The highest version of each of the enterprise's plans."""
    top = (
        select(PlanVersion.plan_id, func.max(PlanVersion.version).label("v"))
        .where(PlanVersion.enterprise_id == scope.enterprise_id)
        .group_by(PlanVersion.plan_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(PlanVersion)
            .options(defer(PlanVersion.text))  # read only when not yet parsed
            .join(top, (top.c.plan_id == PlanVersion.plan_id) & (top.c.v == PlanVersion.version))
            .where(PlanVersion.enterprise_id == scope.enterprise_id)
            .order_by(PlanVersion.plan_id)
        )
    )


def current_level(session: Session, scope: EnterpriseScope, plan_id: str) -> str | None:
    """The plan's response level now (None: never raised, the lowest)."""
    return session.scalar(
        select(PlanLevel.level)
        .where(PlanLevel.enterprise_id == scope.enterprise_id, PlanLevel.plan_id == plan_id)
        .order_by(PlanLevel.id.desc())
        .limit(1)
    )


def raise_level(
    session: Session,
    scope: EnterpriseScope,
    plan: s.PlanFile,
    level: str,
    activation_id: int | None = None,
) -> str:
    """Raise the plan's level to ``level`` (never lowers it); what happened, in words."""
    ids = [lv.id for lv in plan.levels]
    if level not in ids:
        raise InputError([f"to: unknown level '{level}' (known: {', '.join(ids)})"])
    now_at = current_level(session, scope, plan.id)
    if now_at in ids and ids.index(now_at) >= ids.index(level):
        return f"level already {now_at}"
    row = PlanLevel(
        enterprise_id=scope.enterprise_id,
        plan_id=plan.id,
        level=level,
        activation_id=activation_id,
        set_by=scope.actor,
        set_at=now(),
    )
    audit.add(
        session,
        scope,
        row,
        "plan_levels",
        values=lambda r: {"plan_id": r.plan_id, "level": r.level, "before": now_at},
    )
    return f"level {now_at or ids[0]} -> {level}"
