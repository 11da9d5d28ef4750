"""Routes of screening. Who may call each is declared in :mod:`keepline.screening.auth`:
rounds are visible to every role of the enterprise; samples, results and who was missed
are health data: health officers and admins only."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse

from keepline import clock
from keepline.apikit.deps import DB, Route
from keepline.apikit.lists import Page, Paging, fetch_page, list_page, page_of
from keepline.errors import InputError
from keepline.fields import Day
from keepline.plans import recorded
from keepline.plant.service import get_enterprise
from keepline.screening import coverage as coverage_service
from keepline.screening import planning, queries, render, rounds, samples, sampling
from keepline.screening.auth import HealthDataReader, RoundReader, ScreeningStaff
from keepline.screening.models import Round, Sample, SampleMember
from keepline.screening.platemap import MatchBy
from keepline.screening.poolsize import KitDilution
from keepline.screening.schemas import (
    CollectionIn,
    CoverageOut,
    ImportOut,
    ListRowOut,
    PlannedRoundOut,
    PoolRecommendationOut,
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


@router.post("/screening/rounds", response_model=PlannedRoundOut, status_code=201)
def plan_round(body: RoundIn, session: DB, scope: ScreeningStaff) -> PlannedRoundOut:
    """Plan a round for zones × shifts on a day; pools are formed team by team at each
    zone's collection point unless the lab's ``pools`` are given (no member twice).
    Workers who may not work that day (isolated, quarantined, a health declaration not
    cleared, a locked zone) are left out and listed in ``excluded`` with the reasons.
    ``recommendation`` is the pool size the positivity of the zones over the last 14
    days recommends (None before any result)."""
    planned = planning.plan_round(session, scope, body)
    out = RoundOut.model_validate(planned.round)
    return PlannedRoundOut(
        **out.model_dump(), excluded=planned.excluded, recommendation=planned.recommendation
    )


@router.get("/screening/pool-size", response_model=PoolRecommendationOut)
def pool_size(
    session: DB,
    scope: ScreeningStaff,
    zone: Annotated[
        list[str] | None, Query(max_length=100, description="Zones (default: every zone).")
    ] = None,
    day: Annotated[Day | None, Query(description="Day of the round (default: today).")] = None,
    prevalence: Annotated[
        float | None, Query(ge=0, le=1, description="Share positive (default: the record's).")
    ] = None,
    days: Annotated[int, Query(ge=1, le=365, description="Days of positivity read.")] = 14,
    cq_shift_per_doubling: Annotated[
        float, Query(gt=0, le=5, description="The kit's Cq shift per doubling of the pool.")
    ] = 1.0,
) -> PoolRecommendationOut:
    """The pool size to use: each size the rules allow (1, 5, 10, 20) with Dorfman's tests
    per person, the share of positives found after dilution and the corrected tests per
    person, at the entered prevalence or the zones' positivity over the last ``days``
    (no result there: ``size`` is null and ``reason`` says so)."""
    kit = KitDilution(cq_shift_per_doubling=cq_shift_per_doubling)
    zones = zone or rounds.plant_zones(session, scope)
    return rounds.recommend_pool(
        session,
        scope,
        zones,
        day or clock.today(),
        prevalence=prevalence,
        days=days,
        kit=kit,
        required=False,
    )


@router.get("/screening/rounds", response_model=Page[RoundOut])
def list_rounds(session: DB, scope: RoundReader, paging: Paging) -> Response:
    """Rounds, newest day first (sort: day, id)."""
    q = queries.rounds(scope)
    return list_page(session, q, paging, queries.ROUND_SORTS, "-day", RoundOut)


@router.get("/screening/rounds/{round_id}", response_model=RoundOut)
def get_round(round_id: RoundId, session: DB, scope: RoundReader) -> Round:
    return rounds.get_round(session, scope, round_id)


@router.get(
    "/screening/rounds/{round_id}/sampling-list",
    response_model=list[ListRowOut],
    responses={200: {"content": {"text/csv": {}, "text/html": {}}}},
)
def sampling_list(
    round_id: RoundId,
    session: DB,
    scope: HealthDataReader,
    collection_point: Annotated[str | None, Query(max_length=64)] = None,
    format: ListFormat = ListFormat.json,
) -> Response | list[ListRowOut]:
    """Who gives a swab into which tube, per collection point: JSON, CSV or a printable
    HTML page (one page per collection point, then who is left out of the round and
    why)."""
    rnd = rounds.get_round(session, scope, round_id)
    rows = sampling.sampling_list(session, scope, round_id, collection_point)
    if format is ListFormat.csv:
        return PlainTextResponse(render.sampling_list_csv(rows), media_type="text/csv")
    if format is ListFormat.html:
        name = get_enterprise(session, scope.enterprise_id).name
        excluded = planning.excluded_from(session, scope, rnd)
        return HTMLResponse(render.sampling_list_html(rnd, name, rows, excluded))
    return rows


@router.get("/screening/rounds/{round_id}/coverage", response_model=list[CoverageOut])
def coverage(round_id: RoundId, session: DB, scope: HealthDataReader) -> list[CoverageOut]:
    """Per zone and shift: expected, sampled, resulted, missed — and who was missed."""
    return [
        CoverageOut.model_validate(dataclasses.asdict(c))
        for c in coverage_service.coverage(session, scope, round_id)
    ]


def _sample_out(s: Sample, members: list[SampleMember]) -> SampleOut:
    return SampleOut(
        **s.values(),
        members=[m.employee_no for m in members],
        absent=[m.employee_no for m in members if m.absent],
    )


@router.get("/screening/rounds/{round_id}/samples", response_model=Page[SampleOut])
def list_samples(
    round_id: RoundId,
    session: DB,
    scope: HealthDataReader,
    paging: Paging,
    verdict: Annotated[str | None, Query(max_length=10)] = None,
    kind: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The round's tubes with members, verdicts and Ct values (sort: id, verdict, kind)."""
    q = queries.round_samples(session, scope, round_id, verdict=verdict, kind=kind)
    items, total = fetch_page(session, q, paging, queries.SAMPLE_SORTS, "id")
    members = queries.members_by_sample(session, scope, [s.id for s in items])
    return page_of([_sample_out(s, members.get(s.id, [])) for s in items], total, paging)


