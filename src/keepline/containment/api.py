"""Routes of containment. Cases, contacts, isolations and quarantines are health data:
health officers and admins only. Zone states and availability are for every role."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import PlainTextResponse
from sqlalchemy import or_, select

from keepline import clock
from keepline.apikit.auth import HealthStaff, Tenant
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of
from keepline.containment import service
from keepline.containment.models import Case, Restriction, ZoneStateChange
from keepline.containment.schemas import (
    AvailabilityOut,
    CaseIn,
    CaseOut,
    ContactOut,
    EventsIn,
    EventsOut,
    QuarantineIn,
    RestrictionEnd,
    RestrictionIn,
    RestrictionOut,
    ZoneStateIn,
    ZoneStateOut,
)
from keepline.errors import InputError
from keepline.tabular import read_table

router = APIRouter(tags=["containment"], route_class=Route)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ZoneId = Annotated[str, Path(min_length=1, max_length=64, description="Zone id.")]
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@router.post("/cases", response_model=CaseOut, status_code=201)
def open_case(body: CaseIn, session: DB, caller: HealthStaff) -> Case:
    """Record a confirmed case; the worker is isolated from ``confirmed_on`` until two
    negative tests. The infectious window starts two days before sample or onset."""
    return service.open_case(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        body.employee_no,
        confirmed_on=body.confirmed_on,
        sample_day=body.sample_day,
        onset_day=body.onset_day,
    )


CASE_SORTS = {"confirmed_on": Case.confirmed_on, "id": Case.id}


@router.get("/cases", response_model=Page[CaseOut])
def list_cases(session: DB, caller: HealthStaff, paging: Paging) -> Response:
    q = select(Case).where(Case.enterprise_id == caller.enterprise_id)
    items, total = fetch_page(session, q, paging, CASE_SORTS, "-confirmed_on")
    return page_of([CaseOut.model_validate(c) for c in items], total, paging)


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: Id, session: DB, caller: HealthStaff) -> Case:
    return service.get_case(session, caller.enterprise_id, case_id)  # type: ignore[arg-type]


@router.get("/cases/{case_id}/contacts", response_model=list[ContactOut])
def contacts(
    case_id: Id,
    session: DB,
    caller: HealthStaff,
    min_minutes: Annotated[float, Query(ge=0, le=1440, description="Least minutes.")] = 15,
) -> list[ContactOut]:
    """Candidate contacts: the roster (same team; zone and shift; dormitory and shift)
    and access events (summed time in a zone with the case ≥ ``min_minutes`` within the
    infectious window), each with how and how long."""
    found = service.contacts(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        case_id,
        min_minutes=min_minutes,
    )
    return [ContactOut.model_validate(dataclasses.asdict(c)) for c in found]


@router.post("/cases/{case_id}/quarantine", response_model=list[RestrictionOut])
def quarantine(
    case_id: Id, body: QuarantineIn, session: DB, caller: HealthStaff
) -> list[Restriction]:
    """Quarantine a case's contacts in one action (the listed ones, or all found by
    ``how``); those already isolated or quarantined are skipped."""
    return service.quarantine_contacts(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        case_id,
        employee_nos=body.employee_nos,
        how=body.how,
        days=body.days,
        start_day=body.start_day,
        min_minutes=body.min_minutes,
    )


@router.post("/restrictions", response_model=RestrictionOut, status_code=201)
def add_restriction(body: RestrictionIn, session: DB, caller: HealthStaff) -> Restriction:
    """Isolate or quarantine a worker from a day, with the rule that ends it."""
    return service.add_restriction(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        body.employee_no,
        kind=body.kind,
        reason=body.reason,
        start_day=body.start_day,
        end_rule=body.end_rule,
        note=body.note,
    )


RESTRICTION_SORTS = {
    "start_day": Restriction.start_day,
    "id": Restriction.id,
    "employee_no": Restriction.employee_no,
}


@router.get("/restrictions", response_model=Page[RestrictionOut])
def list_restrictions(
    session: DB,
    caller: HealthStaff,
    paging: Paging,
    employee_no: Annotated[str | None, Query(max_length=32)] = None,
    active_on: Annotated[dt.date | None, Query(description="In force on this day.")] = None,
    kind: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    """Isolations and quarantines (sort: start_day, id, employee_no)."""
    q = select(Restriction).where(Restriction.enterprise_id == caller.enterprise_id)
    if employee_no:
        q = q.where(Restriction.employee_no == employee_no)
    if kind:
        q = q.where(Restriction.kind == kind)
    if active_on:
        q = q.where(
            Restriction.start_day <= active_on,
            or_(Restriction.end_day.is_(None), Restriction.end_day >= active_on),
        )
    items, total = fetch_page(session, q, paging, RESTRICTION_SORTS, "-start_day")
    return page_of([RestrictionOut.model_validate(r) for r in items], total, paging)


@router.post("/restrictions/{restriction_id}/end", response_model=RestrictionOut)
def end_restriction(
    restriction_id: Id, body: RestrictionEnd, session: DB, caller: HealthStaff
) -> Restriction:
    return service.end_restriction(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        restriction_id,
        body.end_day,
        body.reason,
    )


@router.post("/access-events", response_model=EventsOut)
def post_events(body: EventsIn, session: DB, caller: HealthStaff) -> EventsOut:
    """Access events posted by gate devices (row n = the n-th event). All or nothing."""
    items = [
        (
            n,
            service.EventIn(
                e.employee_no, e.zone, clock.to_epoch(e.time_in), clock.to_epoch(e.time_out)
            ),
        )
        for n, e in enumerate(body.events, start=1)
    ]
    rep = service.save_events(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        items,
        body.source,
    )
    return EventsOut.model_validate(dataclasses.asdict(rep))


@router.post("/access-events/import", response_model=EventsOut)
def import_events(
    session: DB,
    caller: HealthStaff,
    file: Annotated[
        UploadFile,
        File(description="CSV/Excel: employee_no, zone, time_in, time_out (ISO 8601)."),
    ],
) -> EventsOut:
    """Import an access-control export. All or nothing; repeated events change nothing."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError([f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB"])
    name = file.filename or "events.csv"
    items = service.events_from_table(read_table(name, data))
    rep = service.save_events(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        items,
        name,
    )
    return EventsOut.model_validate(dataclasses.asdict(rep))


