"""API shapes for the stock ledger, the prevention policy, cover and reorder."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.fields import Day, Integer, Number, Quantity, Text
from keepline.materials.models import MovementKind

Slug = Field(min_length=1, max_length=64)


class MovementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    material_id: Text = Field(min_length=1, max_length=64)
    kind: MovementKind = Field(description="receipt, issue, count or adjustment.")
    day: Day = Field(description="The day the stock moved (on or after the opening).")
    qty: Quantity = Field(
        allow_inf_nan=False,
        description="receipt/issue: the quantity (> 0); adjustment: the signed change; "
        "count: the stock counted. In the material's unit.",
    )
    unit: Text = Field(min_length=1, max_length=20, description="Must be the material's unit.")
    reason: Text = Field("", max_length=500, description="Why (required for an adjustment).")
    ref: Text | None = Field(None, max_length=100, description="A document number.")


class MovementOut(BaseModel):
    id: int
    material_id: str
    day: dt.date
    kind: MovementKind
    qty: float = Field(description="Signed change to the stock (a count: counted − book).")
    counted_qty: float | None
    unit: str
    reason: str
    ref: str | None
    actor: str
    recorded_at: UtcDatetime


class MaterialOut(BaseModel):
    id: str
    name: str
    kind: str
    unit: str
    on_hand: float = Field(description="Stock at the end of the as-of day.")
    safety_stock: float
    as_of: dt.date


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_from: Day
    rounds_per_week: Number = Field(0, ge=0, le=14, allow_inf_nan=False)
    pool_size: Integer = Field(1, ge=1, le=50, description="Samples per pooled tube (1: single).")
    per_pool_materials: list[Text] = Field(
        default_factory=list,
        max_length=100,
        description="Materials used once per pooled tube or reaction, not per person.",
    )
    per_zone_day: dict[Text, Number] = Field(
        default_factory=dict, description="Material → use per zone per day (disinfectant)."
    )


class PolicyOut(PolicyIn):
    id: Integer
    actor: Text
    recorded_at: UtcDatetime


class CoverOut(BaseModel):
    material_id: str
    name: str
    kind: str
    unit: str
    on_hand: float
    safety_stock: float
    use_today: float = Field(description="Expected use on the as-of day, material unit/day.")
    days_of_cover: float | None = Field(description="Days the stock lasts; null: not used.")
    runs_out_on: dt.date | None
    below_safety_on: dt.date | None
    basis: str = Field(description="Where the expected use comes from.")


class SuggestionOut(BaseModel):
    material_id: str
    supplier_id: str
    priority: int
    qty: float
    order_by: dt.date
    arrives_on: dt.date = Field(description="If ordered on the as-of day.")
    days_to_fill: int


class WarningOut(BaseModel):
    material_id: str
    runs_out_on: dt.date
    primary_supplier_id: str | None
    primary_arrives_on: dt.date | None
    backup_supplier_id: str | None
    activate_by: dt.date | None
    backup_arrives_on: dt.date | None
    late_days: int
    message: str


class OutlookOut(BaseModel):
    as_of: dt.date
    horizon_days: int
    cover: list[CoverOut]
    suggestions: list[SuggestionOut]
    warnings: list[WarningOut]
