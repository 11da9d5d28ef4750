"""Zone states: open → restricted → locked → disinfecting → reopened, every change with
who, when and why (audited; the caller owns the transaction), and the days each zone
was closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.containment import queries
from keepline.containment.models import ZoneState, ZoneStateChange
from keepline.containment.schemas import ZoneStateIn
from keepline.errors import InputError, NotFound, msg, quote
from keepline.scope import EnterpriseScope

NEXT_STATES: dict[ZoneState, tuple[ZoneState, ...]] = {
    ZoneState.open: (ZoneState.restricted, ZoneState.locked),
    ZoneState.reopened: (ZoneState.restricted, ZoneState.locked),
    ZoneState.restricted: (ZoneState.locked, ZoneState.reopened),
    ZoneState.locked: (ZoneState.disinfecting,),
    ZoneState.disinfecting: (ZoneState.reopened,),
}
CLOSED_STATES = (ZoneState.locked, ZoneState.disinfecting)


def zone_history(
    session: Session, scope: EnterpriseScope, zone_id: str | None = None
) -> list[ZoneStateChange]:
    """Every change of every zone's state (or of ``zone_id``'s), oldest first."""
    q = select(ZoneStateChange).where(ZoneStateChange.enterprise_id == scope.enterprise_id)
    if zone_id is not None:
        if zone_id not in queries.zone_ids(session, scope):
            raise NotFound(msg("zone %(zone)s not found", zone=quote(zone_id)), field="zone_id")
        q = q.where(ZoneStateChange.zone_id == zone_id)
    return list(session.scalars(q.order_by(ZoneStateChange.at, ZoneStateChange.id)))


def zone_states(session: Session, scope: EnterpriseScope) -> dict[str, ZoneStateChange | None]:
    """Every zone's latest change (None: open since the start)."""
    out: dict[str, ZoneStateChange | None] = {z: None for z in queries.zone_ids(session, scope)}
    for ch in zone_history(session, scope):
        out[ch.zone_id] = ch
    return out


def change_zone_state(
    session: Session,
    scope: EnterpriseScope,
    zone_id: str,
    body: ZoneStateIn,
    *,
    at: dt.datetime | None = None,
) -> ZoneStateChange:
    """Move a zone along open → restricted → locked → disinfecting → reopened (``at``:
    when; default now)."""
    if zone_id not in queries.zone_ids(session, scope):
        raise NotFound(msg("zone %(zone)s not found", zone=quote(zone_id)), field="zone_id")
    state, closed_loop, reason = body.state, body.closed_loop, body.reason.strip()
    if not reason:
        raise InputError([msg("reason: say why the zone's state changes")])
    hist = zone_history(session, scope, zone_id)
    current = ZoneState(hist[-1].state) if hist else ZoneState.open
    if state not in NEXT_STATES[current]:
        allowed = ", ".join(s.value for s in NEXT_STATES[current])
        raise InputError(
            [
                msg(
                    "state: zone %(zone)s is %(current)s; it can go to %(allowed)s, not %(state)s",
                    zone=quote(zone_id),
                    current=current.value,
                    allowed=allowed,
                    state=state.value,
                )
            ]
        )
    if closed_loop and state != ZoneState.locked:
        raise InputError([msg("closed_loop: only a lock can keep a closed loop working")])
    at = at or dt.datetime.now(dt.UTC)
    if hist and at < hist[-1].at.replace(tzinfo=hist[-1].at.tzinfo or dt.UTC):
        raise InputError([msg("at: %(at)s is before the zone's last change", at=at.isoformat())])
    ch = ZoneStateChange(
        enterprise_id=scope.enterprise_id,
        zone_id=zone_id,
        state=state.value,
        previous=current.value,
        at=at,
        day=clock.local_day(at),
        by=scope.actor,
        reason=reason,
        closed_loop=closed_loop,
    )
    session.add(ch)
    session.flush()
    audit.log(
        session,
        scope,
        "insert",
        "zone_states",
        f"{zone_id}/{ch.id}",
        before={"state": current.value},
        after={"state": state.value, "closed_loop": closed_loop, "day": ch.day},
        reason=reason,
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
