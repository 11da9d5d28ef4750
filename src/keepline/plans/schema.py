"""The emergency-plan file: the one source of truth for a plan's levels and rules.

A plan is data: levels (lowest first, each listing the actions it allows) and rules,
each **trigger → actions**. A trigger reads the daily record (a positive in a zone, days
of cover below a threshold, ...); triggers combine with ``all``/``any``; the zone,
material, supplier, region or order that fired a trigger is *carried* into the actions,
which name it as ``$zone`` / ``$material`` or in a text as ``{zone}``. Every action says
whether it runs by itself (``auto: true``) or waits for a person.

Every threshold carries its unit in its name (``within_days``, ``below_days``,
``share_above`` is a fraction 0–1, ``by_time`` is ``HH:MM``); a duration is written
``4h``, ``30m``, ``2d``, ``1d12h`` or ISO 8601 (``PT4H``), never a bare number.
``docs/plans.md`` and ``docs/plan-file.schema.json`` are generated from these models.
Cross-references against the plant, level permissions and rule loops are checked by
:mod:`keepline.plans.planfile`; the rules are evaluated by :mod:`keepline.plans.engine`.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from keepline.errors import quote
from keepline.plant.schema import MaterialKind, Priority, Slug, unit
from keepline.scope import ENTERPRISE_ROLES

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
REGION_RE = re.compile(r"^[0-9]{6}$")

ANY = "any"
FIRED_ZONE = "$zone"
FIRED_MATERIAL = "$material"
ROLES: tuple[str, ...] = tuple(r.value for r in ENTERPRISE_ROLES)


class Carried(StrEnum):
    """What a trigger that holds carries into its rule's actions."""

    zone = "zone"
    material = "material"
    supplier = "supplier"
    region = "region"
    order = "order"


# Names a text (a notification, a task, a zone-state reason) may use as {name}.
TEXT_FIELDS: tuple[str, ...] = (*(c.value for c in Carried), "rule", "day")


class Strict(BaseModel):
    """Base for plan-file models: unknown keys are errors, numbers must be finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


# -- values with units, parsed strictly ------------------------------------------------

_NUMBER_WITH_UNIT = re.compile(r"^\s*[0-9.]+\s*([a-zA-Z%]+)\s*$")


def _whole(kind: str) -> Any:
    """A count of ``kind`` (days, workers, ...): a whole number, never text with a unit."""

    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"expected a number of {kind}, got {quote(value)}")
        if isinstance(value, str):
            m = _NUMBER_WITH_UNIT.match(value)
            if m:
                raise ValueError(
                    f"wrong unit: write a plain number of {kind}, without '{m.group(1)}' "
                    f"(got {quote(value)})"
                )
        return value

    return check


def Count(
    kind: str, description: str, ge: int = 0, le: int | None = None, default: Any = ...
) -> Any:
    return Field(
        default,
        ge=ge,
        le=le,
        description=description,
        json_schema_extra=unit(kind),
    )


Days = Annotated[int, BeforeValidator(_whole("days"))]
People = Annotated[int, BeforeValidator(_whole("workers"))]
Positives = Annotated[int, BeforeValidator(_whole("positives"))]
Number = Annotated[int, BeforeValidator(_whole("items"))]


def _share(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a share between 0 and 1, got {quote(value)}")
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            raise ValueError(
                f"wrong unit: a share is a fraction between 0 and 1, not a percentage "
                f"(got {quote(value)}; write {_pct_hint(text[:-1])})"
            )
        raise ValueError(f"expected a share between 0 and 1, got {quote(value)}")
    if isinstance(value, int | float) and 1 < value <= 100:
        raise ValueError(
            f"wrong unit: a share is a fraction between 0 and 1, not a percentage "
            f"(got {quote(value)}; write {_pct_hint(str(value))})"
        )
    return value


def _pct_hint(text: str) -> str:
    try:
        return f"{float(text) / 100:g}"
    except ValueError:
        return "e.g. 0.2 for 20 %"


Share = Annotated[float, BeforeValidator(_share)]


def _hhmm(value: Any) -> Any:
    if not isinstance(value, str) or not HHMM_RE.match(value):
        raise ValueError(f"expected a time of day as 'HH:MM' (24 h, quoted), got {quote(value)}")
    return value


HHMM = Annotated[
    str,
    BeforeValidator(_hhmm),
    WithJsonSchema({"type": "string", "pattern": HHMM_RE.pattern}),
]

_SHORT_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
DURATION_FORMS = "'4h', '30m', '2d', '1d12h' or ISO 8601 'PT4H', 'P1DT12H'"


def parse_duration(value: Any) -> dt.timedelta:
    """``4h``, ``30m``, ``2d``, ``1d12h`` or ISO 8601 ``PT4H`` → timedelta (strict)."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"a duration needs a unit: write {DURATION_FORMS} (got {quote(value)})")
    text = value.strip()
    m = _SHORT_DURATION.match(text) or _ISO_DURATION.match(text)
    if not text or not m or not any(m.groups()):
        raise ValueError(f"expected a duration as {DURATION_FORMS}, got {quote(value)}")
    d, h, mins = (int(g) if g else 0 for g in m.groups())
    out = dt.timedelta(days=d, hours=h, minutes=mins)
    if out <= dt.timedelta(0):
        raise ValueError(f"a duration must be longer than zero, got {quote(value)}")
    return out


