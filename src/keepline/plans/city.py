"""The city's risk level and control area as the plant knows them: entered by hand (the
notice of the city's headquarters) or read from a scenario's control-area windows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.plans.models import CityStatus
from keepline.plans.schema import RiskLevel
from keepline.plans.schemas import CityStatusIn
from keepline.plant.service import get_enterprise
from keepline.recordkit import bad, now
from keepline.scenario import Scenario
from keepline.scope import EnterpriseScope

EARLIEST = dt.date(2000, 1, 1)
AHEAD_DAYS = 366


def check_day(day: dt.date) -> None:
    """A day the city's status may be entered for: from 2000 to a year ahead."""
    latest = clock.today() + dt.timedelta(days=AHEAD_DAYS)
    if not EARLIEST <= day <= latest:
        raise bad("day", f"{day.isoformat()} is outside {EARLIEST.isoformat()}..{latest}")


def _values(r: CityStatus) -> dict[str, object]:
    return {
        "day": r.day,
        "risk_level": r.risk_level,
        "control_area": r.control_area,
        "source": r.source,
    }


def set_status(
    session: Session, scope: EnterpriseScope, body: CityStatusIn, source: str = "hand"
) -> CityStatus:
    """The city's status from ``body.day`` on (until a later entry); audited."""
    get_enterprise(session, scope.enterprise_id)
    check_day(body.day)
    row = CityStatus(
        enterprise_id=scope.enterprise_id,
        day=body.day,
        risk_level=body.risk_level.value if body.risk_level is not None else None,
        control_area=body.control_area,
        source=source[:200],
        set_by=scope.actor,
        set_at=now(),
    )
    return audit.add(session, scope, row, "plan_city_status", values=_values)


def from_scenario(session: Session, scope: EnterpriseScope, scenario: Scenario) -> list[CityStatus]:
    """A control area from each of the scenario's windows (days counted from the plant's
    horizon start), lifted the day after it ends."""
    start = get_enterprise(session, scope.enterprise_id).horizon_start
    out = []
    for w in sorted(scenario.control_area, key=lambda w: w.start_day):
        first = start + dt.timedelta(days=w.start_day)
        after = first + dt.timedelta(days=w.days)
        for day, on in ((first, True), (after, False)):
            body = CityStatusIn(day=day.isoformat(), control_area=on)  # type: ignore[arg-type]
            out.append(set_status(session, scope, body, f"scenario {scenario.name}"))
    return out


def status_on(
    session: Session, scope: EnterpriseScope, day: dt.date
) -> tuple[RiskLevel | None, bool]:
    """(risk level, control area) in force on ``day``: the latest entry on or before it."""
    row = session.execute(
        select(CityStatus.risk_level, CityStatus.control_area)
        .where(CityStatus.enterprise_id == scope.enterprise_id, CityStatus.day <= day)
        .order_by(CityStatus.day.desc(), CityStatus.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, False
    return (RiskLevel(row[0]) if row[0] else None), bool(row[1])


def history(session: Session, scope: EnterpriseScope) -> list[CityStatus]:
    return list(
        session.scalars(
            select(CityStatus)
            .where(CityStatus.enterprise_id == scope.enterprise_id)
            .order_by(CityStatus.day, CityStatus.id)
        )
    )
