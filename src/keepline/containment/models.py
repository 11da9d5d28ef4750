"""Tables of containment: cases, isolations and quarantines, access events, zone states."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, child_of, enterprise_fk


def _worker_fk() -> ForeignKeyConstraint:
    return child_of("workers", "employee_no", "employee_no")


class Case(Base):
    """A confirmed infection: the worker was infectious from ``infectious_from``
    (two days before the earlier of sample and symptom onset) to ``infectious_to``
    (the day they were isolated)."""

    __tablename__ = "cases"
    __table_args__ = (
        _worker_fk(),
        Index("ix_cases_enterprise_worker", "enterprise_id", "employee_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(String(64))
    employee_no: Mapped[str] = mapped_column(String(32))
    confirmed_on: Mapped[dt.date] = mapped_column(Date)
    sample_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    onset_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    infectious_from: Mapped[dt.date] = mapped_column(Date)
    infectious_to: Mapped[dt.date] = mapped_column(Date)
    sample_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RestrictionKind(StrEnum):
    isolation = "isolation"  # the infected or suspected: apart from everyone
    quarantine = "quarantine"  # the exposed: kept away from work while watched


class Reason(StrEnum):
    case = "case"
    pool_positive = "pool-positive"
    close_contact = "close-contact"
    zone_lock = "zone-lock"
    declaration = "declaration"


class Restriction(Base):
    """An isolation or quarantine: the worker is away on ``start_day``..``end_day``
    (inclusive; open while ``end_day`` is None). ``end_rule`` says how it ends:
    ``days:N`` (end_day fixed at start) or ``negative-tests:N`` (ends the day of the
    N-th negative individual test taken after the start)."""

    __tablename__ = "restrictions"
    __table_args__ = (
        _worker_fk(),
        Index("ix_restrictions_enterprise_worker", "enterprise_id", "employee_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(String(64))
    employee_no: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(20))
    start_day: Mapped[dt.date] = mapped_column(Date)
    end_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_rule: Mapped[str] = mapped_column(String(30))
    negative_tests: Mapped[int] = mapped_column(Integer, default=0)
    case_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True
    )
    sample_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class AccessEvent(Base):
    """A worker's stay in a zone, from access control: times are UTC epoch seconds so
    both databases compare and index them as plain integers."""

    __tablename__ = "access_events"
    __table_args__ = (
        _worker_fk(),
        UniqueConstraint("enterprise_id", "employee_no", "zone_id", "t_in"),
        Index("ix_access_events_zone_time", "enterprise_id", "zone_id", "t_in"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    enterprise_id: Mapped[str] = mapped_column(String(64))
    employee_no: Mapped[str] = mapped_column(String(32))
    zone_id: Mapped[str] = mapped_column(String(64))
    t_in: Mapped[int] = mapped_column(BigInteger)
    t_out: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(64), default="")


class ZoneState(StrEnum):
    open = "open"
    restricted = "restricted"
    locked = "locked"
    disinfecting = "disinfecting"
    reopened = "reopened"


class ZoneStateChange(Base):
    """One step of a zone's state history: who, when, why. ``closed_loop`` on a lock
    keeps the zone's dormitory-housed workers at work."""

    __tablename__ = "zone_states"
    __table_args__ = (Index("ix_zone_states_enterprise_zone", "enterprise_id", "zone_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    zone_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))
    previous: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[dt.date] = mapped_column(Date)  # the plant-local day the change takes effect
    by: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(500))
    closed_loop: Mapped[bool] = mapped_column(Boolean, default=False)
