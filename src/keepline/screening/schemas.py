"""API shapes of screening: rounds, samples with their Ct values, imports, coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.fields import Day, Integer, Text
from keepline.screening.models import TestType

Slug = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")


class PoolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: Text = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    members: list[Text] = Field(min_length=1, max_length=20, description="Employee numbers.")


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Day = Field(description="Sampling day (plant-local).")
    zones: list[Text] = Field(min_length=1, max_length=100, description="Zones to screen.")
    shifts: list[Text] | None = Field(None, max_length=20, description="Default: every shift.")
    pool_size: Integer = Field(
        1,
        ge=1,
        le=1000,
        description="Swabs per tube: 1, 5, 10 or 20. More than 20 is refused (national "
        "guidance: larger pools miss positives).",
    )
    test_type: TestType = TestType.pcr
    assay: dict[Text, Any] | None = Field(
        None,
        description="The kit's rule (kit, targets, internal_control, positive_max_ct, "
        "ic_max_ct, max_cycles, aliases, undetermined_ct); default: ORF1ab and N Ct ≤ 40 "
        "with a valid internal control.",
    )
    pools: list[PoolIn] | None = Field(
        None, max_length=5000, description="Pools made by the lab (default: formed by team)."
    )
    in_place: bool = Field(
        False,
        description="Sample the workers where they are: those whose only reason not to "
        "work is their locked zone are in the round (screened in the sealed zone, their "
        "dormitory or at home). Cases, fever and quarantined contacts stay out.",
    )


class RoundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: dt.date
    test_type: TestType
    pool_size: int
    zones: list[str]
    shifts: list[str]
    assay: dict[str, Any]
    created_by: str
    created_at: UtcDatetime


class SampleOut(BaseModel):
    """A tube, its people and its result (health data: health officers and admins)."""

    id: str
    round_id: int
    kind: str
    parent_id: str | None
    collection_point: str
    members: list[str]
    absent: list[str]
    collected_at: UtcDatetime | None
    verdict: str | None
    reason: str | None
    cts: dict[str, float | None] | None
    resulted_at: UtcDatetime | None


class CollectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    absent: list[Text] = Field(default_factory=list, max_length=20)
    at: dt.datetime | None = Field(None, description="When collected (default: now).")


class ListRowOut(BaseModel):
    collection_point: str
    sample_id: str
    kind: str
    position: int
    employee_no: str
    name: str
    team: str
    shift: str


class MissedOut(BaseModel):
    employee_no: str
    name: str


class CoverageOut(BaseModel):
    zone: str
    shift: str
    expected: int
    sampled: int
    resulted: int
    missed: int
    missed_workers: list[MissedOut]


class ControlCheckOut(BaseModel):
    """A plate control checked by the kit's rule (``ok`` false refuses the plate)."""

    kind: str
    place: str
    target: str
    ct: float | None
    ok: bool
    note: str


class ImportOut(BaseModel):
    filename: str
    format: str
    already_imported: bool
    readings: int
    samples: int
    unchanged: int
    verdicts: dict[str, int]
    isolated: int
    retests: int
    resamples: int
    cases: int
    cleared: int
    controls_checked: int = Field(description="Control reactions (NTC, positive, standards).")
    linked_by: str = Field(
        description="How wells were linked to tubes: sample-id, description, name or well."
    )
    controls: list[ControlCheckOut]


class ExcludedOut(BaseModel):
    """A worker of the round's zones and shifts left out of it: they may not work that
    day (health data: health officers and admins)."""

    employee_no: str
    name: str
    zone: str
    shift: str
    team: str
    reasons: list[str] = Field(
        description="isolated, quarantined, not_cleared (a health declaration not yet "
        "cleared), zone_locked."
    )


class PlannedRoundOut(RoundOut):
    """The round planned, who was left out of it and why, and the pool size the recent
    positivity of its zones recommends (None: no results in the window)."""

    excluded: list[ExcludedOut]
    recommendation: PoolRecommendationOut | None = None


class PoolOptionOut(BaseModel):
    """One allowed pool size at the prevalence: Dorfman's tests per person (perfect test),
    the share of positives still found after dilution, the corrected tests per person."""

    size: int
    dorfman: float
    sensitivity: float
    tests_per_person: float
    missed_per_10k: float
    infectious_found: float


class PoolRecommendationOut(BaseModel):
    """The pool size to use for a round (see docs/screening.md, "The pool size to use")."""

    zones: list[str]
    prevalence: float | None = Field(description="None: no result in the window.")
    source: str = Field(description="entered, or the record: positives of people tested.")
    tested: int | None
    positives: int | None
    days: int | None
    size: int | None = Field(description="The size recommended (None: no prevalence).")
    reason: str
    min_sensitivity: float
    cq_shift_per_doubling: float
    cutoff_cq: float
    options: list[PoolOptionOut]


PlannedRoundOut.model_rebuild()
