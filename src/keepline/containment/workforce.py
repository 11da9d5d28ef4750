"""Who may work, from the daily record: the facts :func:`keepline.fitness.fitness`
judges (isolations, quarantines, declarations' clearance, zone states) read for some
workers and days, and the workforce that leaves available per day × zone × shift ×
skill (the counting itself is the pure :mod:`keepline.containment.availability`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment import queries
from keepline.containment.availability import Roster, availability, headcount, present
from keepline.containment.models import Restriction, RestrictionKind
from keepline.containment.zone_states import zone_history, zone_masks
from keepline.errors import InputError
from keepline.fitness import Away, Fitness, Reason, clearance_span, fitness
from keepline.health.models import Clearance
from keepline.people.models import Worker, employed_on
from keepline.plant.service import plant_axes
from keepline.scope import EnterpriseScope
from keepline.workforce import Workforce

KIND_REASON = {
    RestrictionKind.isolation.value: Reason.isolated,
    RestrictionKind.quarantine.value: Reason.quarantined,
}
# Up to this many workers, their restrictions and clearances are read by employee
# number; more, and the enterprise's are read whole (one scan beats many IN lists).
BY_NUMBER = 1000


@dataclass(frozen=True)
class WorkerPlace:
    """What the rule needs of a worker besides their record: where they work and live."""

    employee_no: str
    zone: str | None
    housing: str | None


def _only(column: Any, keys: Sequence[str]) -> Iterable[ColumnElement[bool]]:
    """Chunks of ``column IN keys`` (none: every row) for a few workers."""
    if len(keys) > BY_NUMBER:
        yield column.is_not(None)
        return
    for i in range(0, len(keys), 500):
        yield column.in_(keys[i : i + 500])


def record_fitness(
    session: Session,
    scope: EnterpriseScope,
    workers: Sequence[WorkerPlace],
    start: dt.date,
    days: int = 1,
) -> Fitness:
    """May each of ``workers`` work on each day of ``start``.. (``days`` days)? The
    daily record's facts, judged by :func:`keepline.fitness.fitness`."""
    eid = scope.enterprise_id
    end = start + dt.timedelta(days=days - 1)
    idx = {w.employee_no: i for i, w in enumerate(workers)}
    keys = sorted(idx)
    away: list[Away] = []
    for part in _only(Restriction.employee_no, keys) if keys else ():
        for no, kind, first, last in session.execute(
            select(
                Restriction.employee_no,
                Restriction.kind,
                Restriction.start_day,
                Restriction.end_day,
            ).where(
                Restriction.enterprise_id == eid,
                part,
                Restriction.start_day <= end,
                or_(Restriction.end_day.is_(None), Restriction.end_day >= start),
            )
        ):
            if no in idx:
                away.append(Away(idx[no], KIND_REASON[kind], first, last))
    for part in _only(Clearance.employee_no, keys) if keys else ():
        for no, cleared, flagged_on, cleared_at in session.execute(
            select(
                Clearance.employee_no, Clearance.cleared, Clearance.flagged_on, Clearance.cleared_at
            ).where(Clearance.enterprise_id == eid, part, Clearance.flagged_on.is_not(None))
        ):
            back = clock.local_day(cleared_at) if cleared_at is not None else None
            span = clearance_span(idx[no], cleared, flagged_on, back) if no in idx else None
            if span is not None:
                away.append(span)
    zones = queries.zone_ids(session, scope)
    zmap = {z: i for i, z in enumerate(zones)}
    closed, loop = zone_masks(zone_history(session, scope), zones, start, days)
    return fitness(
        start,
        days,
        np.array([zmap.get(w.zone or "", -1) for w in workers], dtype=np.int64),
        np.array([(w.housing or "commuter") != "commuter" for w in workers], dtype=bool),
        away,
        closed,
        loop,
    )


def reasons_on(
    session: Session, scope: EnterpriseScope, day: dt.date, workers: Sequence[WorkerPlace]
) -> dict[str, list[Reason]]:
    """Why each of ``workers`` who may not work on ``day`` may not (the others are left
    out of the answer)."""
    fit = record_fitness(session, scope, workers, day)
    return {w.employee_no: fit.reasons_of(i) for i, w in enumerate(workers) if fit.reasons[i, 0]}


