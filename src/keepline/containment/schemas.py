"""API shapes of containment: cases, contacts, isolations and quarantines, access
events, zone states and availability."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.containment.models import Reason, RestrictionKind, ZoneState
from keepline.fields import Day, Integer, Number, Text
from keepline.vocabulary import headers

EmployeeNo = Field(min_length=1, max_length=32)


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_no: Text = EmployeeNo
    confirmed_on: Day = Field(description="Day confirmed; the worker is isolated from it.")
    sample_day: Day | None = None
    onset_day: Day | None = Field(None, description="Day symptoms began, if any.")


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_no: str
    confirmed_on: dt.date
    sample_day: dt.date | None
    onset_day: dt.date | None
    infectious_from: dt.date
    infectious_to: dt.date
    sample_id: str | None
    status: str
    created_by: str
    created_at: UtcDatetime


class ContactOut(BaseModel):
    employee_no: str
    name: str
    zone: str
    shift: str
    team: str
    how: list[str] = Field(description="team, zone-shift, dormitory, access")
    minutes: float = Field(description="Summed minutes in the same zone as the case (access).")
    zones: dict[str, float] = Field(description="Minutes per zone.")
    first_overlap: dt.datetime | None


class QuarantineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_nos: list[Text] | None = Field(
        None, max_length=5000, description="These contacts; default: every contact found by `how`."
    )
    how: list[Text] = Field(default_factory=lambda: ["access", "team", "dormitory"], max_length=4)
    days: Integer = Field(7, ge=1, le=60, description="Quarantine length in days.")
    start_day: Day | None = Field(None, description="First day (default: today).")
    min_minutes: Number = Field(15, ge=0, le=1440)
    reason: Text = Field("", max_length=500, description="Why; kept in each quarantine's note.")


class RestrictionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_no: Text = EmployeeNo
    kind: RestrictionKind
    reason: Reason
    start_day: Day
    end_rule: Text = Field(
        "days:7", max_length=30, description="'days:N' or 'negative-tests:N' (N ≥ 1)."
    )
    note: Text = Field("", max_length=500)


class RestrictionEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    end_day: Day = Field(description="Last day away.")
    reason: Text = Field(min_length=1, max_length=500)


class RestrictionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_no: str
    kind: RestrictionKind
    reason: Reason
    start_day: dt.date
    end_day: dt.date | None
    end_rule: str
    negative_tests: int
    case_id: int | None
    sample_id: str | None
    note: str
    created_by: str
    ended_by: str | None
    end_reason: str | None


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_no: Text = Field(
        min_length=1, max_length=32, json_schema_extra=headers("工号", "员工编号", "职工号")
    )
    zone: Text = Field(
        min_length=1,
        max_length=64,
        description="The zone's id (a file may give its display name or Chinese name).",
        json_schema_extra=headers("区域", "车间", "门禁区域"),
    )
    time_in: dt.datetime = Field(
        description="ISO 8601; without an offset: plant-local time.",
        json_schema_extra=headers("进入时间", "入场时间", "进门时间"),
    )
    time_out: dt.datetime = Field(json_schema_extra=headers("离开时间", "出场时间", "出门时间"))


class EventsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Text = Field("gate", max_length=64, description="The device or system posting.")
    events: list[EventIn] = Field(max_length=100_000)


class EventsOut(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int


class ZoneStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: ZoneState
    reason: Text = Field(min_length=1, max_length=500)
    closed_loop: bool = Field(
        False, description="With 'locked': dormitory-housed workers keep working inside."
    )


class ZoneStateOut(BaseModel):
    zone_id: str
    state: ZoneState
    previous: ZoneState | None
    at: UtcDatetime | None
    day: dt.date | None
    by: str | None
    reason: str | None
    closed_loop: bool


class AvailabilityOut(BaseModel):
    start: dt.date
    end: dt.date
    zones: list[str]
    shifts: list[str]
    skills: list[str]
    available: list[list[list[list[float]]]] = Field(
        description="available[day][zone][shift][skill]: workers (a worker counts under each "
        "of their skills)."
    )
    people: list[list[list[int]]] = Field(
        description="people[day][zone][shift]: workers at work, each counted once whatever "
        "their skills; summed over zones and shifts it is everyone at work that day "
        "(workers − uncounted − those away that day)."
    )
    workers: int
    away_worker_days: int
    uncounted: int
