"""The difficulties' shapes: the ``difficulties`` section of a jurisdiction file, what
the API receives (``…In``) and answers (``…Out``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime
from keepline.difficulties.deadlines import duration_minutes
from keepline.difficulties.models import DifficultyCategory
from keepline.fields import Integer, Text
from keepline.plant.schema import Slug


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _duration(text: str) -> str:
    duration_minutes(text)
    return text


Duration = Annotated[str, AfterValidator(_duration)]


# -- the jurisdiction file's `difficulties` section ------------------------------------


class TimeLimits(_In):
    """Time limits from submission; one not set is the jurisdiction above's, else the
    default (Jiangmen's practice)."""

    accept: Duration | None = Field(default=None, description="Accepted within (default 60m).")
    propose: Duration | None = Field(
        default=None, description="A solution proposed within (default 24h)."
    )
    close: Duration | None = Field(default=None, description="Closed within (default 7d).")


class DifficultiesSection(_In):
    """How a jurisdiction routes its enterprises' difficulties."""

    routes: dict[DifficultyCategory, Slug] = Field(
        default={},
        description="Category → a department of this jurisdiction. A category not routed "
        "here goes where the jurisdiction above routes it.",
    )
    limits: TimeLimits = TimeLimits()
    command: Slug | None = Field(
        default=None,
        description="The department overdue difficulties are escalated to (the epidemic "
        "command); none: the nearest command above.",
    )


# -- the API ----------------------------------------------------------------------------


class DifficultyIn(_In):
    category: DifficultyCategory
    text: Text = Field(min_length=1, max_length=4000)
    attachments: list[Annotated[Text, Field(min_length=1, max_length=255)]] = Field(
        default=[], max_length=20, description="Names of attached files."
    )


class TransferIn(_In):
    department: Slug = Field(
        description="A department of the enterprise's jurisdiction or one above."
    )
    jurisdiction: Slug | None = Field(
        default=None, description="The department's jurisdiction (default: the current one's)."
    )
    note: Text = Field(min_length=1, max_length=1000, description="Why it is transferred.")


class NoteIn(_In):
    note: Text = Field(default="", max_length=1000)


class ProposeIn(_In):
    solution: Text = Field(min_length=1, max_length=4000)


class ConfirmIn(_In):
    rating: Integer = Field(ge=1, le=5, description="How the handling was: 1 (poor) to 5.")
    comment: Text = Field(default="", max_length=1000)


class ReopenIn(_In):
    reason: Text = Field(min_length=1, max_length=1000)


class EventOut(BaseModel):
    kind: str
    at: UtcDatetime
    actor: str
    department_jurisdiction: str | None
    department: str | None
    note: str
    limit: str | None = None
    due_at: UtcDatetime | None = None


class OverdueOut(BaseModel):
    limit: str
    since: UtcDatetime


class DifficultyOut(BaseModel):
    id: int
    enterprise_id: str
    jurisdiction: str
    category: str
    category_zh: str
    text: str
    attachments: list[str]
    state: str
    department_jurisdiction: str
    department: str
    department_name: str
    solution: str | None
    submitted_at: UtcDatetime
    accept_due: UtcDatetime
    propose_due: UtcDatetime
    close_due: UtcDatetime
    accepted_at: UtcDatetime | None
    proposed_at: UtcDatetime | None
    resolved_at: UtcDatetime | None
    closed_at: UtcDatetime | None
    overdue: list[OverdueOut] = Field(description="Limits passed now whose step is not taken.")
    missed: list[str] = Field(description="Limits whose step was taken late.")
    escalated: bool
    rating: int | None
    rating_comment: str | None
    history: list[EventOut] = []


class DepartmentFiguresOut(BaseModel):
    jurisdiction: str
    department: str
    name: str
    received: int
    open: int
    closed: int
    on_time: int
    overdue: int
    median_hours_to_close: float | None
    rating_mean: float | None
    rating_count: int


class FiguresOut(BaseModel):
    jurisdiction: str
    at: UtcDatetime
    since: dt.date | None
    departments: list[DepartmentFiguresOut]


class OverdueItem(BaseModel):
    """An enterprise's difficulty past a limit (read by the emergency plans' trigger)."""

    id: int
    category: str
    limit: Literal["accept", "propose", "close"]
    since: UtcDatetime


class EscalationOut(BaseModel):
    difficulty_id: int
    limit: str
    due_at: UtcDatetime
    to_jurisdiction: str
    to_department: str | None