def unfit_on(session: Session, scope: EnterpriseScope, day: dt.date) -> dict[str, list[Reason]]:
    """Every worker of the roster who may not work on ``day``, with why."""
    workers = [
        WorkerPlace(*row)
        for row in session.execute(
            select(Worker.employee_no, Worker.zone_id, Worker.housing).where(
                Worker.enterprise_id == scope.enterprise_id
            )
        )
    ]
    return reasons_on(session, scope, day, workers)


def unfit_where(session: Session, scope: EnterpriseScope, day: dt.date) -> ColumnElement[bool]:
    """The rule of :func:`record_fitness` for one day as SQL over ``Worker`` rows: true
    for a worker who may not work on ``day`` (an isolation or quarantine in force, a
    declaration's flag not cleared before the day, a zone closed but for a closed loop's
    dormitory residents). Counting and filtering the roster with it costs one query,
    not the whole roster's facts read into the process; a test holds it to the engine."""
    restricted = (
        select(Restriction.employee_no)
        .where(
            Restriction.enterprise_id == Worker.enterprise_id,
            Restriction.employee_no == Worker.employee_no,
            Restriction.kind.in_(list(KIND_REASON)),
            Restriction.start_day <= day,
            or_(Restriction.end_day.is_(None), Restriction.end_day >= day),
        )
        .correlate(Worker)
        .exists()
    )
    # Cleared on a later day (plant time) than ``day``: still held on ``day``.
    next_day = dt.datetime.fromtimestamp(clock.day_start(day + dt.timedelta(days=1)), dt.UTC)
    held = (
        select(Clearance.employee_no)
        .where(
            Clearance.enterprise_id == Worker.enterprise_id,
            Clearance.employee_no == Worker.employee_no,
            Clearance.flagged_on <= day,
            or_(Clearance.cleared.is_(False), Clearance.cleared_at >= next_day),
        )
        .correlate(Worker)
        .exists()
    )
    zones = queries.zone_ids(session, scope)
    closed, loop = zone_masks(zone_history(session, scope), zones, day, 1)
    locked = [z for i, z in enumerate(zones) if closed[0, i] and not loop[0, i]]
    looped = [z for i, z in enumerate(zones) if loop[0, i]]
    out = [restricted, held]
    if locked:
        out.append(Worker.zone_id.in_(locked))
    if looped:
        commuter = or_(Worker.housing.is_(None), Worker.housing.in_(("", "commuter")))
        out.append(Worker.zone_id.in_(looped) & commuter)
    return or_(*out)


@dataclass
class AvailabilityReport:
    workforce: Workforce
    start: dt.date
    workers: int  # active workers on the roster
    uncounted: int  # workers whose zone or shift is not in the plant model
    away_worker_days: int  # worker-days lost to isolation, quarantine, clearance, locks
    # Workers at work per day × zone × shift, each once (float (days, zones, shifts)).
    heads: np.ndarray


def available(
    session: Session, scope: EnterpriseScope, start: dt.date, end: dt.date
) -> AvailabilityReport:
    """Workers available per day × zone × shift × skill on ``start``..``end``."""
    if end < start:
        raise InputError([f"to: {end} is before from {start}"])
    days = (end - start).days + 1
    if days > 366:
        raise InputError(["to: at most 366 days at a time"])
    eid = scope.enterprise_id
    zones, shifts, skills = plant_axes(session, eid)
    workers = list(
        session.execute(
            select(
                Worker.employee_no,
                Worker.zone_id,
                Worker.shift_id,
                Worker.skills,
                Worker.housing,
                Worker.left_on,
            )
            .where(Worker.enterprise_id == eid, employed_on(start))
            .order_by(Worker.employee_no)
        )
    )
    n = len(workers)
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
    places = [WorkerPlace(w[0], w[1], w[4]) for w in workers]
    fit = record_fitness(session, scope, places, start, days)
    # Who leaves within the period is gone from their day left (not away: gone).
    employed = np.ones((n, days), dtype=bool)
    for i, w in enumerate(workers):
        if w[5] is not None and w[5] <= end:
            employed[i, (w[5] - start).days :] = False
    at_work = present(roster, fit.may_work) & employed
    counted = (roster.zone >= 0) & (roster.shift >= 0)
    wf = availability(zones, shifts, skills, roster, at_work)
    lost = int((counted[:, None] & ~at_work & employed).sum())
    heads = headcount(zones, shifts, roster, at_work)
    return AvailabilityReport(wf, start, n, int((~counted).sum()), lost, heads)
