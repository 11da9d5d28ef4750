"""The roster: the real people behind the plant model's team headcounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk
from keepline.vocabulary import Labelled


class EmploymentStatus(Labelled):
    active = "active", "在职", "在岗"
    on_leave = "on-leave", "休假", "请假", "离岗"
    left = "left", "离职", "已离职"


class Worker(Base):
    """One worker, keyed by the employee number within the enterprise.

    Zone, shift and team are the plant model's slugs; they are checked when written,
    not by foreign keys, so that reloading a plant file never fails on the roster.
    """

    __tablename__ = "workers"
    # Covers the per-team and per-status counts (roster summary, who has not declared)
    # without reading the rows; also the team filter of the roster list.
    __table_args__ = (
        Index("ix_workers_enterprise_team_status", "enterprise_id", "team_id", "employment_status"),
    )

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    zone_id: Mapped[str] = mapped_column(String(64))
    shift_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(String(64))
    skills: Mapped[list[str]] = mapped_column(JSON)
    housing: Mapped[str] = mapped_column(String(64))
    employment_status: Mapped[str] = mapped_column(String(20), default=EmploymentStatus.active)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# The columns a roster row carries (besides the key), in file order.
WORKER_FIELDS = (
    "name",
    "phone",
    "id_number",
    "zone_id",
    "shift_id",
    "team_id",
    "skills",
    "housing",
    "employment_status",
)
