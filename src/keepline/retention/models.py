"""The retention rule of an enterprise: days each kind of health record is kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk

# Defaults, in days (docs/retention.md says why). China's PIPL (art. 19, 28) keeps
# sensitive personal information no longer than its purpose needs: declarations and
# access events serve contact tracing, two 14-day incubation periods back.
DEFAULT_DAYS = {
    "declarations_days": 28,
    "access_events_days": 28,
    "screening_days": 90,
    "restrictions_days": 90,
    "cases_days": 365,
}


class RetentionPolicy(Base):
    """How long the enterprise keeps each kind of record; no row means the defaults.

    * declarations_days: declarations by their day; cleared clearances by the day flagged.
    * access_events_days: access events by the time they ended.
    * screening_days: screening rounds (their samples, members, Ct values) by their day.
    * restrictions_days: ended isolations and quarantines by their end day.
    * cases_days: cases by the day their isolation ended (discharge).
    """

    __tablename__ = "retention_policies"

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    declarations_days: Mapped[int] = mapped_column(Integer)
    access_events_days: Mapped[int] = mapped_column(Integer)
    screening_days: Mapped[int] = mapped_column(Integer)
    restrictions_days: Mapped[int] = mapped_column(Integer)
    cases_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
