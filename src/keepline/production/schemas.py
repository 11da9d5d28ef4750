"""API shapes for output, order progress and stored plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.fields import Day, Integer, Quantity, Text


class OutputIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_id: Text = Field(min_length=1, max_length=64)
    product_id: Text = Field(min_length=1, max_length=64)
    day: Day
    qty: Quantity = Field(gt=0, allow_inf_nan=False, description="Units made.")
    note: Text = Field("", max_length=500)
    backflush: bool = Field(False, description="Also issue the BOM's materials from stock.")


class OutputRecordOut(BaseModel):
    id: int
    line_id: str
    product_id: str
    day: dt.date
    qty: float
    note: str
    actor: str
    recorded_at: UtcDatetime


class OutputDayOut(BaseModel):
    day: dt.date
    line_id: str
    product_id: str
    qty: float
    rate_units_per_day: float
    share_of_rate: float = Field(description="Output / the line's full rate.")


class OrderOut(BaseModel):
    id: str
    customer: str
    product_id: str
    priority: str
    due: dt.date
    qty: float
    planned: float
    dispatched: float
    delivered: float
    remaining: float
    state: str = Field(description="done, open or overdue.")


class PlanSummaryOut(BaseModel):
    id: int
    as_of: dt.date
    horizon_days: int
    actor: str
    created_at: UtcDatetime
    orders_at_risk: list[str]
    backups: list[dict[str, Any]]


class PlanOut(PlanSummaryOut):
    inputs: dict[str, Any]
    result: dict[str, Any]


class ChangeOut(BaseModel):
    subject: str
    before: Any
    after: Any
    text: str


class ComparisonOut(BaseModel):
    old_plan: int
    new_plan: int
    outcome: list[ChangeOut]
    causes: list[ChangeOut]
    reasons: list[str]
    text: list[str]


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: Day | None = Field(None, description="Plan from this day (default: today).")
    horizon_days: Integer = Field(90, ge=7, le=366)
