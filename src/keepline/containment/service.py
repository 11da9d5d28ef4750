"""Cases, isolations and quarantines, access events, contact tracing, zone states, and
the workforce they leave available. Functions take a session and the caller's
enterprise; every write is audited; the caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.containment import tracing
from keepline.containment.availability import Roster, availability, day_ranges, present
from keepline.containment.models import (
    AccessEvent,
    Case,
    Reason,
    Restriction,
    RestrictionKind,
    ZoneState,
    ZoneStateChange,
)
from keepline.errors import InputError, NotFound
from keepline.health.models import Clearance
from keepline.people.models import EmploymentStatus, Worker
from keepline.plant import models as pm
from keepline.tabular import RowProblem, RowsError, Table, require_columns
from keepline.workforce import Workforce, plant_axes

# Two days before sample or onset: the start of infectiousness used by China's
# protocol (9th edition, 2022) and the WHO contact definition.
INFECTIOUS_DAYS_BEFORE = 2
CASE_END_RULE = "negative-tests:2"  # discharge after two negative tests (9th edition)
CONTACT_QUARANTINE_DAYS = 7  # 7 days of centralised quarantine for close contacts (9th ed.)
DEFAULT_MIN_MINUTES = 15
# Longest stay one access event may record: bounds the index range a tracing query scans.
MAX_EVENT_SECONDS = 24 * 3600
CHUNK = 5000

_RULE = re.compile(r"^(days|negative-tests):([1-9][0-9]{0,2})$")


def _worker(session: Session, eid: str, employee_no: str) -> Worker:
    w = session.get(Worker, (eid, employee_no))
    if w is None:
        raise NotFound(f"worker '{employee_no}' not found", field="employee_no")
    return w


# -- isolation and quarantine --------------------------------------------------------


def restriction_values(r: Restriction) -> dict[str, Any]:
    return dict(
        employee_no=r.employee_no,
        kind=r.kind,
        reason=r.reason,
        start_day=r.start_day,
        end_day=r.end_day,
        end_rule=r.end_rule,
        negative_tests=r.negative_tests,
        case_id=r.case_id,
        sample_id=r.sample_id,
        note=r.note,
    )


def parse_end_rule(rule: str) -> tuple[str, int]:
    m = _RULE.match(rule.strip())
    if not m:
        raise InputError(
            [f"end_rule: expected 'days:N' or 'negative-tests:N' (N ≥ 1), got {rule!r}"]
        )
    return m.group(1), int(m.group(2))


def add_restriction(
    session: Session,
    eid: str,
    actor: str,
    employee_no: str,
    *,
    kind: RestrictionKind | str,
    reason: Reason | str,
    start_day: dt.date,
    end_rule: str,
    case_id: int | None = None,
    sample_id: str | None = None,
    note: str = "",
) -> Restriction:
    """Isolate or quarantine a worker from ``start_day``; ``days:N`` ends it after N
    days (``end_day`` = start + N − 1), ``negative-tests:N`` after N negative tests."""
    _worker(session, eid, employee_no)
    kind = RestrictionKind(kind)
    reason = Reason(reason)
    how, n = parse_end_rule(end_rule)
    r = Restriction(
        enterprise_id=eid,
        employee_no=employee_no,
        kind=kind.value,
        reason=reason.value,
        start_day=start_day,
        end_day=start_day + dt.timedelta(days=n - 1) if how == "days" else None,
        end_rule=end_rule.strip(),
        negative_tests=0,
        case_id=case_id,
        sample_id=sample_id,
        note=note,
        created_by=actor,
        created_at=dt.datetime.now(dt.UTC),
    )
    audit.add_row(
        session,
        r,
        enterprise_id=eid,
        actor=actor,
        table="restrictions",
        values=restriction_values,
    )
    return r


def get_restriction(session: Session, eid: str, rid: int) -> Restriction:
    r = session.get(Restriction, rid)
    if r is None or r.enterprise_id != eid:
        raise NotFound(f"isolation/quarantine {rid} not found")
    return r


def end_restriction(
    session: Session, eid: str, actor: str, rid: int, end_day: dt.date, reason: str
) -> Restriction:
    """End an isolation or quarantine: the worker is away up to ``end_day`` inclusive."""
    r = get_restriction(session, eid, rid)
    if end_day < r.start_day:
        raise InputError([f"end_day: {end_day} is before the start {r.start_day}"])
    before = restriction_values(r)
    r.end_day = end_day
    r.ended_by = actor
    r.end_reason = reason
    audit.record(
        session,
        enterprise_id=eid,
        actor=actor,
        action="update",
        table="restrictions",
        key=str(r.id),
        before=before,
        after=restriction_values(r),
        reason=reason,
    )
    return r


def open_restrictions(session: Session, eid: str, employee_nos: Sequence[str]) -> list[Restriction]:
    out: list[Restriction] = []
    keys = sorted(set(employee_nos))
    for i in range(0, len(keys), 500):
        out += session.scalars(
            select(Restriction).where(
                Restriction.enterprise_id == eid,
                Restriction.employee_no.in_(keys[i : i + 500]),
                Restriction.end_day.is_(None),
            )
        )
    return out


def record_negative_tests(
    session: Session, eid: str, actor: str, tests: Sequence[tuple[str, dt.date, str]]
) -> int:
    """Count negative individual tests ``(worker, day taken, sample id)`` against open
    restrictions ending on negative tests; end those that reach their number (the
    worker is away up to the day before the result, ``day``). Returns how many ended."""
    by_worker: dict[str, list[tuple[dt.date, str]]] = {}
    for no, day, sid in tests:
        by_worker.setdefault(no, []).append((day, sid))
    ended = 0
    for r in open_restrictions(session, eid, list(by_worker)):
        how, n = parse_end_rule(r.end_rule)
        if how != "negative-tests":
            continue
        counted = [t for t in by_worker[r.employee_no] if t[0] >= r.start_day]
        if not counted:
            continue
        before = restriction_values(r)
        r.negative_tests += len(counted)
        if r.negative_tests >= n:
            last = max(t[0] for t in counted)
            r.end_day = max(r.start_day, last)
            r.ended_by = actor
            r.end_reason = f"{r.negative_tests} negative test(s), last {counted[-1][1]}"
            ended += 1
        audit.record(
            session,
            enterprise_id=eid,
            actor=actor,
            action="update",
            table="restrictions",
            key=str(r.id),
            before=before,
            after=restriction_values(r),
        )
    return ended


# -- cases -----------------------------------------------------------------------------


def case_values(c: Case) -> dict[str, Any]:
    return dict(
        employee_no=c.employee_no,
        confirmed_on=c.confirmed_on,
        sample_day=c.sample_day,
        onset_day=c.onset_day,
        infectious_from=c.infectious_from,
        infectious_to=c.infectious_to,
        sample_id=c.sample_id,
        status=c.status,
    )


def open_case(
    session: Session,
    eid: str,
    actor: str,
    employee_no: str,
    *,
    confirmed_on: dt.date,
    sample_day: dt.date | None = None,
    onset_day: dt.date | None = None,
    sample_id: str | None = None,
) -> Case:
    """Record a confirmed case and isolate the worker from ``confirmed_on``.

    The infectious window runs from two days before the earlier of sample and onset
    (or confirmation when neither is known) to the day of isolation.
    """
    _worker(session, eid, employee_no)
    anchors = [d for d in (sample_day, onset_day) if d is not None] or [confirmed_on]
    start = min(anchors) - dt.timedelta(days=INFECTIOUS_DAYS_BEFORE)
    if start > confirmed_on:
        raise InputError(["confirmed_on: before the sample or symptom onset"])
    c = Case(
        enterprise_id=eid,
        employee_no=employee_no,
        confirmed_on=confirmed_on,
        sample_day=sample_day,
        onset_day=onset_day,
        infectious_from=start,
        infectious_to=confirmed_on,
        sample_id=sample_id,
        status="open",
        created_by=actor,
        created_at=dt.datetime.now(dt.UTC),
    )
    audit.add_row(
        session,
        c,
        enterprise_id=eid,
        actor=actor,
        table="cases",
        values=case_values,
    )
    # A pool-positive isolation is superseded by the case's own.
    for r in open_restrictions(session, eid, [employee_no]):
        if r.reason == Reason.pool_positive:
            end_restriction(
                session, eid, actor, r.id, max(r.start_day, confirmed_on), "confirmed as a case"
            )
    add_restriction(
        session,
        eid,
        actor,
        employee_no,
        kind=RestrictionKind.isolation,
        reason=Reason.case,
        start_day=confirmed_on,
        end_rule=CASE_END_RULE,
        case_id=c.id,
        sample_id=sample_id,
    )
    return c


def get_case(session: Session, eid: str, case_id: int) -> Case:
    c = session.get(Case, case_id)
    if c is None or c.enterprise_id != eid:
        raise NotFound(f"case {case_id} not found")
    return c


# -- access events ---------------------------------------------------------------------


@dataclass
class EventsReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class EventIn:
    employee_no: str
    zone: str
    t_in: int
    t_out: int


def _zone_ids(session: Session, eid: str) -> list[str]:
    return list(
        session.scalars(
            select(pm.Zone.id).where(pm.Zone.enterprise_id == eid).order_by(pm.Zone.position)
        )
    )


def check_events(
    session: Session, eid: str, items: Sequence[tuple[int, EventIn]], source: str
) -> None:
    """Refuse the batch when any event names an unknown worker or zone, ends before it
    starts, or lasts longer than a day; every problem names its row."""
    zones = set(_zone_ids(session, eid))
    workers = set(session.scalars(select(Worker.employee_no).where(Worker.enterprise_id == eid)))
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, int], int] = {}
    for row, e in items:
        if e.employee_no not in workers:
            problems.append(RowProblem(row, "employee_no", f"unknown worker '{e.employee_no}'"))
        if e.zone not in zones:
            problems.append(RowProblem(row, "zone", f"unknown zone '{e.zone}'"))
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


def events_from_table(table: Table) -> list[tuple[int, EventIn]]:
    """Rows of an access-control export: employee_no, zone, time_in, time_out (ISO 8601;
    without an offset, plant-local time)."""
    require_columns(table, ("employee_no", "zone", "time_in", "time_out"))
    out: list[tuple[int, EventIn]] = []
    problems: list[RowProblem] = []
    for row, r in table.rows:
        times = []
        for col in ("time_in", "time_out"):
            try:
                times.append(clock.parse_time(r[col]))
            except ValueError:
                problems.append(RowProblem(row, col, f"expected an ISO 8601 time, got {r[col]!r}"))
        if len(times) == 2:
            out.append((row, EventIn(r["employee_no"].strip(), r["zone"].strip(), *times)))
    if problems:
        raise RowsError(table.filename, problems)
    return out


def save_events(
    session: Session, eid: str, actor: str, items: Sequence[tuple[int, EventIn]], source: str
) -> EventsReport:
    """Store access events, keyed by (worker, zone, time in): a repeated event changes
    nothing, a corrected time out updates it. All or nothing. Audited as one entry per
    batch (gate devices post thousands of events an hour)."""
    check_events(session, eid, items, source)
    report = EventsReport(rows=len(items))
    if not items:
        return report
    workers = sorted({e.employee_no for _, e in items})
    lo = min(e.t_in for _, e in items)
    hi = max(e.t_in for _, e in items)
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
    for _, e in items:
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
        else:
            report.unchanged += 1
    for i in range(0, len(new), CHUNK):
        session.execute(insert(AccessEvent), new[i : i + CHUNK])
    if changed:
        session.execute(update(AccessEvent), changed)
    report.inserted, report.updated = len(new), len(changed)
    if new or changed:
        audit.record(
            session,
            enterprise_id=eid,
            actor=actor,
            action="import",
            table="access_events",
            key=source[:300],
            after=dict(rows=report.rows, inserted=report.inserted, updated=report.updated),
        )
    return report


# -- contact tracing -------------------------------------------------------------------


@dataclass
class Contact:
    employee_no: str
    name: str
    zone: str
    shift: str
    team: str
    how: list[str] = field(default_factory=list)  # team, zone-shift, dormitory, access
    minutes: float = 0.0  # summed overlap in access events (0: roster only)
    zones: dict[str, float] = field(default_factory=dict)  # zone → minutes
    first_overlap: dt.datetime | None = None


def case_window(c: Case) -> tuple[int, int]:
    """The infectious window in epoch seconds: from the start of ``infectious_from`` to
    the end of ``infectious_to`` (plant-local days)."""
    return clock.day_start(c.infectious_from), clock.day_start(
        c.infectious_to + dt.timedelta(days=1)
    )


def access_exposures(
    session: Session, eid: str, employee_no: str, window: tuple[int, int], min_minutes: float
) -> list[tuple[str, str, int, int, int]]:
    """(worker, zone, seconds, first start, events) for everyone who shared a zone with
    ``employee_no`` at least ``min_minutes`` in total within ``window``.

    Two indexed queries: the case's own stays, then only events that can overlap them
    (same zone, entered before the stay ended and at most a day before it began); the
    exact overlap is computed by :mod:`keepline.containment.tracing`.
    """
    w0, w1 = window
    own = session.execute(
        select(AccessEvent.zone_id, AccessEvent.t_in, AccessEvent.t_out).where(
            AccessEvent.enterprise_id == eid,
            AccessEvent.employee_no == employee_no,
            AccessEvent.t_in < w1,
            AccessEvent.t_in >= w0 - MAX_EVENT_SECONDS,
            AccessEvent.t_out > w0,
        )
    ).all()
    if not own:
        return []
    zone_names = sorted({z for z, _, _ in own})
    zcode = {z: i for i, z in enumerate(zone_names)}
    cz = np.array([zcode[z] for z, _, _ in own], dtype=np.int64)
    cs = np.clip(np.array([a for _, a, _ in own], dtype=np.int64), w0, w1)
    ce = np.clip(np.array([b for _, _, b in own], dtype=np.int64), w0, w1)
    mz, ms, me = tracing.merge_intervals(cz, cs, ce)
    conds = [
        and_(
            AccessEvent.zone_id == zone_names[int(z)],
            AccessEvent.t_in < int(b),
            AccessEvent.t_in >= int(a) - MAX_EVENT_SECONDS,
            AccessEvent.t_out > int(a),
        )
        for z, a, b in zip(mz, ms, me, strict=True)
    ]
    rows: list[Any] = []
    for i in range(0, len(conds), 200):
        rows += session.execute(
            select(
                AccessEvent.employee_no, AccessEvent.zone_id, AccessEvent.t_in, AccessEvent.t_out
            ).where(
                AccessEvent.enterprise_id == eid,
                AccessEvent.employee_no != employee_no,
                or_(*conds[i : i + 200]),
            )
        ).all()
    if not rows:
        return []
    # Batches of conditions can return one event twice; keep it once.
    uniq = sorted(set(map(tuple, rows)))
    names = sorted({r[0] for r in uniq})
    wcode = {n: i for i, n in enumerate(names)}
    found = tracing.exposures(
        mz,
        ms,
        me,
        np.array([wcode[r[0]] for r in uniq], dtype=np.int64),
        np.array([zcode[r[1]] for r in uniq], dtype=np.int64),
        np.array([r[2] for r in uniq], dtype=np.int64),
        np.array([r[3] for r in uniq], dtype=np.int64),
        round(min_minutes * 60),
    )
    return [
        (names[x.worker], zone_names[x.zone], x.seconds, x.first_start, x.events) for x in found
    ]


def contacts(
    session: Session, eid: str, case_id: int, *, min_minutes: float = DEFAULT_MIN_MINUTES
) -> list[Contact]:
    """Candidate close contacts of a case: the roster (same team; same zone and shift;
    same dormitory and shift, our stand-in for a room group) and access events (time in
    the same zone within the infectious window, ≥ ``min_minutes`` in total)."""
    c = get_case(session, eid, case_id)
    me = _worker(session, eid, c.employee_no)
    # One light query for the roster (10,000 rows in tens of ms) instead of ORM objects.
    roster = {
        r.employee_no: r
        for r in session.execute(
            select(
                Worker.employee_no,
                Worker.name,
                Worker.zone_id,
                Worker.shift_id,
                Worker.team_id,
                Worker.housing,
            ).where(
                Worker.enterprise_id == eid,
                Worker.employment_status == EmploymentStatus.active.value,
            )
        )
    }
    roster.pop(me.employee_no, None)
    out: dict[str, Contact] = {}

    def add(no: str, how: str) -> Contact:
        ct = out.get(no)
        if ct is None:
            w = roster[no]
            ct = out[no] = Contact(no, w.name, w.zone_id, w.shift_id, w.team_id)
        if how not in ct.how:
            ct.how.append(how)
        return ct

    for no, w in roster.items():
        if w.team_id == me.team_id:
            add(no, "team")
    for no, w in roster.items():
        if w.zone_id == me.zone_id and w.shift_id == me.shift_id:
            add(no, "zone-shift")
    if me.housing != "commuter":
        for no, w in roster.items():
            if w.housing == me.housing and w.shift_id == me.shift_id:
                add(no, "dormitory")
    for no, zone, seconds, first, _n in access_exposures(
        session, eid, me.employee_no, case_window(c), min_minutes
    ):
        if no not in roster:  # left the company or on leave since
            continue
        ct = add(no, "access")
        ct.zones[zone] = round(seconds / 60, 1)
        ct.minutes = round(ct.minutes + seconds / 60, 1)
        t = clock.from_epoch(first)
        ct.first_overlap = t if ct.first_overlap is None else min(ct.first_overlap, t)
    order = {"access": 0, "team": 1, "dormitory": 2, "zone-shift": 3}
    return sorted(
        out.values(),
        key=lambda x: (min(order[h] for h in x.how), -x.minutes, x.employee_no),
    )


def quarantine_contacts(
    session: Session,
    eid: str,
    actor: str,
    case_id: int,
    *,
    employee_nos: Sequence[str] | None = None,
    how: Sequence[str] = ("access", "team", "dormitory"),
    days: int = CONTACT_QUARANTINE_DAYS,
    start_day: dt.date | None = None,
    min_minutes: float = DEFAULT_MIN_MINUTES,
) -> list[Restriction]:
    """Quarantine a case's contacts in one action: those listed, or every contact found
    by one of ``how``. Someone already isolated or quarantined (open-ended or still
    running on ``start_day``) is skipped."""
    c = get_case(session, eid, case_id)
    found = contacts(session, eid, case_id, min_minutes=min_minutes)
    by_no = {x.employee_no: x for x in found}
    if employee_nos is not None:
        unknown = [n for n in employee_nos if n not in by_no]
        if unknown:
            raise InputError([f"employee_nos: {unknown[0]} is not a contact of case {case_id}"])
        chosen = list(dict.fromkeys(employee_nos))
    else:
        chosen = [x.employee_no for x in found if set(x.how) & set(how)]
    start = start_day or clock.today()
    busy = {
        r.employee_no
        for r in session.scalars(
            select(Restriction).where(
                Restriction.enterprise_id == eid,
                Restriction.employee_no.in_(chosen or ["\0"]),
                Restriction.start_day <= start,
                or_(Restriction.end_day.is_(None), Restriction.end_day >= start),
            )
        )
    }
    out = []
    for no in chosen:
        if no in busy:
            continue
        out.append(
            add_restriction(
                session,
                eid,
                actor,
                no,
                kind=RestrictionKind.quarantine,
                reason=Reason.close_contact,
                start_day=start,
                end_rule=f"days:{days}",
                case_id=c.id,
                note="contact by " + ", ".join(by_no[no].how),
            )
        )
    return out


# -- zone states -----------------------------------------------------------------------

NEXT_STATES: dict[ZoneState, tuple[ZoneState, ...]] = {
    ZoneState.open: (ZoneState.restricted, ZoneState.locked),
    ZoneState.reopened: (ZoneState.restricted, ZoneState.locked),
    ZoneState.restricted: (ZoneState.locked, ZoneState.reopened),
    ZoneState.locked: (ZoneState.disinfecting,),
    ZoneState.disinfecting: (ZoneState.reopened,),
}
CLOSED_STATES = (ZoneState.locked, ZoneState.disinfecting)


def zone_history(session: Session, eid: str, zone_id: str | None = None) -> list[ZoneStateChange]:
    q = select(ZoneStateChange).where(ZoneStateChange.enterprise_id == eid)
    if zone_id is not None:
        if zone_id not in _zone_ids(session, eid):
            raise NotFound(f"zone '{zone_id}' not found", field="zone_id")
        q = q.where(ZoneStateChange.zone_id == zone_id)
    return list(session.scalars(q.order_by(ZoneStateChange.at, ZoneStateChange.id)))


def zone_states(session: Session, eid: str) -> dict[str, ZoneStateChange | None]:
    """Every zone's latest change (None: open since the start)."""
    out: dict[str, ZoneStateChange | None] = {z: None for z in _zone_ids(session, eid)}
    for ch in zone_history(session, eid):
        out[ch.zone_id] = ch
    return out