@router.get("/screening/samples/{sample_id}", response_model=SampleOut)
def get_sample(sample_id: SampleId, session: DB, scope: HealthDataReader) -> SampleOut:
    s = samples.get_sample(session, scope, sample_id)
    return _sample_out(s, samples.members_of(session, scope, sample_id))


@router.post("/screening/samples/{sample_id}/collection", response_model=SampleOut)
def collect(
    sample_id: SampleId, body: CollectionIn, session: DB, scope: ScreeningStaff
) -> SampleOut:
    """Mark a tube collected; ``absent`` lists members who gave no swab."""
    s = samples.record_collection(session, scope, sample_id, body)
    return _sample_out(s, samples.members_of(session, scope, sample_id))


@router.post("/screening/results", response_model=ImportOut)
def import_results(
    session: DB,
    scope: ScreeningStaff,
    file: Annotated[
        UploadFile,
        File(
            description="RDML 1.0-1.3 from a qPCR instrument, an instrument's results table "
            "(QuantStudio/StepOne Results, Bio-Rad CFX Quantification Cq Results, SLAN-style "
            "xlsx) or CSV/Excel (sample_id, target, ct)."
        ),
    ],
    plate_map: Annotated[
        UploadFile | None,
        File(
            description="Well → tube id (CSV/xlsx: well, sample_id, sample_name, type), or "
            "the round's sampling list in well order; for files that do not name our tubes."
        ),
    ] = None,
    match: Annotated[
        MatchBy | None,
        Query(description="How to link wells to tubes; detected when not given."),
    ] = None,
) -> ImportOut:
    """Import lab results, interpret them by each round's kit rule and act on them (a
    positive pool isolates its members and creates retests; an individual positive
    becomes a case). The plate's controls are checked first: a failed one refuses the
    plate. All or nothing; the same file twice changes nothing."""
    data = _upload(file, "file")
    pm = (
        (plate_map.filename or "plate-map.csv", _upload(plate_map, "plate_map"))
        if plate_map
        else None
    )
    rep = recorded.import_results(
        session, scope, file.filename or "upload.csv", data, plate_map=pm, by=match
    )
    return ImportOut.model_validate(dataclasses.asdict(rep))


def _upload(file: UploadFile, field: str) -> bytes:
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError([f"{field}: larger than {MAX_UPLOAD_BYTES // 2**20} MB"])
    return data
