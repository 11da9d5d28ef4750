"""Recorded drills: each drill ``keepline plans drill`` runs on a loaded enterprise is kept
(audited), with its scores and its whole report, for the console's drill pages and the
API. Recording writes this one row and its audit entry; the drill itself never touches
the record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.plans.models import DrillRun
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope

MAX_LISTED = 200


def _values(row: DrillRun) -> dict[str, Any]:
    return {
        "plans": [f"{p['id']} v{p['version']}" for p in row.plans],
        "scenario": row.scenario,
        "days": row.days,
        "seed": row.seed,
        "replicates": row.replicates,
    }


def record_drill(session: Session, scope: EnterpriseScope, drill: dict[str, Any]) -> DrillRun:
    """Keep a drill (the dictionary :func:`keepline.plans.drill.run_drill` returns)."""
    settings = drill["settings"]
    row = DrillRun(
        enterprise_id=scope.enterprise_id,
        plans=[
            {"id": p["id"], "version": p["version"], "name": p["name"], "file": p["file"]}
            for p in drill["plans"]
        ],
        scenario=str(drill["scenario"]["name"])[:200],
        scenario_file=str(drill["scenario"]["file"])[-500:],
        days=int(settings["days"]),
        seed=int(settings["seed"]),
        replicates=int(settings["replicates"]),
        scores=[{"id": p["id"], "version": p["version"], **p["summary"]} for p in drill["plans"]],
        report=drill,
        created_by=scope.actor,
        created_at=clock.now(),
    )
    return audit.add(session, scope, row, "plan_drills", values=_values)


def list_drills(session: Session, scope: EnterpriseScope) -> list[DrillRun]:
    """The enterprise's drills, newest first (at most :data:`MAX_LISTED`)."""
    return list(
        session.scalars(
            select(DrillRun)
            .where(DrillRun.enterprise_id == scope.enterprise_id)
            .order_by(DrillRun.created_at.desc(), DrillRun.id.desc())
            .limit(MAX_LISTED)
        )
    )


def get_drill(session: Session, scope: EnterpriseScope, drill_id: int) -> DrillRun:
    return owned(session, scope, DrillRun, drill_id, f"drill {drill_id} not found")