def change_zone_state(
    session: Session,
    eid: str,
    actor: str,
    zone_id: str,
    state: ZoneState | str,
    reason: str,
    *,
    closed_loop: bool = False,
    at: dt.datetime | None = None,
) -> ZoneStateChange:
    """Move a zone along open → restricted → locked → disinfecting → reopened."""
    if zone_id not in _zone_ids(session, eid):
        raise NotFound(f"zone '{zone_id}' not found", field="zone_id")
    try:
        state = ZoneState(state)
    except ValueError:
        raise InputError(
            [f"state: unknown state {state!r} (one of {', '.join(s.value for s in ZoneState)})"]
        ) from None
    if not reason.strip():
        raise InputError(["reason: say why the zone's state changes"])
    hist = zone_history(session, eid, zone_id)
    current = ZoneState(hist[-1].state) if hist else ZoneState.open
    if state not in NEXT_STATES[current]:
        allowed = ", ".join(s.value for s in NEXT_STATES[current])
        raise InputError(
            [
                f"state: zone '{zone_id}' is {current.value}; "
                f"it can go to {allowed}, not {state.value}"
            ]
        )
    if closed_loop and state != ZoneState.locked:
        raise InputError(["closed_loop: only a lock can keep a closed loop working"])
    at = at or dt.datetime.now(dt.UTC)
    if hist and at < hist[-1].at.replace(tzinfo=hist[-1].at.tzinfo or dt.UTC):
        raise InputError([f"at: {at.isoformat()} is before the zone's last change"])
    ch = ZoneStateChange(
        enterprise_id=eid,
        zone_id=zone_id,
        state=state.value,
        previous=current.value,
        at=at,
        day=clock.local_day(at),
        by=actor,
        reason=reason.strip(),
        closed_loop=closed_loop,
    )
    session.add(ch)
    session.flush()
    audit.record(
        session,
        enterprise_id=eid,
        actor=actor,
        action="insert",
        table="zone_states",
        key=f"{zone_id}/{ch.id}",
        before={"state": current.value},
        after={"state": state.value, "closed_loop": closed_loop, "day": ch.day},
        reason=reason.strip(),
    )
    return ch


