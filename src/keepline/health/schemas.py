"""API shapes for daily health declarations and clearances."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.fields import Day, Number, Text
from keepline.health.models import HealthCode

MIN_TEMPERATURE_C = 34.0
MAX_TEMPERATURE_C = 43.0


class Symptom(StrEnum):
    fever = "fever"
    cough = "cough"
    sore_throat = "sore-throat"
    fatigue = "fatigue"
    loss_of_smell_or_taste = "loss-of-smell-or-taste"
    shortness_of_breath = "shortness-of-breath"
    muscle_ache = "muscle-ache"
    diarrhoea = "diarrhoea"
    other = "other"


class DeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_no: Text = Field(min_length=1, max_length=32)
    day: Day = Field(description="The local date the declaration is for; not in the future.")
    temperature_c: Number = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        allow_inf_nan=False,
        description=f"Body temperature in °C ({MIN_TEMPERATURE_C}-{MAX_TEMPERATURE_C}).",
    )
    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(Symptom))
    health_code: HealthCode = HealthCode.green
    risk_travel: bool = Field(False, description="Travelled to a designated risk area.")
    close_contact: bool = Field(False, description="Named as a close contact of a case.")


class DeclarationsBulk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declarations: list[DeclarationIn] = Field(max_length=50_000)


class DeclarationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    employee_no: str
    day: dt.date
    temperature_c: float
    symptoms: list[str]
    health_code: HealthCode
    risk_travel: bool
    close_contact: bool
    flags: list[str] = Field(description="Why this declaration stops the worker, if it does.")
    declared_at: UtcDatetime


class BulkOut(BaseModel):
    received: int
    inserted: int
    replaced: int
    unchanged: int
    flagged: int = Field(description="Declarations that stop the worker until cleared.")
    rejected: list[dict[str, object]] = Field(default_factory=list)


class ClearIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=3, max_length=500, description="Why the worker may work.")


class MissingOut(BaseModel):
    employee_no: str
    name: str
    team: str
    zone: str
    shift: str