def _state_out(zone: str, ch: ZoneStateChange | None) -> ZoneStateOut:
    if ch is None:
        return ZoneStateOut(
            zone_id=zone,
            state="open",
            previous=None,
            at=None,
            day=None,
            by=None,
            reason=None,
            closed_loop=False,
        )
    return ZoneStateOut(
        zone_id=zone,
        state=ch.state,
        previous=ch.previous,
        at=ch.at,
        day=ch.day,
        by=ch.by,
        reason=ch.reason,
        closed_loop=ch.closed_loop,
    )


@router.get("/zones/states", response_model=list[ZoneStateOut])
def zone_states(session: DB, caller: Tenant) -> list[ZoneStateOut]:
    """Every zone's current state (open when it never changed)."""
    states = service.zone_states(session, caller.enterprise_id)  # type: ignore[arg-type]
    return [_state_out(z, ch) for z, ch in states.items()]


@router.get("/zones/{zone_id}/history", response_model=list[ZoneStateOut])
def zone_history(zone_id: ZoneId, session: DB, caller: Tenant) -> list[ZoneStateOut]:
    """Every change of a zone's state: who, when, why."""
    hist = service.zone_history(session, caller.enterprise_id, zone_id)  # type: ignore[arg-type]
    return [_state_out(zone_id, ch) for ch in hist]


@router.post("/zones/{zone_id}/state", response_model=ZoneStateOut)
def change_zone_state(
    zone_id: ZoneId, body: ZoneStateIn, session: DB, caller: HealthStaff
) -> ZoneStateOut:
    """Move a zone along open → restricted → locked → disinfecting → reopened. A lock
    with ``closed_loop`` keeps its dormitory-housed workers at work."""
    ch = service.change_zone_state(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        zone_id,
        body.state,
        body.reason,
        closed_loop=body.closed_loop,
    )
    return _state_out(zone_id, ch)


class AvailabilityFormat(StrEnum):
    json = "json"
    csv = "csv"


@router.get(
    "/availability",
    response_model=AvailabilityOut,
    responses={200: {"content": {"text/csv": {}}}},
)
def availability(
    session: DB,
    caller: Tenant,
    start: Annotated[
        dt.date | None, Query(alias="from", description="First day (default: today).")
    ] = None,
    end: Annotated[
        dt.date | None,
        Query(alias="to", description="Last day, inclusive (default: 13 days after from)."),
    ] = None,
    format: AvailabilityFormat = AvailabilityFormat.json,
):  # type: ignore[no-untyped-def]
    """Workers available per day × zone × shift × skill, from the roster, declarations,
    isolations, quarantines and zone states: the shape the planner reads (CSV: the
    ``keepline plan --workforce`` file)."""
    from keepline.workforce import to_csv

    start = start or clock.today()
    end = end or start + dt.timedelta(days=13)
    rep = service.workforce(session, caller.enterprise_id, start, end)  # type: ignore[arg-type]
    wf = rep.workforce
    if format is AvailabilityFormat.csv:
        return PlainTextResponse(to_csv(wf, rep.start), media_type="text/csv")
    return AvailabilityOut(
        start=start,
        end=end,
        zones=list(wf.zones),
        shifts=list(wf.shifts),
        skills=list(wf.skills),
        available=wf.available.tolist(),
        workers=rep.workers,
        away_worker_days=rep.away_worker_days,
        uncounted=rep.uncounted,
    )