def zone_masks(
    history: Sequence[ZoneStateChange], zones: Sequence[str], start: dt.date, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """(closed, closed_loop) bool arrays (days, zones). A day counts as closed when the
    zone was locked or disinfecting at any time of it; its closed loop holds when every
    closure that day was a closed-loop lock."""
    zi = {z: i for i, z in enumerate(zones)}
    closed = np.zeros((days, len(zones)), dtype=bool)
    not_loop = np.zeros((days, len(zones)), dtype=bool)
    by_zone: dict[str, list[ZoneStateChange]] = {}
    for ch in history:
        by_zone.setdefault(ch.zone_id, []).append(ch)
    for zone, chs in by_zone.items():
        if zone not in zi:
            continue
        z = zi[zone]
        for k, ch in enumerate(chs):
            if ZoneState(ch.state) not in CLOSED_STATES:
                continue
            first = (ch.day - start).days
            # In force until the day of the next change (that day is partly closed too).
            last = (chs[k + 1].day - start).days if k + 1 < len(chs) else days - 1
            lo, hi = max(first, 0), min(last, days - 1)
            if hi < lo:
                continue
            closed[lo : hi + 1, z] = True
            if not (ch.state == ZoneState.locked and ch.closed_loop):
                not_loop[lo : hi + 1, z] = True
    return closed, closed & ~not_loop


# -- availability ----------------------------------------------------------------------


@dataclass
class AvailabilityReport:
    workforce: Workforce
    start: dt.date
    workers: int  # active workers on the roster
    uncounted: int  # workers whose zone or shift is not in the plant model
    away_worker_days: int  # worker-days lost to isolation, quarantine, clearance, locks


def workforce(session: Session, eid: str, start: dt.date, end: dt.date) -> AvailabilityReport:
    """Workers available per day × zone × shift × skill on ``start``..``end``."""
    from keepline.plant.service import export_plant

    if end < start:
        raise InputError([f"to: {end} is before from {start}"])
    days = (end - start).days + 1
    if days > 366:
        raise InputError(["to: at most 366 days at a time"])
    plant = export_plant(session, eid)
    zones, shifts, skills = plant_axes(plant)
    workers = list(
        session.execute(
            select(
                Worker.employee_no, Worker.zone_id, Worker.shift_id, Worker.skills, Worker.housing
            )
            .where(
                Worker.enterprise_id == eid,
                Worker.employment_status == EmploymentStatus.active.value,
            )
            .order_by(Worker.employee_no)
        )
    )
    n = len(workers)
    idx = {w[0]: i for i, w in enumerate(workers)}
    zmap = {z: i for i, z in enumerate(zones)}
    smap = {s: i for i, s in enumerate(shifts)}
    kmap = {k: i for i, k in enumerate(skills)}
    skill_m = np.zeros((n, len(skills)), dtype=bool)
    for i, w in enumerate(workers):
        for k in w[3] or []:
            if k in kmap:
                skill_m[i, kmap[k]] = True
    roster = Roster(
        zone=np.array([zmap.get(w[1], -1) for w in workers], dtype=np.int64),
        shift=np.array([smap.get(w[2], -1) for w in workers], dtype=np.int64),
        skills=skill_m,
        in_dormitory=np.array([w[4] != "commuter" for w in workers], dtype=bool),
    )
    rw, rf, rl = [], [], []
    for no, s, e in session.execute(
        select(Restriction.employee_no, Restriction.start_day, Restriction.end_day).where(
            Restriction.enterprise_id == eid,
            Restriction.start_day <= end,
            or_(Restriction.end_day.is_(None), Restriction.end_day >= start),
        )
    ):
        if no in idx:
            rw.append(idx[no])
            rf.append((s - start).days)
            rl.append(((e or end) - start).days)
    for no, cleared, flagged_on, cleared_at in session.execute(
        select(
            Clearance.employee_no, Clearance.cleared, Clearance.flagged_on, Clearance.cleared_at
        ).where(Clearance.enterprise_id == eid, Clearance.flagged_on.is_not(None))
    ):
        if no not in idx:
            continue
        if not cleared:
            rw.append(idx[no])
            rf.append((flagged_on - start).days)
            rl.append(days - 1)
        elif cleared_at is not None:
            back = clock.local_day(cleared_at)
            rw.append(idx[no])
            rf.append((flagged_on - start).days)
            rl.append((back - start).days - 1)
    away = day_ranges(n, days, np.array(rw), np.array(rf), np.array(rl))
    closed, loop = zone_masks(zone_history(session, eid), zones, start, days)
    at_work = present(roster, away, closed, loop)
    counted = (roster.zone >= 0) & (roster.shift >= 0)
    wf = availability(zones, shifts, skills, roster, at_work)
    lost = int((counted[:, None] & ~at_work).sum())
    return AvailabilityReport(wf, start, n, int((~counted).sum()), lost)
