"""API shapes for daily health declarations and clearances."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.clock import FileDate
from keepline.fields import Number, Text
from keepline.health.models import HealthCode
from keepline.vocabulary import Labelled, headers

MIN_TEMPERATURE_C = 34.0
MAX_TEMPERATURE_C = 43.0


class Symptom(Labelled):
    fever = "fever", "发热", "发烧"
    cough = "cough", "咳嗽"
    sore_throat = "sore-throat", "咽痛", "咽喉痛", "嗓子痛"
    fatigue = "fatigue", "乏力", "疲劳"
    loss_of_smell_or_taste = "loss-of-smell-or-taste", "嗅觉味觉减退", "嗅觉或味觉丧失"
    shortness_of_breath = "shortness-of-breath", "气促", "呼吸困难"
    muscle_ache = "muscle-ache", "肌肉酸痛", "肌痛"
    diarrhoea = "diarrhoea", "腹泻"
    other = "other", "其他"


class DeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_no: Text = Field(
        min_length=1, max_length=32, json_schema_extra=headers("工号", "员工编号", "职工号")
    )
    day: FileDate = Field(
        description="The local date the declaration is for; not in the future.",
        json_schema_extra=headers("日期", "申报日期", "date"),
    )
    temperature_c: Number = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        allow_inf_nan=False,
        description=f"Body temperature in °C ({MIN_TEMPERATURE_C}-{MAX_TEMPERATURE_C}).",
        json_schema_extra=headers("体温", "temperature"),
    )
    symptoms: list[Symptom] = Field(
        default_factory=list, max_length=len(Symptom), json_schema_extra=headers("症状")
    )
    health_code: HealthCode = Field(
        HealthCode.green, json_schema_extra=headers("健康码", "健康码颜色")
    )
    risk_travel: bool = Field(
        False,
        description="Travelled to a designated risk area.",
        json_schema_extra=headers("中高风险地区旅居史", "风险地区旅居史", "旅居史"),
    )
    close_contact: bool = Field(
        False,
        description="Named as a close contact of a case.",
        json_schema_extra=headers("密切接触者", "密接"),
    )


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