def format_duration(value: dt.timedelta) -> str:
    """ISO 8601, e.g. ``PT4H``, ``P1DT12H``."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    time = (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


Duration = Annotated[
    dt.timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^((\d+d)?(\d+h)?(\d+m)?|P(\d+D)?(T(\d+H)?(\d+M)?)?)$",
            "description": f"A duration: {DURATION_FORMS}.",
        }
    ),
]


def _ref(*extra: str) -> Any:
    """A reference to a plant id, or one of the ``extra`` words (``any``, ``$zone``)."""
    words = set(extra)

    def check(value: Any) -> Any:
        if isinstance(value, str) and (value in words or SLUG_RE.match(value)):
            return value
        allowed = " or ".join([*(f"'{w}'" for w in extra), "an id (lower-case slug)"])
        raise ValueError(f"expected {allowed}, got {quote(value)}")

    return check


def _ref_schema(*extra: str) -> WithJsonSchema:
    words = "|".join(re.escape(w) for w in extra)
    return WithJsonSchema({"type": "string", "pattern": f"^({words}|{SLUG_RE.pattern[1:-1]})$"})


ZoneOrAny = Annotated[str, BeforeValidator(_ref(ANY)), _ref_schema(ANY)]
MaterialOrAny = Annotated[str, BeforeValidator(_ref(ANY)), _ref_schema(ANY)]
ZoneRef = Annotated[str, BeforeValidator(_ref(FIRED_ZONE)), _ref_schema(FIRED_ZONE)]
MaterialRef = Annotated[str, BeforeValidator(_ref(FIRED_MATERIAL)), _ref_schema(FIRED_MATERIAL)]


def _region(value: Any) -> Any:
    if isinstance(value, str) and (value == ANY or REGION_RE.match(value)):
        return value
    raise ValueError(
        f"expected 'any' or a six-digit GB/T 2260 region code (quoted), got {quote(value)}"
    )


RegionOrAny = Annotated[
    str,
    BeforeValidator(_region),
    WithJsonSchema({"type": "string", "pattern": "^(any|[0-9]{6})$"}),
]


def text_fields(text: str) -> list[str]:
    """The ``{name}`` fields a text uses."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def _template(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        names = text_fields(value)
    except ValueError as exc:
        raise ValueError(f"bad {{field}} in text: {exc}") from None
    for name in names:
        if name not in TEXT_FIELDS:
            raise ValueError(
                f"unknown field {{{name}}} in text (known: "
                + ", ".join(f"{{{f}}}" for f in TEXT_FIELDS)
                + ")"
            )
    return value


