"""The roster: the real people behind the plant model's team headcounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ColumnElement, Date, DateTime, Index, String, and_, or_
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
    # Covers the per-team and per-status counts (roster summary, who has not declared,
    # who is employed on a day) without reading the rows; also the team filter of the
    # roster list.
    __table_args__ = (
        Index(
            "ix_workers_enterprise_team_status_left",
            "enterprise_id",
            "team_id",
            "employment_status",
            "left_on",
        ),
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
    # The first day the worker no longer works here (set with status 'left', and only
    # then): they leave the roster, availability and screening from that day, and their
    # records stay until the retention rule (keepline.retention) removes them.
    left_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
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
    "left_on",
)


def employed_on(day: dt.date) -> ColumnElement[bool]:
    """The worker (of the enclosing query) works here on ``day``: active, or marked as
    left from a later day. On leave and left workers are not counted."""
    return or_(
        Worker.employment_status == EmploymentStatus.active.value,
        # is_not(None) keeps the expression two-valued, so that NOT of it is its complement
        and_(
            Worker.employment_status == EmploymentStatus.left.value,
            Worker.left_on.is_not(None),
            Worker.left_on > day,
        ),
    )


def not_gone_by(day: dt.date) -> ColumnElement[bool]:
    """The worker has not left by ``day`` (on leave counts: they still belong to the
    roster). What the roster list shows by default."""
    return or_(
        Worker.employment_status != EmploymentStatus.left.value,
        and_(Worker.left_on.is_not(None), Worker.left_on > day),
    )
