"""API shapes for supplier and region status, lanes, shipments and transport passes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.fields import Day, Integer, Quantity, Text
from keepline.logistics.models import NodeState, ShipmentStatus, StatusKind

Id = Field(min_length=1, max_length=64)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: StatusKind = Field(description="supplier or region.")
    node_id: Text = Field(min_length=1, max_length=64, description="Supplier id or region code.")
    state: NodeState = Field(description="normal, restricted or locked-down.")
    start: Day
    end: Day | None = Field(None, description="Last day (inclusive); empty: until notice.")
    note: Text = Field("", max_length=500)


class StatusOut(StatusIn):
    id: Integer
    actor: Text
    recorded_at: UtcDatetime


class SupplierStateOut(BaseModel):
    supplier_id: str
    region_code: str
    state: NodeState
    source: str = Field(description="'supplier', 'region <code>' or '' (normal).")
    until: dt.date | None
    note: str
    open_shipments: int
    at_risk_shipments: int


class LaneOut(BaseModel):
    lane_id: str
    from_region: str
    planned_transit_days: int
    transit_days: int = Field(description="Transit days on the as-of day.")
    note: str


class LaneTransitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transit_days: Integer = Field(ge=0, le=365)
    start: Day
    end: Day | None = None
    note: Text = Field("", max_length=500)


class PurchaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Text = Field(min_length=1, max_length=64, description="Purchase order / shipment number.")
    material_id: Text = Field(min_length=1, max_length=64)
    supplier_id: Text = Field(min_length=1, max_length=64)
    qty: Quantity = Field(gt=0, allow_inf_nan=False, description="In the material's unit.")
    ordered_on: Day
    eta: Day = Field(description="Expected arrival at the plant.")
    status: ShipmentStatus = ShipmentStatus.planned
    dispatched_on: Day | None = None


class PurchaseOut(BaseModel):
    id: str
    material_id: str
    supplier_id: str
    qty: float
    ordered_on: dt.date
    eta: dt.date
    dispatched_on: dt.date | None
    delivered_on: dt.date | None
    status: ShipmentStatus
    checkpoint: str | None
    at_risk: bool
    risk_reason: str | None
    updated_at: UtcDatetime


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ShipmentStatus = Field(description="dispatched, held (at a checkpoint), delivered.")
    day: Day
    checkpoint: Text | None = Field(None, max_length=200, description="Where it is held.")
    eta: Day | None = Field(None, description="A new expected arrival (purchases).")


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Text = Field(min_length=1, max_length=64, description="Delivery note number.")
    order_id: Text = Field(min_length=1, max_length=64)
    qty: Quantity = Field(gt=0, allow_inf_nan=False)
    planned_on: Day


class CustomerOut(BaseModel):
    id: str
    order_id: str
    qty: float
    planned_on: dt.date
    dispatched_on: dt.date | None
    delivered_on: dt.date | None
    status: ShipmentStatus
    checkpoint: str | None
    updated_at: UtcDatetime


class PassIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Text = Field(min_length=1, max_length=64, description="Pass number.")
    vehicle: Text = Field(min_length=1, max_length=20, description="Plate number.")
    valid_from: Day
    valid_until: Day = Field(description="Last valid day (inclusive).")
    driver: Text = Field("", max_length=100)
    issued_by: Text = Field("", max_length=200)
    shipment_id: Text | None = Field(None, max_length=64)


class PassOut(PassIn):
    driver: Text | None = Field(  # type: ignore[assignment]
        None,
        description="The driver's name: personal data, shown to admins, storekeepers and "
        "planners (who issue and check passes); null for other roles.",
    )
    valid_today: bool
    updated_at: UtcDatetime
