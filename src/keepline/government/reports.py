"""The daily reports as stored (frozen once submitted): reads for the government and the
enterprise, and the one writer that stores a computed report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.errors import NotFound
from keepline.government import jurisdictions, registry
from keepline.government.models import DailyReport, Jurisdiction, Registration
from keepline.government.schemas import REPORT_FIGURES as FIGURES
from keepline.government.schemas import DailyReportOut
from keepline.recordkit import bad, now
from keepline.scope import EnterpriseScope, JurisdictionScope

EARLIEST = dt.date(2000, 1, 1)


def check_day(day: dt.date, *, future: bool = False) -> None:
    """A report's (or dashboard's) day: not before 2000, and not in the future."""
    if day < EARLIEST:
        raise bad("day", f"{day.isoformat()} is before {EARLIEST.isoformat()}")
    if not future and day > clock.today():
        raise bad("day", f"{day.isoformat()} is in the future (today is {clock.today()})")


def out(
    enterprise_id: str, day: dt.date, values: Mapping[str, Any], row: DailyReport | None
) -> DailyReportOut:
    return DailyReportOut(
        enterprise_id=enterprise_id,
        day=day,
        status="submitted" if row is not None else "draft",
        **{k: values[k] for k in FIGURES},
        detail=values["detail"],
        submitted_by=row.submitted_by if row else None,
        submitted_at=row.submitted_at if row else None,
    )


def stored_out(row: DailyReport) -> DailyReportOut:
    return out(row.enterprise_id, row.day, row.values(), row)


def stored(session: Session, enterprise_id: str, day: dt.date) -> DailyReport | None:
    return session.scalar(
        select(DailyReport).where(
            DailyReport.enterprise_id == enterprise_id, DailyReport.day == day
        )
    )


def store(
    session: Session,
    reports: Mapping[str, Mapping[str, Any]],
    day: dt.date,
    actor: str,
    jurisdiction: str | None,
    *,
    automatic: bool = False,
) -> int:
    """Freeze computed reports (enterprise → figures) for ``day``, in one INSERT; each
    audited. An enterprise that already submitted ``day`` is refused (nothing written)."""
    if not reports:
        return 0
    check_day(day)
    taken = set(
        session.scalars(
            select(DailyReport.enterprise_id).where(
                DailyReport.day == day, DailyReport.enterprise_id.in_(list(reports))
            )
        )
    )
    if taken:
        first = sorted(taken)[0]
        raise bad("day", f"'{first}' already submitted its report for {day.isoformat()}")
    at = now()
    rows = [
        {
            "enterprise_id": eid,
            "day": day,
            **{k: v[k] for k in FIGURES},
            "detail": v["detail"],
            "submitted_by": actor,
            "submitted_at": at,
            "automatic": automatic,
        }
        for eid, v in reports.items()
    ]
    session.execute(insert(DailyReport), rows)
    changes = [
        audit.Change(
            "insert", f"{r['enterprise_id']}/{day.isoformat()}", None, {k: r[k] for k in FIGURES}
        )
        for r in rows
    ]
    if len(reports) == 1:
        eid = next(iter(reports))
        audit.record_many(
            session,
            enterprise_id=eid,
            jurisdiction=jurisdiction,
            actor=actor,
            table="gov_daily_reports",
            changes=changes,
        )
    else:
        audit.record_many(
            session,
            enterprise_id=None,
            jurisdiction=jurisdiction,
            actor=actor,
            table="gov_daily_reports",
            changes=changes,
        )
    return len(rows)


# -- the government's reads -------------------------------------------------------------


def for_enterprise(
    session: Session,
    scope: JurisdictionScope,
    enterprise_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[DailyReportOut]:
    registry.visible(session, scope, enterprise_id)
    q = select(DailyReport).where(DailyReport.enterprise_id == enterprise_id)
    if start:
        q = q.where(DailyReport.day >= start)
    if end:
        q = q.where(DailyReport.day <= end)
    return [stored_out(r) for r in session.scalars(q.order_by(DailyReport.day))]


def one(
    session: Session, scope: JurisdictionScope, enterprise_id: str, day: dt.date
) -> DailyReportOut:
    registry.visible(session, scope, enterprise_id)
    row = stored(session, enterprise_id, day)
    if row is None:
        raise NotFound(f"'{enterprise_id}' has not submitted a report for {day}", field="day")
    return stored_out(row)


def for_day(
    session: Session, scope: JurisdictionScope, day: dt.date, jurisdiction: str | None = None
) -> tuple[list[DailyReportOut], list[str]]:
    """Every submitted report of ``day`` under the jurisdiction, and who has not reported."""
    regs = registry.in_scope(session, scope)
    if jurisdiction:
        root = jurisdictions.within(session, scope, jurisdiction)
        regs = regs.where(Jurisdiction.path.startswith(root.path, autoescape=True))
    sub = regs.subquery()
    eids = sorted(session.scalars(select(sub.c.enterprise_id)))
    rows = {
        r.enterprise_id: r
        for r in session.scalars(
            select(DailyReport).where(
                DailyReport.day == day, DailyReport.enterprise_id.in_(select(sub.c.enterprise_id))
            )
        )
    }
    return [stored_out(rows[e]) for e in eids if e in rows], [e for e in eids if e not in rows]


# -- the enterprise's reads -------------------------------------------------------------


def own_list(session: Session, scope: EnterpriseScope, limit: int = 60) -> list[DailyReportOut]:
    registry.own(session, scope)
    return [
        stored_out(r)
        for r in session.scalars(
            select(DailyReport)
            .where(DailyReport.enterprise_id == scope.enterprise_id)
            .order_by(DailyReport.day.desc())
            .limit(limit)
        )
    ]


def registration(session: Session, enterprise_id: str) -> Registration | None:
    return session.get(Registration, enterprise_id)