Text = Annotated[str, BeforeValidator(_template), Field(min_length=1, max_length=500)]


# -- triggers --------------------------------------------------------------------------


class PositiveKind(StrEnum):
    case = "case"
    positive_pool = "positive-pool"


class RiskLevel(StrEnum):
    """The city's epidemic risk level (low / medium / high risk area, 2020–2022)."""

    low = "low"
    medium = "medium"
    high = "high"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


class TriggerKind(StrEnum):
    positive_in_zone = "positive_in_zone"
    positives_within = "positives_within"
    missing_declarations_share = "missing_declarations_share"
    fever_in_zone = "fever_in_zone"
    region_locked = "region_locked"
    days_of_cover_below = "days_of_cover_below"
    city_risk = "city_risk"
    critical_order_at_risk = "critical_order_at_risk"
    difficulty_overdue = "difficulty_overdue"


class TriggerBase(Strict):
    CARRIES: ClassVar[frozenset[Carried]] = frozenset()

    def carries(self) -> frozenset[Carried]:
        """What a hit of this trigger carries into the actions."""
        return self.CARRIES


_WHAT = Field(
    default_factory=lambda: [PositiveKind.case, PositiveKind.positive_pool],
    min_length=1,
    description="What counts as a positive: 'case' (a confirmed case, by the zone its "
    "worker works in) and/or 'positive-pool' (a pooled sample that tested positive).",
)


class PositiveInZone(TriggerBase):
    """A confirmed case or a positive pool in a zone. Carries the zone."""

    CARRIES = frozenset({Carried.zone})
    kind: Literal["positive_in_zone"]
    zone: ZoneOrAny = Field(
        ANY, description="Zone id, or 'any': every zone with a positive fires on its own."
    )
    what: list[PositiveKind] = _WHAT
    within_days: Days = Count(
        "days",
        "Look-back window ending on the day evaluated; 1 means that day only.",
        ge=1,
        le=60,
        default=1,
    )


class PositivesWithin(TriggerBase):
    """At least N positives within D days, in the plant, in one zone, or in each zone."""

    kind: Literal["positives_within"]
    at_least_positives: Positives = Count(
        "positives", "Fires at this many positives or more.", ge=1, le=100_000
    )
    within_days: Days = Count(
        "days", "Window ending on the day evaluated (1: that day only).", ge=1, le=60
    )
    zone: ZoneOrAny = Field(ANY, description="Count in this zone only, or 'any'.")
    per_zone: bool = Field(
        False,
        description="Count each zone on its own and carry the zone that reaches the count "
        "(with zone 'any'); false counts the plant (or the one zone) as a whole.",
    )
    what: list[PositiveKind] = _WHAT

    def carries(self) -> frozenset[Carried]:
        return frozenset({Carried.zone}) if self.per_zone or self.zone != ANY else frozenset()

    @model_validator(mode="after")
    def _per_zone_any(self) -> PositivesWithin:
        if self.per_zone and self.zone != ANY:
            raise ValueError("per_zone counts every zone: use it with zone 'any'")
        return self


class MissingDeclarationsShare(TriggerBase):
    """The share of the day's expected health declarations not made by a time of day."""

    kind: Literal["missing_declarations_share"]
    share_above: Share = Field(
        ge=0,
        le=1,
        description="Fires when the missing share is above this fraction (0.1 = 10 %).",
        json_schema_extra=unit("fraction 0-1"),
    )
    by_time: HHMM = Field(
        description="Plant-local time of day by which declarations are counted; before it the "
        "trigger does not hold.",
        json_schema_extra=unit("HH:MM"),
    )


class FeverInZone(TriggerBase):
    """Workers of a zone declaring fever on the day. Carries the zone."""

    CARRIES = frozenset({Carried.zone})
    kind: Literal["fever_in_zone"]
    zone: ZoneOrAny = Field(ANY, description="Zone id, or 'any' (each zone on its own).")
    at_least_workers: People = Count(
        "workers", "Fires at this many workers with fever or more.", ge=1, le=100_000, default=1
    )


