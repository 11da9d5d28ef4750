"""The plant file: the one source of truth for a plant's static model.

Every field carries a description and, where it has one, a unit
(``json_schema_extra={"unit": ...}``). The JSON Schema (``keepline plant schema``),
``docs/plant-file.md`` and the Excel template are all generated from these models.

Cross-references (a team's zone, a BOM's material, ...) are checked by
:func:`keepline.plant.validate.check_references`, which reports field paths so the
loaders can name the YAML line or the Excel cell.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from keepline.clock import FileDate
from keepline.errors import quote
from keepline.fields import Text

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
_HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        description="A short identifier: lower-case letters, digits, '.', '_' or '-'.",
    ),
]


def unit(u: str) -> dict[str, Any]:
    """Extra JSON-Schema keys that name a field's unit."""
    return {"unit": u}


def NonNegative(description: str, u: str | None = None, default: Any = ...) -> Any:
    """A finite, non-negative number field with a description and unit."""
    return Field(
        default,
        ge=0,
        allow_inf_nan=False,
        description=description,
        json_schema_extra=unit(u) if u else None,
    )


class Strict(BaseModel):
    """Base for plant-file models: unknown keys are errors, numbers must be finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=False)


class ZoneKind(StrEnum):
    production = "production"
    warehouse = "warehouse"
    lab = "lab"
    office = "office"
    canteen = "canteen"
    dormitory = "dormitory"
    gate = "gate"
    isolation = "isolation"


class MaterialKind(StrEnum):
    raw = "raw"
    prevention = "prevention"
    consumable = "consumable"


class Priority(StrEnum):
    """Order priority classes, most critical first."""

    front_line = "front-line"
    livelihood = "livelihood"
    standard = "standard"

    @property
    def rank(self) -> int:
        return PRIORITY_ORDER.index(self)


PRIORITY_ORDER: list[Priority] = [Priority.front_line, Priority.livelihood, Priority.standard]


class NodeKind(StrEnum):
    """Kinds of node whose loss the risk-exposure analysis measures."""

    supplier = "supplier"
    region = "region"
    zone = "zone"
    line = "line"
    lane = "lane"


class Enterprise(Strict):
    id: Slug = Field(description="The enterprise's identifier, unique across keepline.")
    name: Text = Field(min_length=1, max_length=200, description="Registered name.")
    region_code: Text = Field(
        pattern=r"^[0-9]{6}$",
        description="Administrative division code (GB/T 2260, six digits) of the plant's site.",
    )
    sector: Text = Field(min_length=1, max_length=200, description="Industry sector.")
    jurisdiction: Slug = Field(
        description="Identifier of the government that oversees the plant "
        "(e.g. 'xuzhou-municipal')."
    )


class Zone(Strict):
    id: Slug
    name: Text = Field(min_length=1, max_length=200, description="Display name.")
    name_zh: Text | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Display name in Chinese, if `name` is not (e.g. 总装车间). A roster or "
        "access-events file may name the zone by its id or either name.",
    )
    kind: ZoneKind = Field(description="What the zone is used for.")
    capacity_people: int = NonNegative("Most people the zone holds at once.", "people")


class Shift(Strict):
    id: Slug
    start: Text = Field(
        description="Local start time, HH:MM (24 h).", json_schema_extra=unit("HH:MM")
    )
    end: Text = Field(
        description="Local end time, HH:MM (24 h); earlier than start for a night shift.",
        json_schema_extra=unit("HH:MM"),
    )

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM_RE.match(v):
            raise ValueError(f"expected a time as HH:MM, got {quote(v)}")
        return v


COMMUTER = "commuter"


class Team(Strict):
    id: Slug
    zone: Slug = Field(description="Zone the team works in.")
    shift: Slug = Field(description="Shift the team works.")
    headcount: int = NonNegative("Planned number of workers in the team.", "people")
    skills: list[Slug] = Field(
        default_factory=list,
        description="Skills every member of the team has (e.g. 'assembler', 'tester').",
    )
    housing: Slug = Field(
        default=COMMUTER,
        description="Id of a dormitory zone where the team lives, or 'commuter'.",
    )
    name: Text | None = Field(
        None, min_length=1, max_length=200, description="Display name (e.g. Optics day crew)."
    )
    name_zh: Text | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Display name in Chinese (e.g. 光学白班组). A roster file may name the "
        "team by its id or either name.",
    )


class Line(Strict):
    id: Slug
    zone: Slug = Field(description="Zone the line stands in; its crew come from this zone.")
    shifts: list[Slug] = Field(
        default_factory=list,
        description="Shifts the line runs; empty means every shift of the plant.",
    )
    crew_per_shift: dict[Slug, Annotated[int, Field(ge=0)]] = Field(
        description="Workers needed on each shift it runs, by skill, for full rate.",
        json_schema_extra=unit("people per shift"),
    )
    rates_units_per_day: dict[Slug, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        description="Products the line makes and its output of each per day at full crew "
        "on every shift it runs.",
        json_schema_extra=unit("units/day"),
    )


class Product(Strict):
    id: Slug
    name: Text = Field(min_length=1, max_length=200)
    bom: dict[Slug, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="Bill of materials: material id → quantity per unit of product, "
        "in the material's unit.",
        json_schema_extra=unit("material unit per product unit"),
    )


class SupplyOption(Strict):
    supplier: Slug = Field(description="Supplier id.")
    priority: int = Field(
        ge=1, le=99, description="1 for the primary option, 2 and up for backups."
    )
    lead_time_days: int = NonNegative(
        "Days from order to dispatch at the supplier; the lane's transit days are added.", "days"
    )
    capacity_per_day: float = NonNegative(
        "Most the option can supply per day, in the material's unit.", "material unit/day"
    )
    unit_cost: float = NonNegative("Price per unit of material.", "CNY")
    min_order: float = NonNegative(
        "Smallest order quantity, in the material's unit.", "material unit", default=0.0
    )
    activation_days: int = NonNegative(
        "Days to qualify and activate a backup before its first order (0 for an active option).",
        "days",
        default=0,
    )
    activation_cost: float = NonNegative(
        "One-off cost to activate the option (0 for an active option).", "CNY", default=0.0
    )


class Material(Strict):
    id: Slug
    name: Text = Field(min_length=1, max_length=200)
    kind: MaterialKind
    unit: Text = Field(
        min_length=1, max_length=20, description="Unit of measure, e.g. 'pcs', 'kg'."
    )
    on_hand: float = NonNegative("Stock on hand at the horizon start.", "material unit")
    safety_stock: float = NonNegative(
        "Stock to keep in reserve; reorders aim above it.", "material unit", default=0.0
    )
    consumption_per_worker_day: float = NonNegative(
        "Use per worker on site per day (prevention materials such as masks).",
        "material unit/worker-day",
        default=0.0,
    )
    consumption_per_test: float = NonNegative(
        "Use per sample collected in screening (swabs, sampling tubes).",
        "material unit/sample",
        default=0.0,
    )
    supply_options: list[SupplyOption] = Field(
        default_factory=list, description="Where the material can be bought, primary first."
    )


class Supplier(Strict):
    id: Slug
    name: Text = Field(min_length=1, max_length=200)
    region_code: Text = Field(
        pattern=r"^[0-9]{6}$",
        description="Administrative division code (GB/T 2260) of the supplier's site; "
        "a region lockdown is given by this code.",
    )


class Lane(Strict):
    id: Slug
    from_region: Text = Field(
        pattern=r"^[0-9]{6}$", description="Region code the goods travel from, to the plant."
    )
    transit_days: int = NonNegative("Days in transit from that region to the plant.", "days")


class Recovery(Strict):
    """Time to recover (TTR) after a node is lost."""

    defaults_days: dict[NodeKind, Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: {
            NodeKind.supplier: 14,
            NodeKind.region: 21,
            NodeKind.zone: 14,
            NodeKind.line: 10,
            NodeKind.lane: 7,
        },
        description="Days to recover by node kind.",
        json_schema_extra=unit("days"),
    )
    overrides_days: dict[Text, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Days to recover for single nodes, keyed 'kind:id' "
        "(e.g. 'supplier:huaxin-chips', 'region:320500').",
        json_schema_extra=unit("days"),
    )


class Order(Strict):
    id: Text = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="Order number, e.g. 'JS-041'."
    )
    customer: Text = Field(min_length=1, max_length=200)
    product: Slug
    qty: float = Field(
        gt=0,
        allow_inf_nan=False,
        description="Quantity ordered.",
        json_schema_extra=unit("product units"),
    )
    due: FileDate = Field(description="Date the order must ship by (YYYY-MM-DD).")
    priority: Priority = Field(description="front-line, livelihood or standard.")
    penalty_per_unit_day: float = NonNegative(
        "Cost of each unit shipped a day late.", "CNY/unit-day", default=1.0
    )


class PlantFile(Strict):
    """A whole plant: everything static that keepline knows about it."""

    keepline_plant: int = Field(1, ge=1, le=1, description="Plant-file format version (1).")
    enterprise: Enterprise = Field(description="Who the plant is and who oversees it.")
    horizon_start: FileDate = Field(
        description="First day of planning; stock is as of this day and orders are due on or "
        "after it."
    )
    zones: list[Zone] = Field(min_length=1, description="Areas of the site (at least one).")
    shifts: list[Shift] = Field(min_length=1, description="Working shifts (at least one).")
    teams: list[Team] = Field(min_length=1, description="Groups of workers (at least one).")
    lines: list[Line] = Field(default_factory=list, description="Production lines.")
    products: list[Product] = Field(
        default_factory=list, description="Products; each must be made by some line."
    )
    materials: list[Material] = Field(default_factory=list, description="Materials and stock.")
    suppliers: list[Supplier] = Field(default_factory=list, description="Suppliers.")
    lanes: list[Lane] = Field(
        default_factory=list,
        description="Transport lanes into the plant; a region without a lane has 0 transit days.",
    )
    recovery: Recovery = Field(
        default_factory=Recovery, description="Time to recover after losing a node."
    )
    orders: list[Order] = Field(default_factory=list, description="Customers' orders.")

    # -- convenience lookups used by engines and shells -----------------------------
    def headcount(self) -> int:
        return sum(t.headcount for t in self.teams)

    def line_shifts(self, line: Line) -> list[str]:
        return line.shifts or [s.id for s in self.shifts]

    def ttr_days(self, kind: NodeKind | str, node_id: str) -> int:
        kind = NodeKind(kind)
        key = f"{kind.value}:{node_id}"
        if key in self.recovery.overrides_days:
            return self.recovery.overrides_days[key]
        return self.recovery.defaults_days.get(kind, Recovery().defaults_days[kind])

    def transit_days(self, region_code: str) -> int:
        return next((ln.transit_days for ln in self.lanes if ln.from_region == region_code), 0)
