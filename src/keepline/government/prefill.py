"""Flow: pre-fill a resumption application from what keepline already knows — isolation
rooms in the plant model, reserves and days of cover, screening in place, an emergency
plan, the roster — and file it (``resumption.submit``).

It reads the plant model, the stock ledger's policy, the screening rounds and the roster
by their tables (counts only) and the daily report's days of cover."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.government import daily_report, registry, resumption
from keepline.government.models import Application
from keepline.government.schemas import ApplicationIn, PrefillOut
from keepline.materials.models import PreventionPolicy
from keepline.people.models import Worker, employed_on
from keepline.plant import models as pm
from keepline.scope import EnterpriseScope
from keepline.screening.models import Round

SCREENING_LOOKBACK_DAYS = 7


def _facts(session: Session, scope: EnterpriseScope) -> dict[str, tuple[str, str]]:
    """prefill key → (answer, note)."""
    eid = scope.enterprise_id
    today = clock.today()
    out: dict[str, tuple[str, str]] = {}
    rooms = session.execute(
        select(func.count(), func.coalesce(func.sum(pm.Zone.capacity_people), 0)).where(
            pm.Zone.enterprise_id == eid, pm.Zone.kind == "isolation"
        )
    ).one()
    out["isolation-rooms"] = (
        ("yes", f"{rooms[0]} isolation zone(s) for {rooms[1]} people in the plant model")
        if rooms[0]
        else ("no", "no isolation zone in the plant model")
    )
    figures = daily_report.compute(session, [eid], today)[eid]
    mats = figures.detail.get("materials", [])
    if mats:
        low = [m["material"] for m in mats if (m["days_of_cover"] or 1e9) < 7]
        note = f"{len(mats)} materials; smallest days of cover {figures.min_days_of_cover}"
        out["reserves"] = (
            "no" if low else "yes",
            note + (f"; under 7 days: {', '.join(low)}" if low else ""),
        )
    else:
        out["reserves"] = ("no", "no materials in the plant model")
    since = today - dt.timedelta(days=SCREENING_LOOKBACK_DAYS)
    rounds = (
        session.scalar(
            select(func.count())
            .select_from(Round)
            .where(Round.enterprise_id == eid, Round.day >= since)
        )
        or 0
    )
    policy = session.scalar(
        select(PreventionPolicy.rounds_per_week)
        .where(PreventionPolicy.enterprise_id == eid, PreventionPolicy.effective_from <= today)
        .order_by(PreventionPolicy.effective_from.desc(), PreventionPolicy.id.desc())
        .limit(1)
    )
    if rounds or policy:
        out["screening"] = (
            "yes",
            f"{rounds} screening round(s) in the last {SCREENING_LOOKBACK_DAYS} days"
            + (f"; policy: {policy:g} rounds a week" if policy else ""),
        )
    else:
        out["screening"] = ("no", "no screening round or policy recorded")
    # Emergency plans are not yet a capability of keepline: nothing to pre-fill from.
    roster = (
        session.scalar(
            select(func.count())
            .select_from(Worker)
            .where(
                Worker.enterprise_id == eid,
                employed_on(today),
            )
        )
        or 0
    )
    out["roster"] = (
        ("yes", f"{roster} active workers on the roster") if roster else ("no", "no roster loaded")
    )
    return out


def suggested(session: Session, scope: EnterpriseScope) -> dict[str, tuple[str, str]]:
    """item id → (answer, note) for the enterprise's checklist items that have a prefill."""
    reg = registry.own(session, scope)
    checklist = resumption.checklist_for(session, reg)
    facts = _facts(session, scope)
    return {i["id"]: facts[i["prefill"]] for i in checklist.items if i.get("prefill") in facts}


def suggest(session: Session, scope: EnterpriseScope) -> list[PrefillOut]:
    return [PrefillOut(item=k, answer=a, note=n) for k, (a, n) in suggested(session, scope).items()]


def apply(session: Session, scope: EnterpriseScope, body: ApplicationIn) -> Application:
    """File the application, pre-filling the items the enterprise left unanswered."""
    return resumption.submit(
        session, scope, body, suggested(session, scope) if body.prefill else {}
    )
