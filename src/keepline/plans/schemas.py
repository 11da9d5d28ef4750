"""API shapes of emergency plans: versions, activations with their actions, tasks, the
outbox's webhook and the city's risk status. (The plan file itself is ``schema.py``.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.fields import Day, Integer, Text
from keepline.plans.schema import RiskLevel

MAX_PLAN_BYTES = 512 * 1024


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanVersionIn(_In):
    yaml: str = Field(
        min_length=1, max_length=MAX_PLAN_BYTES, description="The plan file's YAML text."
    )
    filename: Text = Field(
        "plan.yaml", min_length=1, max_length=200, description="Named in error lines."
    )


class PlanVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    plan_id: str
    version: int
    name: str
    sha256: str
    loaded_by: str
    loaded_at: UtcDatetime
    in_force: bool = False
    level: str | None = Field(None, description="The plan's response level now (None: lowest).")
    created: bool = Field(False, description="False when this exact text was loaded before.")


class PlanVersionDetail(PlanVersionOut):
    text: str


class ReasonIn(_In):
    reason: Text = Field(min_length=1, max_length=500)


class DoneIn(_In):
    note: Text = Field("", max_length=500)


class ActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    n: int
    kind: str
    params: dict[str, Any]
    auto: bool
    state: str
    result: str | None
    error: str | None
    run_by: str | None
    run_at: UtcDatetime | None


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    activation_id: int
    role: str
    text: str
    deadline: UtcDatetime
    created_at: UtcDatetime
    done_by: str | None
    done_at: UtcDatetime | None
    note: str | None
    overdue: bool = Field(False, description="Past its deadline and not done.")


class ActivationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version_id: int
    plan_id: str
    version: int
    cause_key: str
    rule_id: str
    level: str
    day: dt.date
    carried: dict[str, str]
    reasons: list[str]
    state: str
    opened_by: str
    opened_at: UtcDatetime
    closed_by: str | None
    closed_at: UtcDatetime | None
    close_reason: str | None
    actions: list[ActionOut] = Field(default_factory=list)
    tasks: list[TaskOut] = Field(default_factory=list)


class EvaluationOut(BaseModel):
    day: dt.date
    fired: int = Field(description="Firings of the rules on the day (open or not).")
    opened: list[ActivationOut]


class WebhookIn(_In):
    url: Text = Field(
        min_length=8, max_length=500, pattern=r"^https?://", description="http(s) URL."
    )


class WebhookOut(BaseModel):
    url: str | None
    set_by: str | None = None
    set_at: UtcDatetime | None = None


class CityStatusIn(_In):
    day: Day = Field(description="In force from this day.")
    risk_level: RiskLevel | None = Field(None, description="low, medium or high (None: unknown).")
    control_area: bool = Field(False, description="The plant's area is a control area.")


class CityStatusOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: dt.date
    risk_level: str | None
    control_area: bool
    source: str
    set_by: str
    set_at: UtcDatetime


# A drill run as a background job (``jobs.kinds``'s ``drill``, the console's drills page):
# a month, three outbreak replicates: a few seconds on two cores for a plant of a few
# thousand; ``keepline plans drill`` takes any.
DRILL_DAYS = 30
DRILL_REPLICATES = 3


class DrillIn(_In):
    """A drill of the enterprise's loaded plan versions, as a job takes it."""

    plan: int | None = Field(
        None, ge=1, le=2**31 - 1, description="A loaded plan version's id; none: the one in force."
    )
    compare: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Another loaded version, drilled side by side."
    )
    scenario: Text = Field(
        min_length=1, max_length=200, description="A scenario's name from $KEEPLINE_SCENARIOS."
    )
    days: Integer = Field(DRILL_DAYS, ge=1, le=365)
    seed: Integer = Field(1, ge=0, le=2**31 - 1)
    replicates: Integer = Field(DRILL_REPLICATES, ge=1, le=20)


class DrillPlanOut(BaseModel):
    id: str
    version: int
    name: str
    file: str


class DrillRunOut(BaseModel):
    """A recorded drill: what was drilled and each plan's scores (means over replicates)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    plans: list[DrillPlanOut]
    scenario: str
    scenario_file: str
    days: int
    seed: int
    replicates: int
    scores: list[dict[str, Any]]
    created_by: str
    created_at: UtcDatetime


class DrillRunDetail(DrillRunOut):
    report: dict[str, Any] = Field(description="The whole drill, as drill.json.")
