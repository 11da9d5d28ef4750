"""The workforce the daily record leaves available: workers per day × zone × shift ×
skill from the roster, declarations' clearance, isolations, quarantines and zone
states (the counting itself is the pure :mod:`keepline.containment.availability`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.availability import Roster, availability, day_ranges, present
from keepline.containment.models import Restriction
from keepline.containment.zone_states import zone_history, zone_masks
from keepline.errors import InputError
from keepline.health.models import Clearance
from keepline.people.models import Worker, employed_on
from keepline.plant.service import plant_axes
from keepline.scope import EnterpriseScope
from keepline.workforce import Workforce


@dataclass
class AvailabilityReport:
    workforce: Workforce
    start: dt.date
    workers: int  # active workers on the roster
    uncounted: int  # workers whose zone or shift is not in the plant model
    away_worker_days: int  # worker-days lost to isolation, quarantine, clearance, locks


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
    # Who leaves within the period is gone from their day left (not away: gone).
    employed = np.ones((n, days), dtype=bool)
    for i, w in enumerate(workers):
        if w[5] is not None and w[5] <= end:
            employed[i, (w[5] - start).days :] = False
    away = day_ranges(n, days, np.array(rw), np.array(rf), np.array(rl))
    closed, loop = zone_masks(zone_history(session, scope), zones, start, days)
    at_work = present(roster, away, closed, loop) & employed
    counted = (roster.zone >= 0) & (roster.shift >= 0)
    wf = availability(zones, shifts, skills, roster, at_work)
    lost = int((counted[:, None] & ~at_work & employed).sum())
    return AvailabilityReport(wf, start, n, int((~counted).sum()), lost)
