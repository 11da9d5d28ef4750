"""Routes of containment; who may call which is declared in ``containment.auth``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import PlainTextResponse

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, list_page
from keepline.containment import access, cases, queries, restrictions
from keepline.containment import contacts as contact_tracing
from keepline.containment import zone_states as zones
from keepline.containment.auth import CaseKeeper, ZoneKeeper, ZoneReader
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
from keepline.containment.workforce import available
from keepline.errors import InputError
from keepline.fields import Day
from keepline.plans import recorded
from keepline.tabular import read_table
from keepline.workforce import to_csv

router = APIRouter(tags=["containment"], route_class=Route)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ZoneId = Annotated[str, Path(min_length=1, max_length=64, description="Zone id.")]
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@router.post("/cases", response_model=CaseOut, status_code=201)
def open_case(body: CaseIn, session: DB, scope: CaseKeeper) -> Case:
    """Record a confirmed case; the worker is isolated from ``confirmed_on`` until two
    negative tests. The infectious window starts two days before sample or onset."""
    case = recorded.open_case(session, scope, body)
    return case


@router.get("/cases", response_model=Page[CaseOut])
def list_cases(session: DB, scope: CaseKeeper, paging: Paging) -> Response:
    q = queries.cases(scope)
    return list_page(session, q, paging, queries.CASE_SORTS, "-confirmed_on", CaseOut)


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: Id, session: DB, scope: CaseKeeper) -> Case:
    return cases.get_case(session, scope, case_id)


@router.get("/cases/{case_id}/contacts", response_model=list[ContactOut])
def contacts(
    case_id: Id,
    session: DB,
    scope: CaseKeeper,
    min_minutes: Annotated[float, Query(ge=0, le=1440, description="Least minutes.")] = 15,
) -> list[ContactOut]:
    """Candidate contacts: the roster (same team; zone and shift; dormitory and shift)
    and access events (summed time in a zone with the case ≥ ``min_minutes`` within the
    infectious window), each with how and how long."""
    found = contact_tracing.find_contacts(session, scope, case_id, min_minutes=min_minutes)
    return [ContactOut.model_validate(dataclasses.asdict(c)) for c in found]


@router.post("/cases/{case_id}/quarantine", response_model=list[RestrictionOut])
def quarantine(
    case_id: Id, body: QuarantineIn, session: DB, scope: CaseKeeper
) -> list[Restriction]:
    """Quarantine a case's contacts in one action (the listed ones, or all found by
    ``how``); those already isolated or quarantined are skipped."""
    return contact_tracing.quarantine_contacts(session, scope, case_id, body)


@router.post("/restrictions", response_model=RestrictionOut, status_code=201)
def add_restriction(body: RestrictionIn, session: DB, scope: CaseKeeper) -> Restriction:
    """Isolate or quarantine a worker from a day, with the rule that ends it."""
    return restrictions.add_restriction(session, scope, body)


@router.get("/restrictions", response_model=Page[RestrictionOut])
def list_restrictions(
    session: DB,
    scope: CaseKeeper,
    paging: Paging,
    employee_no: Annotated[str | None, Query(max_length=32)] = None,
    active_on: Annotated[Day | None, Query(description="In force on this day.")] = None,
    kind: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    """Isolations and quarantines (sort: start_day, id, employee_no)."""
    q = queries.restrictions(scope, employee_no=employee_no, active_on=active_on, kind=kind)
    return list_page(session, q, paging, queries.RESTRICTION_SORTS, "-start_day", RestrictionOut)


@router.post("/restrictions/{restriction_id}/end", response_model=RestrictionOut)
def end_restriction(
    restriction_id: Id, body: RestrictionEnd, session: DB, scope: CaseKeeper
) -> Restriction:
    return restrictions.end_restriction(session, scope, restriction_id, body)


@router.post("/access-events", response_model=EventsOut)
def post_events(body: EventsIn, session: DB, scope: CaseKeeper) -> EventsOut:
    """Access events posted by gate devices (row n = the n-th event). All or nothing."""
    rep = access.record_events(session, scope, body)
    return EventsOut.model_validate(dataclasses.asdict(rep))


@router.post("/access-events/import", response_model=EventsOut)
def import_events(
    session: DB,
    scope: CaseKeeper,
    file: Annotated[
        UploadFile,
        File(description="CSV/Excel: employee_no, zone, time_in, time_out (ISO 8601)."),
    ],
) -> EventsOut:
    """Import an access-control export. All or nothing; repeated events change nothing."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError([f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB"])
    rep = access.import_events(session, scope, read_table(file.filename or "events.csv", data))
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
    return ZoneStateOut.model_validate(ch, from_attributes=True)


@router.get("/zones/states", response_model=list[ZoneStateOut])
def zone_states(session: DB, scope: ZoneReader) -> list[ZoneStateOut]:
    """Every zone's current state (open when it never changed)."""
    states = zones.zone_states(session, scope)
    return [_state_out(z, ch) for z, ch in states.items()]


@router.get("/zones/{zone_id}/history", response_model=list[ZoneStateOut])
def zone_history(zone_id: ZoneId, session: DB, scope: ZoneReader) -> list[ZoneStateOut]:
    """Every change of a zone's state: who, when, why."""
    hist = zones.zone_history(session, scope, zone_id)
    return [_state_out(zone_id, ch) for ch in hist]


@router.post("/zones/{zone_id}/state", response_model=ZoneStateOut)
def change_zone_state(
    zone_id: ZoneId, body: ZoneStateIn, session: DB, scope: ZoneKeeper
) -> ZoneStateOut:
    """Move a zone along open → restricted → locked → disinfecting → reopened. A lock
    with ``closed_loop`` keeps its dormitory-housed workers at work."""
    ch = zones.change_zone_state(session, scope, zone_id, body)
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
    scope: ZoneReader,
    start: Annotated[
        Day | None, Query(alias="from", description="First day (default: today).")
    ] = None,
    end: Annotated[
        Day | None,
        Query(alias="to", description="Last day, inclusive (default: 13 days after from)."),
    ] = None,
    format: AvailabilityFormat = AvailabilityFormat.json,
) -> AvailabilityOut | Response:
    """Workers available per day × zone × shift × skill, from the roster, declarations,
    isolations, quarantines and zone states: the shape the planner reads (CSV: the
    ``keepline plan --workforce`` file)."""
    start = start or clock.today()
    end = end or start + dt.timedelta(days=13)
    rep = available(session, scope, start, end)
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
        people=rep.heads.astype(int).tolist(),
        workers=rep.workers,
        away_worker_days=rep.away_worker_days,
        uncounted=rep.uncounted,
    )
