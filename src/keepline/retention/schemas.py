"""API shapes of the retention rule and of a purge's report."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from keepline.retention.models import DEFAULT_DAYS

# At least 14 days (one incubation period: tracing needs them); at most 30 years.
_DAYS = dict(ge=14, le=11_000)


class RetentionIn(BaseModel):
    """Days each kind of record is kept; what is not given keeps its current value."""

    model_config = ConfigDict(extra="forbid")

    declarations_days: int | None = Field(None, **_DAYS, description="Declarations, clearances.")
    access_events_days: int | None = Field(None, **_DAYS, description="Access events.")
    screening_days: int | None = Field(None, **_DAYS, description="Screening rounds, results.")
    restrictions_days: int | None = Field(
        None, **_DAYS, description="Ended isolations and quarantines, after their end."
    )
    cases_days: int | None = Field(None, **_DAYS, description="Cases, after discharge.")


class RetentionOut(BaseModel):
    declarations_days: int = Field(examples=[DEFAULT_DAYS["declarations_days"]])
    access_events_days: int
    screening_days: int
    restrictions_days: int
    cases_days: int
    default: bool = Field(description="No rule set: these are keepline's defaults.")


class PurgeTable(BaseModel):
    table: str
    cutoff: dt.date = Field(description="Records of days before this one go.")
    rows: int = Field(description="Rows deleted (in a dry run: that would be).")


class PurgeOut(BaseModel):
    enterprise_id: str
    as_of: dt.date
    dry_run: bool
    tables: list[PurgeTable]
    kept: list[str] = Field(description="What held records back, and until when.")