class RegionLocked(TriggerBase):
    """The region of a material's primary supplier is locked down.

    Fires once for each material whose primary (priority-1) supplier is in a locked
    region, and carries the region, that supplier and that material.
    """

    CARRIES = frozenset({Carried.region, Carried.supplier, Carried.material})
    kind: Literal["region_locked"]
    region: RegionOrAny = Field(
        ANY, description="Region code (GB/T 2260, quoted), or 'any' region we buy from."
    )
    supplier: Slug | None = Field(None, description="Only the region of this supplier.")
    lane: Slug | None = Field(None, description="Only the region this lane runs from.")

    @model_validator(mode="after")
    def _one_filter(self) -> RegionLocked:
        given = [n for n in ("supplier", "lane") if getattr(self, n) is not None]
        if self.region != ANY:
            given.insert(0, "region")
        if len(given) > 1:
            raise ValueError(f"give one of region, supplier or lane, not {' and '.join(given)}")
        return self


class DaysOfCoverBelow(TriggerBase):
    """A material's days of cover below a threshold. Carries the material."""

    CARRIES = frozenset({Carried.material})
    kind: Literal["days_of_cover_below"]
    material: MaterialOrAny = Field(
        ANY, description="Material id, or 'any' (each material on its own)."
    )
    material_kind: MaterialKind | None = Field(
        None, description="With material 'any': only materials of this kind (e.g. prevention)."
    )
    below_days: float = Field(
        gt=0,
        le=3650,
        description="Fires when the days of cover are below this.",
        json_schema_extra=unit("days"),
    )

    @field_validator("below_days", mode="before")
    @classmethod
    def _days(cls, v: Any) -> Any:
        return _whole("days")(v)

    @model_validator(mode="after")
    def _kind_with_any(self) -> DaysOfCoverBelow:
        if self.material_kind is not None and self.material != ANY:
            raise ValueError("material_kind filters material 'any': give one or the other")
        return self


class CityRisk(TriggerBase):
    """The city's risk level, or a control area declared (from a scenario or by hand)."""

    kind: Literal["city_risk"]
    risk_level_at_least: RiskLevel | None = Field(
        None, description="Fires when the city's risk level is this or higher."
    )
    control_area: bool = Field(
        False, description="Fires when the plant's area is declared a control area."
    )

    @model_validator(mode="after")
    def _something(self) -> CityRisk:
        if self.risk_level_at_least is None and not self.control_area:
            raise ValueError("give risk_level_at_least or control_area: true")
        return self


class CriticalOrderAtRisk(TriggerBase):
    """An order of a critical class late in the latest production plan. Carries the order."""

    CARRIES = frozenset({Carried.order})
    kind: Literal["critical_order_at_risk"]
    priorities: list[Priority] = Field(
        default_factory=lambda: [Priority.front_line, Priority.livelihood],
        min_length=1,
        description="Order classes that count.",
    )


class DifficultyOverdue(TriggerBase):
    """Difficulties raised to the government and overdue on their time limits."""

    kind: Literal["difficulty_overdue"]
    at_least_difficulties: Number = Count(
        "difficulties", "Fires at this many overdue difficulties or more.", ge=1, default=1
    )


def _not_both(value: Any) -> Any:
    if isinstance(value, dict) and "all" in value and "any" in value:
        raise ValueError("give all or any, not both: nest one in the other")
    return value


class AllOf(Strict):
    """Every member holds; their carried values join (a zone must agree)."""

    all: list[Trigger] = Field(min_length=1, max_length=20)

    @model_validator(mode="before")
    @classmethod
    def _one_combination(cls, value: Any) -> Any:
        return _not_both(value)


class AnyOf(Strict):
    """At least one member holds; each holding member fires with what it carries."""

    any: list[Trigger] = Field(min_length=1, max_length=20)


