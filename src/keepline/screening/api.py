"""Routes of screening. Rounds are visible to every role of the enterprise; samples,
results and who was missed are health data: health officers and admins only."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import select

from keepline.apikit.auth import HealthStaff, Tenant
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, page_of
from keepline.errors import InputError
from keepline.plant.service import get_enterprise
from keepline.screening import service
from keepline.screening.models import Round, Sample, SampleMember
from keepline.screening.schemas import (
    CollectionIn,
    CoverageOut,
    ImportOut,
    ListRowOut,
    RoundIn,
    RoundOut,
    SampleOut,
)

router = APIRouter(tags=["screening"], route_class=Route)
RoundId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Round id.")]
SampleId = Annotated[str, Path(min_length=1, max_length=40, description="Tube id.")]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ListFormat(StrEnum):
    json = "json"
    csv = "csv"
    html = "html"


@router.post("/screening/rounds", response_model=RoundOut, status_code=201)
def plan_round(body: RoundIn, session: DB, caller: HealthStaff) -> Round:
    """Plan a round for zones × shifts on a day; pools are formed team by team at each
    zone's collection point unless the lab's ``pools`` are given (no member twice)."""
    return service.plan_round(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        day=body.day,
        zones=body.zones,
        shifts=body.shifts,
        pool_size=body.pool_size,
        test_type=body.test_type,
        assay=body.assay,
        pools=[(p.pool_id, p.members) for p in body.pools] if body.pools is not None else None,
    )


ROUND_SORTS = {"day": Round.day, "id": Round.id}


@router.get("/screening/rounds", response_model=Page[RoundOut])
def list_rounds(session: DB, caller: Tenant, paging: Paging) -> Response:
    """Rounds, newest day first (sort: day, id)."""
    q = select(Round).where(Round.enterprise_id == caller.enterprise_id)
    items, total = fetch_page(session, q, paging, ROUND_SORTS, "-day")
    return page_of([RoundOut.model_validate(r) for r in items], total, paging)


@router.get("/screening/rounds/{round_id}", response_model=RoundOut)
def get_round(round_id: RoundId, session: DB, caller: Tenant) -> Round:
    return service.get_round(session, caller.enterprise_id, round_id)  # type: ignore[arg-type]


@router.get(
    "/screening/rounds/{round_id}/sampling-list",
    response_model=list[ListRowOut],
    responses={200: {"content": {"text/csv": {}, "text/html": {}}}},
)
def sampling_list(
    round_id: RoundId,
    session: DB,
    caller: HealthStaff,
    collection_point: Annotated[str | None, Query(max_length=64)] = None,
    format: ListFormat = ListFormat.json,
):  # type: ignore[no-untyped-def]
    """Who gives a swab into which tube, per collection point: JSON, CSV or a printable
    HTML page (one page per collection point)."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    rnd = service.get_round(session, eid, round_id)
    rows = service.sampling_list(session, eid, round_id, collection_point)
    if format is ListFormat.csv:
        return PlainTextResponse(service.sampling_list_csv(rows), media_type="text/csv")
    if format is ListFormat.html:
        name = get_enterprise(session, eid).name
        return HTMLResponse(service.sampling_list_html(rnd, name, rows))
    return [ListRowOut(**dataclasses.asdict(r)) for r in rows]


@router.get("/screening/rounds/{round_id}/coverage", response_model=list[CoverageOut])
def coverage(round_id: RoundId, session: DB, caller: HealthStaff) -> list[CoverageOut]:
    """Per zone and shift: expected, sampled, resulted, missed — and who was missed."""
    return [
        CoverageOut.model_validate(dataclasses.asdict(c))
        for c in service.coverage(session, caller.enterprise_id, round_id)  # type: ignore[arg-type]
    ]


def _sample_out(s: Sample, members: list[SampleMember]) -> SampleOut:
    return SampleOut(
        id=s.id,
        round_id=s.round_id,
        kind=s.kind,
        parent_id=s.parent_id,
        collection_point=s.collection_point,
        members=[m.employee_no for m in members],
        absent=[m.employee_no for m in members if m.absent],
        collected_at=s.collected_at,
        verdict=s.verdict,
        reason=s.reason,
        cts=s.cts,
        resulted_at=s.resulted_at,
    )


SAMPLE_SORTS = {"id": Sample.id, "verdict": Sample.verdict, "kind": Sample.kind}


@router.get("/screening/rounds/{round_id}/samples", response_model=Page[SampleOut])
def list_samples(
    round_id: RoundId,
    session: DB,
    caller: HealthStaff,
    paging: Paging,
    verdict: Annotated[str | None, Query(max_length=10)] = None,
    kind: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The round's tubes with members, verdicts and Ct values (sort: id, verdict, kind)."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    service.get_round(session, eid, round_id)
    q = select(Sample).where(Sample.enterprise_id == eid, Sample.round_id == round_id)
    if verdict:
        q = q.where(Sample.verdict == verdict)
    if kind:
        q = q.where(Sample.kind == kind)
    items, total = fetch_page(session, q, paging, SAMPLE_SORTS, "id")
    members: dict[str, list[SampleMember]] = {}
    if items:
        for m in session.scalars(
            select(SampleMember)
            .where(
                SampleMember.enterprise_id == eid,
                SampleMember.sample_id.in_([s.id for s in items]),
            )
            .order_by(SampleMember.position)
        ):
            members.setdefault(m.sample_id, []).append(m)
    return page_of([_sample_out(s, members.get(s.id, [])) for s in items], total, paging)


@router.get("/screening/samples/{sample_id}", response_model=SampleOut)
def get_sample(sample_id: SampleId, session: DB, caller: HealthStaff) -> SampleOut:
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    s = service.get_sample(session, eid, sample_id)
    return _sample_out(s, service.members_of(session, eid, sample_id))


@router.post("/screening/samples/{sample_id}/collection", response_model=SampleOut)
def collect(sample_id: SampleId, body: CollectionIn, session: DB, caller: HealthStaff) -> SampleOut:
    """Mark a tube collected; ``absent`` lists members who gave no swab."""
    eid: str = caller.enterprise_id  # type: ignore[assignment]
    s = service.record_collection(
        session, eid, caller.actor, sample_id, absent=body.absent, at=body.at
    )
    return _sample_out(s, service.members_of(session, eid, sample_id))


@router.post("/screening/results", response_model=ImportOut)
def import_results(
    session: DB,
    caller: HealthStaff,
    file: Annotated[
        UploadFile,
        File(
            description="CSV/Excel (sample_id, target, ct) or an RDML 1.0-1.3 file from a "
            "qPCR instrument."
        ),
    ],
) -> ImportOut:
    """Import lab results, interpret them by each round's kit rule and act on them (a
    positive pool isolates its members and creates retests; an individual positive
    becomes a case). All or nothing; the same file twice changes nothing."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError([f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB"])
    rep = service.import_results(
        session,
        caller.enterprise_id,  # type: ignore[arg-type]
        caller.actor,
        file.filename or "upload.csv",
        data,
    )
    return ImportOut.model_validate(dataclasses.asdict(rep))
