"""Contact tracing on the database: a case's candidate close contacts from the roster
and from access events (the overlap itself is computed by the pure
:mod:`keepline.containment.tracing`), and their quarantine in one action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment import queries, tracing
from keepline.containment.access import MAX_EVENT_SECONDS
from keepline.containment.cases import get_case
from keepline.containment.models import AccessEvent, Case, Reason, Restriction, RestrictionKind
from keepline.containment.restrictions import add_restriction
from keepline.containment.schemas import QuarantineIn, RestrictionIn
from keepline.errors import InputError, msg
from keepline.people.models import Worker, employed_on
from keepline.scope import EnterpriseScope

CONTACT_QUARANTINE_DAYS = 7  # 7 days of centralised quarantine for close contacts (9th ed.)
DEFAULT_MIN_MINUTES = 15


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
    session: Session,
    scope: EnterpriseScope,
    employee_no: str,
    window: tuple[int, int],
    min_minutes: float,
) -> list[tuple[str, str, int, int, int]]:
    """(worker, zone, seconds, first start, events) for everyone who shared a zone with
    ``employee_no`` at least ``min_minutes`` in total within ``window``.

    Two indexed queries: the case's own stays, then only events that can overlap them
    (same zone, entered before the stay ended and at most a day before it began); the
    exact overlap is computed by :mod:`keepline.containment.tracing`.
    """
    eid = scope.enterprise_id
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


def find_contacts(
    session: Session,
    scope: EnterpriseScope,
    case_id: int,
    *,
    min_minutes: float = DEFAULT_MIN_MINUTES,
) -> list[Contact]:
    """Candidate close contacts of a case: the roster (same team; same zone and shift;
    same dormitory and shift, our stand-in for a room group) and access events (time in
    the same zone within the infectious window, ≥ ``min_minutes`` in total)."""
    c = get_case(session, scope, case_id)
    me = queries.worker(session, scope, c.employee_no)
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
                Worker.enterprise_id == scope.enterprise_id,
                # who worked here when the case was infectious, even if gone since
                employed_on(c.infectious_from),
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
        session, scope, me.employee_no, case_window(c), min_minutes
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


CONTACT_BY = "contact by "
"""How a contact's quarantine note begins (the console reads the rest to translate it)."""


def note(how: list[str], reason: str) -> str:
    """A contact's quarantine note: how they met the case, and why (when given)."""
    said = CONTACT_BY + ", ".join(how)
    return f"{said}: {reason.strip()}" if reason.strip() else said


def quarantine_contacts(
    session: Session, scope: EnterpriseScope, case_id: int, body: QuarantineIn
) -> list[Restriction]:
    """Quarantine a case's contacts in one action: those listed, or every contact found
    by one of ``how``. Someone already isolated or quarantined (open-ended or still
    running on ``start_day``) is skipped."""
    c = get_case(session, scope, case_id)
    found = find_contacts(session, scope, case_id, min_minutes=body.min_minutes)
    by_no = {x.employee_no: x for x in found}
    if body.employee_nos is not None:
        unknown = [n for n in body.employee_nos if n not in by_no]
        if unknown:
            raise InputError(
                [
                    msg(
                        "employee_nos: %(no)s is not a contact of case %(case)s",
                        no=unknown[0],
                        case=case_id,
                    )
                ]
            )
        chosen = list(dict.fromkeys(body.employee_nos))
    else:
        chosen = [x.employee_no for x in found if set(x.how) & set(body.how)]
    start = body.start_day or clock.today()
    busy = {
        r.employee_no
        for r in session.scalars(
            select(Restriction).where(
                Restriction.enterprise_id == scope.enterprise_id,
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
        quarantine = RestrictionIn(
            employee_no=no,
            kind=RestrictionKind.quarantine,
            reason=Reason.close_contact,
            start_day=start,
            end_rule=f"days:{body.days}",
            note=note(by_no[no].how, body.reason),
        )
        out.append(add_restriction(session, scope, quarantine, case_id=c.id))
    return out