LEAVES: tuple[type[TriggerBase], ...] = (
    PositiveInZone,
    PositivesWithin,
    MissingDeclarationsShare,
    FeverInZone,
    RegionLocked,
    DaysOfCoverBelow,
    CityRisk,
    CriticalOrderAtRisk,
    DifficultyOverdue,
)
LEAF_BY_KIND: dict[str, type[TriggerBase]] = {
    get_args(m.model_fields["kind"].annotation)[0]: m for m in LEAVES
}


def trigger_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "all" in value:
            return "all"
        if "any" in value:
            return "any"
        kind = value.get("kind")
        return kind if isinstance(kind, str) else None
    if isinstance(value, AllOf):
        return "all"
    if isinstance(value, AnyOf):
        return "any"
    return getattr(value, "kind", None)


Trigger = Annotated[
    Annotated[PositiveInZone, Tag("positive_in_zone")]
    | Annotated[PositivesWithin, Tag("positives_within")]
    | Annotated[MissingDeclarationsShare, Tag("missing_declarations_share")]
    | Annotated[FeverInZone, Tag("fever_in_zone")]
    | Annotated[RegionLocked, Tag("region_locked")]
    | Annotated[DaysOfCoverBelow, Tag("days_of_cover_below")]
    | Annotated[CityRisk, Tag("city_risk")]
    | Annotated[CriticalOrderAtRisk, Tag("critical_order_at_risk")]
    | Annotated[DifficultyOverdue, Tag("difficulty_overdue")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")],
    Discriminator(
        trigger_tag,
        custom_error_type="trigger_kind",
        custom_error_message="unknown trigger",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()

Leaf = (
    PositiveInZone
    | PositivesWithin
    | MissingDeclarationsShare
    | FeverInZone
    | RegionLocked
    | DaysOfCoverBelow
    | CityRisk
    | CriticalOrderAtRisk
    | DifficultyOverdue
)


def carries(trigger: Any) -> frozenset[Carried]:
    """What a trigger (leaf or combination) carries when it holds.

    ``all`` joins its members' hits, so it carries every member's values; ``any`` fires
    with one member's hit at a time, so only what every member carries is sure to be
    there.
    """
    if isinstance(trigger, AllOf):
        return frozenset().union(*(carries(t) for t in trigger.all))
    if isinstance(trigger, AnyOf):
        sets = [carries(t) for t in trigger.any]
        return frozenset.intersection(*sets)
    return trigger.carries()


def leaves(trigger: Any) -> list[Any]:
    if isinstance(trigger, AllOf):
        return [x for t in trigger.all for x in leaves(t)]
    if isinstance(trigger, AnyOf):
        return [x for t in trigger.any for x in leaves(t)]
    return [trigger]


# -- actions ---------------------------------------------------------------------------


class ActionKind(StrEnum):
    set_zone_state = "set_zone_state"
    quarantine_contacts = "quarantine_contacts"
    create_screening_rounds = "create_screening_rounds"
    switch_to_backup_supplier = "switch_to_backup_supplier"
    raise_reorder = "raise_reorder"
    replan = "replan"
    raise_level = "raise_level"
    notify = "notify"
    create_task = "create_task"


class ZoneState(StrEnum):
    """The states of ``containment``'s zone-state record (a test keeps them equal)."""

    open = "open"
    restricted = "restricted"
    locked = "locked"
    disinfecting = "disinfecting"
    reopened = "reopened"


class ContactBy(StrEnum):
    """How contacts are found (``containment``'s contact kinds)."""

    team = "team"
    zone_shift = "zone-shift"
    dormitory = "dormitory"
    access = "access"


class TestType(StrEnum):
    pcr = "pcr"
    antigen = "antigen"


class ActionBase(Strict):
    auto: bool = Field(
        False,
        description="true: runs by itself when the rule fires; false: waits for a person to "
        "confirm it.",
    )


class SetZoneState(ActionBase):
    """Set a zone's state (lock it, restrict it, disinfect it, reopen it)."""

    do: Literal["set_zone_state"]
    zone: ZoneRef = Field(FIRED_ZONE, description="Zone id, or '$zone': the zone that fired.")
    state: ZoneState = Field(description="The zone's new state.")
    closed_loop: bool = Field(
        False, description="With 'locked': dormitory-housed workers keep working inside."
    )
    reason: Text = Field(
        "emergency plan rule {rule}", description="Reason recorded with the state change."
    )


class QuarantineContacts(ActionBase):
    """Quarantine the contacts of the cases in a zone (their teams or zone-shifts)."""

    do: Literal["quarantine_contacts"]
    zone: ZoneRef = Field(FIRED_ZONE, description="Zone of the cases, or '$zone'.")
    contacts_by: list[ContactBy] = Field(
        default_factory=lambda: [ContactBy.team, ContactBy.zone_shift],
        min_length=1,
        description="Which contacts: the case's team, zone-shift, dormitory, access overlaps.",
    )
    quarantine_days: Days = Count("days", "Quarantine length.", ge=1, le=60, default=7)


class CreateScreeningRounds(ActionBase):
    """Screening rounds for a zone's shifts, on one or several days in a row."""

    do: Literal["create_screening_rounds"]
    zone: ZoneRef = Field(FIRED_ZONE, description="Zone to screen, or '$zone'.")
    shifts: list[Slug] = Field(
        default_factory=list, description="Shifts to screen; empty: every shift."
    )
    pool_size: Literal[1, 5, 10, 20] = Field(
        1,
        description="Swabs per tube: 1, 5, 10 or 20 (national guidance: no larger pools).",
        json_schema_extra=unit("swabs per tube"),
    )
    test_type: TestType = Field(TestType.pcr, description="pcr or antigen.")
    start_after_days: Days = Count(
        "days",
        "First round this many days after the rule fires (0: the same day).",
        le=14,
        default=0,
    )
    days_in_a_row: Days = Count(
        "days", "Rounds on this many days in a row.", ge=1, le=14, default=1
    )
    in_place: bool = Field(
        False,
        description="Sample the zone's workers where they are (dormitory, home): a locked "
        "zone keeps its people from work, and a round on site would find nobody to sample. "
        "Needed when the zone is locked (by this rule or another); cases, workers with "
        "fever and quarantined contacts stay out of the round either way.",
    )


class SwitchToBackupSupplier(ActionBase):
    """Activate a material's backup supply option (the plant's next by priority)."""

    do: Literal["switch_to_backup_supplier"]
    material: MaterialRef = Field(
        FIRED_MATERIAL, description="Material id, or '$material': the material that fired."
    )


class RaiseReorder(ActionBase):
    """Raise a material's reorder: order up to a number of days of cover."""

    do: Literal["raise_reorder"]
    material: MaterialRef = Field(FIRED_MATERIAL, description="Material id, or '$material'.")
    up_to_days_of_cover: float = Field(
        gt=0,
        le=365,
        description="Order enough to reach this many days of cover.",
        json_schema_extra=unit("days"),
    )

    @field_validator("up_to_days_of_cover", mode="before")
    @classmethod
    def _days(cls, v: Any) -> Any:
        return _whole("days")(v)


class Replan(ActionBase):
    """Re-plan production from today (critical orders first)."""

    do: Literal["replan"]


class RaiseLevel(ActionBase):
    """Raise the plan's response level."""

    do: Literal["raise_level"]
    to: Slug = Field(description="A level of the plan, the rule's own or higher.")


class Notify(ActionBase):
    """Send a message to people in roles and, if asked, the government liaison officer."""

    do: Literal["notify"]
    roles: list[str] = Field(
        default_factory=list,
        description="Enterprise roles to notify: " + ", ".join(ROLES) + ".",
    )
    liaison_officer: bool = Field(
        False, description="Also notify the government's liaison officer for the plant."
    )
    message: Text = Field(description="The message; may use {zone}, {material}, ... .")

    @model_validator(mode="after")
    def _someone(self) -> Notify:
        if not self.roles and not self.liaison_officer:
            raise ValueError("notify whom? give roles or liaison_officer: true")
        return self


class CreateTask(ActionBase):
    """A task for a role with a deadline ("disinfect zone {zone}" within 4h)."""

    do: Literal["create_task"]
    role: str = Field(description="Enterprise role that owns the task: " + ", ".join(ROLES) + ".")
    text: Text = Field(description="What to do; may use {zone}, {material}, ... .")
    deadline: Duration = Field(
        description="Time from the activation to the task's deadline: " + DURATION_FORMS + ".",
        json_schema_extra=unit("duration"),
    )


Action = Annotated[
    SetZoneState
    | QuarantineContacts
    | CreateScreeningRounds
    | SwitchToBackupSupplier
    | RaiseReorder
    | Replan
    | RaiseLevel
    | Notify
    | CreateTask,
    Field(discriminator="do"),
]
ACTIONS: tuple[type[ActionBase], ...] = (
    SetZoneState,
    QuarantineContacts,
    CreateScreeningRounds,
    SwitchToBackupSupplier,
    RaiseReorder,
    Replan,
    RaiseLevel,
    Notify,
    CreateTask,
)

# What an action writes to the record that can make a trigger hold. A loop is a rule
# whose action can, through these, make its own trigger hold again (directly or through
# other rules). Results that people enter later (a screening round's positives) are new
# facts, not effects: the activation already open for that cause takes them.
ACTION_EFFECTS: dict[ActionKind, tuple[frozenset[TriggerKind], str]] = {
    ActionKind.create_screening_rounds: (
        frozenset({TriggerKind.days_of_cover_below}),
        "each sample uses swabs and sampling tubes (materials used per test)",
    ),
    ActionKind.replan: (
        frozenset({TriggerKind.critical_order_at_risk, TriggerKind.days_of_cover_below}),
        "a new plan sets which orders are late and how fast bill-of-materials materials are used",
    ),
}


# -- the plan --------------------------------------------------------------------------


class Level(Strict):
    id: Slug = Field(description="Level id, e.g. 'blue', 'yellow', 'orange', 'red'.")
    name: str = Field(min_length=1, max_length=200, description="Display name.")
    allows: list[ActionKind] = Field(
        min_length=1,
        description="Actions a rule of this level may take; any other is an error.",
    )


class Rule(Strict):
    id: Slug = Field(description="Rule id, unique in the plan.")
    name: str = Field(min_length=1, max_length=200, description="What the rule is for.")
    level: Slug = Field(
        description="The plan level the rule belongs to; its actions must be allowed there."
    )
    when: Trigger = Field(
        description="The trigger: one condition (`kind: ...`) or `all: [...]` / `any: [...]`."
    )
    actions: list[Action] = Field(
        min_length=1, max_length=30, description="What to do, in order (`do: ...`)."
    )


class PlanFile(Strict):
    """An emergency plan: levels and rules (trigger → actions) for one enterprise."""

    keepline_plan: int = Field(1, ge=1, le=1, description="Plan-file format version (1).")
    id: Slug = Field(description="Plan id, unique in the enterprise.")
    enterprise: Slug = Field(description="Id of the enterprise (the plant file's enterprise.id).")
    version: int = Field(
        ge=1, description="Version of this plan; a loaded version is frozen, change it to edit."
    )
    name: str = Field(min_length=1, max_length=200, description="Title of the plan.")
    levels: list[Level] = Field(
        min_length=1, max_length=10, description="Response levels, lowest first."
    )
    rules: list[Rule] = Field(min_length=1, max_length=500, description="The rules.")

    def level_rank(self, level_id: str) -> int:
        return next(i for i, lv in enumerate(self.levels) if lv.id == level_id)
