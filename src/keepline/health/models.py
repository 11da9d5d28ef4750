"""Daily health declarations and each worker's clearance to work."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, child_of
from keepline.vocabulary import Labelled


class HealthCode(Labelled):
    green = "green", "绿码", "绿"
    yellow = "yellow", "黄码", "黄"
    red = "red", "红码", "红"


class Flag(StrEnum):
    """Why a declaration stops a worker from working (seen by health officers and admins)."""

    fever = "fever"
    symptoms = "symptoms"
    health_code = "health-code"
    risk_travel = "risk-travel"


class Declaration(Base):
    """One worker's declaration for one day; a second one the same day replaces it."""

    __tablename__ = "declarations"
    __table_args__ = (
        child_of("workers", "employee_no", "employee_no"),
        # A day's declarations, in temperature order (the health officer's morning list).
        Index(
            "ix_declarations_enterprise_day_temperature", "enterprise_id", "day", "temperature_c"
        ),
        # The emergency plans' reads after each declaration: the day's declarations made
        # by a time of day counted from the index alone; the day's flagged ones sought.
        Index(
            "ix_declarations_enterprise_day_flagged_at",
            "enterprise_id",
            "day",
            "flagged",
            "declared_at",
        ),
    )

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    temperature_c: Mapped[float] = mapped_column(Float)
    symptoms: Mapped[list[str]] = mapped_column(JSON)
    health_code: Mapped[str] = mapped_column(String(10))
    risk_travel: Mapped[bool] = mapped_column(Boolean)
    close_contact: Mapped[bool] = mapped_column(Boolean)
    flags: Mapped[list[str]] = mapped_column(JSON)
    flagged: Mapped[bool] = mapped_column(Boolean)  # flags is not empty (JSON is not comparable)
    declared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Clearance(Base):
    """Whether a worker may work. A flagged declaration sets ``cleared`` false; only a
    health officer sets it back, with a reason. No row means cleared."""

    __tablename__ = "clearances"
    __table_args__ = (child_of("workers", "employee_no", "employee_no"),)

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    cleared: Mapped[bool] = mapped_column(Boolean)
    flags: Mapped[list[str]] = mapped_column(JSON)
    flagged_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    cleared_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
