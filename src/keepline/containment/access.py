"""Access events: who was in which zone when, keyed by (worker, zone, time in), as
posted by gate devices or imported from an access-control export. All or nothing;
audited compactly (one entry per thousand events, naming each event's worker, zone and
times); the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.containment import queries
from keepline.containment.access_files import Stay, stays_from_table
from keepline.containment.models import AccessEvent
from keepline.containment.schemas import EventsIn
from keepline.people.models import Worker
from keepline.recordkit import WriteCounts
from keepline.scope import EnterpriseScope
from keepline.tabular import RowProblem, RowsError, Table
from keepline.vocabulary import Names, known

# Longest stay one access event may record: bounds the index range a tracing query scans.
MAX_EVENT_SECONDS = 24 * 3600
CHUNK = 5000
EVENT_COLUMNS = ("employee_no", "zone_id", "t_in", "t_out")


EventsReport = WriteCounts  # access events read, inserted, corrected, unchanged


def check_events(
    session: Session, scope: EnterpriseScope, stays: Sequence[Stay], source: str
) -> list[Stay]:
    """The events with each zone as its id (a file may name a zone by its display name
    or Chinese name). Refuse the batch when any event names an unknown worker or zone,
    ends before it starts, or lasts longer than a day; every problem names its row."""
    eid = scope.enterprise_id
    zones = Names(queries.zone_names(session, scope))
    workers = set(session.scalars(select(Worker.employee_no).where(Worker.enterprise_id == eid)))
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, int], int] = {}
    resolved: list[Stay] = []
    for e in stays:
        row = e.row
        if e.employee_no not in workers:
            problems.append(RowProblem(row, "employee_no", f"unknown worker '{e.employee_no}'"))
        zone = zones.get(e.zone)
        if zone is None:
            problems.append(RowProblem(row, "zone", f"unknown zone '{e.zone}' {known(zones.ids)}"))
        elif zone != e.zone:
            e = replace(e, zone=zone)
        resolved.append(e)
        if e.t_out <= e.t_in:
            problems.append(
                RowProblem(
                    row,
                    "time_out",
                    f"time out {clock.from_epoch(e.t_out).isoformat()} is not after time in "
                    f"{clock.from_epoch(e.t_in).isoformat()}",
                )
            )
        elif e.t_out - e.t_in > MAX_EVENT_SECONDS:
            problems.append(
                RowProblem(row, "time_out", "a stay longer than 24 h: split it into days")
            )
        key = (e.employee_no, e.zone, e.t_in)
        if key in seen:
            problems.append(
                RowProblem(row, "time_in", f"the same worker, zone and time in as row {seen[key]}")
            )
        seen[key] = row
    if problems:
        raise RowsError(source, problems)
    return resolved


def save_events(
    session: Session, scope: EnterpriseScope, stays: Sequence[Stay], source: str
) -> EventsReport:
    """Store access events, keyed by (worker, zone, time in): a repeated event changes
    nothing, a corrected time out updates it. All or nothing. Every event written is
    named in the audit log, a thousand to an entry (gate devices post thousands of
    events an hour)."""
    eid = scope.enterprise_id
    stays = check_events(session, scope, stays, source)
    report = EventsReport(rows=len(stays))
    if not stays:
        return report
    workers = sorted({e.employee_no for e in stays})
    lo = min(e.t_in for e in stays)
    hi = max(e.t_in for e in stays)
    existing: dict[tuple[str, str, int], tuple[int, int]] = {}
    for i in range(0, len(workers), 500):
        for rid, no, z, t_in, t_out in session.execute(
            select(
                AccessEvent.id,
                AccessEvent.employee_no,
                AccessEvent.zone_id,
                AccessEvent.t_in,
                AccessEvent.t_out,
            ).where(
                AccessEvent.enterprise_id == eid,
                AccessEvent.employee_no.in_(workers[i : i + 500]),
                AccessEvent.t_in >= lo,
                AccessEvent.t_in <= hi,
            )
        ):
            existing[(no, z, t_in)] = (rid, t_out)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    corrected: list[tuple[str, str, int, int, int]] = []  # key, old and new time out
    for e in stays:
        old = existing.get((e.employee_no, e.zone, e.t_in))
        if old is None:
            new.append(
                dict(
                    enterprise_id=eid,
                    employee_no=e.employee_no,
                    zone_id=e.zone,
                    t_in=e.t_in,
                    t_out=e.t_out,
                    source=source[:64],
                )
            )
        elif old[1] != e.t_out:
            changed.append(dict(id=old[0], t_out=e.t_out))
            corrected.append((e.employee_no, e.zone, e.t_in, old[1], e.t_out))
        else:
            report.unchanged += 1
    for i in range(0, len(new), CHUNK):
        session.execute(insert(AccessEvent), new[i : i + CHUNK])
    if changed:
        session.execute(update(AccessEvent), changed)
    report.inserted, report.updated = len(new), len(changed)
    # Each event named (worker, zone, epoch seconds in and out), a thousand to an entry:
    # recoverable from the log, at a tenth of the cost of an entry per event.
    audit.record_rows(
        session,
        enterprise_id=eid,
        actor=scope.actor,
        action="insert",
        table="access_events",
        key=source,
        columns=EVENT_COLUMNS,
        rows=[[r["employee_no"], r["zone_id"], r["t_in"], r["t_out"]] for r in new],
    )
    audit.record_rows(
        session,
        enterprise_id=eid,
        actor=scope.actor,
        action="update",
        table="access_events",
        key=source,
        columns=(*EVENT_COLUMNS[:3], "t_out_before", "t_out"),
        rows=corrected,
    )
    return report


def record_events(session: Session, scope: EnterpriseScope, body: EventsIn) -> EventsReport:
    """Events posted by gate devices (row n = the n-th event)."""
    stays = [
        Stay(n, e.employee_no, e.zone, clock.to_epoch(e.time_in), clock.to_epoch(e.time_out))
        for n, e in enumerate(body.events, start=1)
    ]
    return save_events(session, scope, stays, body.source)


def import_events(session: Session, scope: EnterpriseScope, table: Table) -> EventsReport:
    """An access-control export (see :func:`~keepline.containment.access_files.stays_from_table`),
    its file name as the source."""
    return save_events(session, scope, stays_from_table(table), table.filename)
