"""Output per line per day, and stored plans with their inputs.

Orders themselves are the plant model's (``orders``); their progress is computed from
customer shipments (:mod:`keepline.logistics`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk


class OutputRecord(Base):
    """Units of a product a line made on a day. Several records on one day add up."""

    __tablename__ = "output_records"
    __table_args__ = (Index("ix_output_records_enterprise_day", "enterprise_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    line_id: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    qty: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StoredPlan(Base):
    """A plan run from the day's state: its inputs, its result, and a short summary."""

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_enterprise_created", "enterprise_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    as_of: Mapped[dt.date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
