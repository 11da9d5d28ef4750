"""Flow: the retention purge. Deletes the enterprise's health records older than its
rule keeps them (``retention.policy``), each deleted row audited, and never what is
still needed:

* an open case (its isolation still running): the case and its restrictions, its
  worker's declarations and clearance, every access event from the start of its
  infectious window (contact tracing reads everyone's), screening rounds from then;
* an isolation or quarantine still running: the restriction itself, and screening
  rounds from its start (a ``negative-tests`` end rule counts the results after it);
* the government's daily report not yet submitted (a registered enterprise): the report
  is computed from the day's declarations, clearances, restrictions, cases and screening,
  so those are kept from the day after the last report submitted (from registration
  when none was). Submitted reports are frozen aggregates: they need nothing.

Emergency-plan activations have no tables yet (``plans`` is an engine), so nothing to
keep for them. A record of day D goes when D is before the cut-off, ``as_of − days``.
A dry run counts the same rows it would delete.

Deletions are audited one entry a row, keyed by the record (worker and day, id) with
no values: an audit log that kept the deleted health data would defeat the purge. For
the same reason the earlier entries of the deleted records (the declaration as it was
written) lose their values: the log still says who wrote which record when. Access
events, tens of thousands a day, are named a thousand to an entry, and the entries
written before the cut-off lose their lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from keepline import clock, db
from keepline.audit import service as audit
from keepline.containment import queries as containment
from keepline.containment.models import AccessEvent, Case, Restriction
from keepline.government.models import DailyReport, Registration
from keepline.health.models import Clearance, Declaration
from keepline.plant.models import Enterprise
from keepline.retention import policy
from keepline.retention.schemas import PurgeOut, PurgeTable
from keepline.scope import EnterpriseScope
from keepline.screening.models import Measurement, Round, Sample, SampleMember

ACTOR = "retention"


@dataclass(frozen=True)
class Step:
    """The rows of one table that go, and the day before which they go."""

    model: type[Any]
    where: Sequence[ColumnElement[bool]]
    cutoff: dt.date
    key: Callable[[Any], str]
    compact: Sequence[str] | None = None


def _report_hold(session: Session, eid: str) -> dt.date | None:
    """The first day whose daily report a registered enterprise has not yet submitted."""
    registered_on = session.scalar(
        select(Registration.registered_on).where(Registration.enterprise_id == eid)
    )
    if registered_on is None:
        return None
    last = session.scalar(select(func.max(DailyReport.day)).where(DailyReport.enterprise_id == eid))
    return registered_on if last is None else last + dt.timedelta(days=1)


def plan(session: Session, scope: EnterpriseScope, as_of: dt.date) -> tuple[list[Step], list[str]]:
    """What the purge of ``as_of`` deletes (in the order it must: children first), and
    what held records back."""
    eid = scope.enterprise_id
    days = policy.current(session, scope)
    kept: list[str] = []

    def cut(n: int) -> dt.date:
        return as_of - dt.timedelta(days=n)

    discharged = containment.case_discharges(session, scope)
    open_ids = sorted(c for c, d in discharged.items() if d is None or d >= as_of)
    open_cases = (
        session.execute(
            select(Case.id, Case.employee_no, Case.infectious_from).where(Case.id.in_(open_ids))
        ).all()
        if open_ids
        else []
    )
    case_workers = sorted({c.employee_no for c in open_cases})
    case_from = min((c.infectious_from for c in open_cases), default=None)
    for c in open_cases:
        kept.append(
            f"open case {c.id} ({c.employee_no}, infectious from {c.infectious_from}): "
            "the case, its worker's declarations and clearance, access events and "
            f"screening from {c.infectious_from}"
        )
    running_from = session.scalar(
        select(func.min(Restriction.start_day)).where(
            Restriction.enterprise_id == eid,
            or_(Restriction.end_day.is_(None), Restriction.end_day >= as_of),
        )
    )
    if running_from is not None:
        kept.append(
            f"isolations or quarantines still running: them, and screening from {running_from}"
        )
    report_from = _report_hold(session, eid)
    if report_from is not None and report_from <= as_of:
        kept.append(
            f"daily reports not yet submitted from {report_from}: declarations, clearances, "
            f"restrictions, cases and screening from {report_from}"
        )
    else:
        report_from = None

    def held(day: dt.date, *holds: dt.date | None) -> dt.date:
        return min([day, *(h for h in holds if h is not None)])

    decl = held(cut(days.declarations_days), report_from)
    access = held(cut(days.access_events_days), case_from)
    screen = held(cut(days.screening_days), case_from, running_from, report_from)
    restr = held(cut(days.restrictions_days), report_from)
    cases = held(cut(days.cases_days), report_from)
    gone_cases = sorted(c for c, d in discharged.items() if d is not None and d < cases)

    old_rounds = select(Round.id).where(Round.enterprise_id == eid, Round.day < screen)
    old_samples = select(Sample.id).where(
        Sample.enterprise_id == eid, Sample.round_id.in_(old_rounds)
    )
    steps = [
        Step(
            Measurement,
            [Measurement.enterprise_id == eid, Measurement.sample_id.in_(old_samples)],
            screen,
            lambda r: str(r.id),
        ),
        Step(
            SampleMember,
            [SampleMember.enterprise_id == eid, SampleMember.sample_id.in_(old_samples)],
            screen,
            lambda r: f"{r.sample_id}/{r.employee_no}",
        ),
        Step(
            Sample,
            [Sample.enterprise_id == eid, Sample.round_id.in_(old_rounds)],
            screen,
            lambda r: r.id,
        ),
        Step(Round, [Round.enterprise_id == eid, Round.day < screen], screen, lambda r: str(r.id)),
        # A case's restrictions stay as long as the case (its discharge is read from them).
        Step(
            Restriction,
            [
                Restriction.enterprise_id == eid,
                Restriction.end_day.is_not(None),
                Restriction.end_day < restr,
                or_(Restriction.case_id.is_(None), Restriction.case_id.in_(gone_cases)),
            ],
            restr,
            lambda r: str(r.id),
        ),
        Step(
            Case, [Case.enterprise_id == eid, Case.id.in_(gone_cases)], cases, lambda r: str(r.id)
        ),
        Step(
            Declaration,
            [
                Declaration.enterprise_id == eid,
                Declaration.day < decl,
                Declaration.employee_no.not_in(case_workers),
            ],
            decl,
            lambda r: f"{r.employee_no}/{r.day.isoformat()}",
        ),
        # A cleared clearance only remembers a past flag (no row means cleared);
        # one not cleared still stops its worker and stays.
        Step(
            Clearance,
            [
                Clearance.enterprise_id == eid,
                Clearance.cleared.is_(True),
                Clearance.flagged_on < decl,
                Clearance.employee_no.not_in(case_workers),
            ],
            decl,
            lambda r: r.employee_no,
        ),
        Step(
            AccessEvent,
            [AccessEvent.enterprise_id == eid, AccessEvent.t_out < clock.day_start(access)],
            access,
            lambda r: str(r.id),
            compact=("employee_no", "zone_id", "t_in", "t_out"),
        ),
    ]
    return steps, kept


def purge(
    session: Session, scope: EnterpriseScope, *, as_of: dt.date | None = None, dry_run: bool = False
) -> PurgeOut:
    """Delete (or, ``dry_run``, count) what the enterprise's retention rule no longer
    keeps on ``as_of`` (default today); the caller owns the transaction."""
    day = as_of or clock.today()
    steps, kept = plan(session, scope, day)
    tables: list[PurgeTable] = []
    for st in steps:
        name = st.model.__tablename__
        if dry_run:
            n = session.scalar(select(func.count()).select_from(st.model).where(*st.where)) or 0
        else:
            n = audit.delete_rows(
                session,
                st.model,
                st.where,
                enterprise_id=scope.enterprise_id,
                actor=scope.actor,
                key=st.key,
                compact=st.compact,
                reason=f"retention: {name} before {st.cutoff.isoformat()}",
                redact=True,
            )
            if st.compact is not None:
                # Their entries name a batch of rows each: those written before the cut-off.
                audit.redact_values(
                    session,
                    enterprise_id=scope.enterprise_id,
                    actor=scope.actor,
                    table=name,
                    before=clock.from_epoch(clock.day_start(st.cutoff)).astimezone(dt.UTC),
                    reason=f"retention: {name} before {st.cutoff.isoformat()}",
                )
            db.analyze_after_bulk(session, n, name)
        tables.append(PurgeTable(table=name, cutoff=st.cutoff, rows=n))
    return PurgeOut(
        enterprise_id=scope.enterprise_id, as_of=day, dry_run=dry_run, tables=tables, kept=kept
    )


def enterprise_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Enterprise.id).order_by(Enterprise.id)))


def purge_all(
    url: str | None = None,
    *,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    actor: str = ACTOR,
) -> list[PurgeOut]:
    """The daily run: every enterprise's purge, each in its own transaction (one
    enterprise's failure leaves the others' done)."""
    with db.session_scope(url) as session:
        ids = enterprise_ids(session)
    out = []
    for eid in ids:
        with db.session_scope(url) as session:
            out.append(purge(session, EnterpriseScope(eid, actor), as_of=as_of, dry_run=dry_run))
    return out
