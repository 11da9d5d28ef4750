"""Tables of the difficulties (诉求).

``difficulty_rules`` holds each jurisdiction's routing rules, time limits and command
department as its file states them (inheritance is resolved when they are read, walking
up the jurisdiction's path). A difficulty keeps its three deadlines and when each step
was taken, so "overdue at t" is a comparison on the row; its history is
``difficulty_events``, which the enterprise reads.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base
from keepline.vocabulary import Labelled

ID = String(64)


class DifficultyCategory(Labelled):
    """What a difficulty is about (the Guangdong and Jiangmen platforms' categories)."""

    logistics = "logistics-and-passes", "物流与通行", "物流通行", "logistics and passes"
    raw_materials = "raw-materials", "原材料", "原辅材料", "raw materials"
    labour = "labour", "用工", "用工需求", "labor"
    prevention_materials = "prevention-materials", "防疫物资", "prevention materials"
    finance = "finance", "融资", "资金", "金融"
    policy = "policy", "政策", "政策咨询"
    other = "other", "其他"


class DifficultyState(StrEnum):
    submitted = "submitted"
    transferred = "transferred"  # sent to another department, which must accept it
    accepted = "accepted"
    in_progress = "in-progress"  # a solution is proposed (or the enterprise reopened it)
    resolved = "resolved"  # the department says it is solved; the enterprise confirms
    closed = "closed"


class Limit(StrEnum):
    """The three time limits (Jiangmen: accept within 60 minutes, a proposed solution
    within 24 hours, closed within 7 days)."""

    accept = "accept"
    propose = "propose"
    close = "close"


class DifficultyRules(Base):
    """One jurisdiction's ``difficulties`` section as loaded (None: not set there, so
    inherited from the jurisdiction above, or the default)."""

    __tablename__ = "difficulty_rules"

    jurisdiction_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    routes: Mapped[dict[str, str]] = mapped_column(JSON)  # category → department id
    accept_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    propose_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    close_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    command_department: Mapped[str | None] = mapped_column(ID, nullable=True)


class Difficulty(Base):
    """An enterprise's difficulty, held by one department (of its jurisdiction or one
    above it) at a time."""

    __tablename__ = "difficulties"
    __table_args__ = (
        ForeignKeyConstraint(
            ["department_jurisdiction", "department_id"],
            ["gov_departments.jurisdiction_id", "gov_departments.id"],
        ),
        Index("ix_difficulties_department", "department_jurisdiction", "department_id", "state"),
        Index("ix_difficulties_enterprise", "enterprise_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE")
    )
    # The enterprise's jurisdiction when it submitted (its routes, limits and command).
    jurisdiction_id: Mapped[str] = mapped_column(ID, ForeignKey("gov_jurisdictions.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(4000))
    attachments: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20))
    department_jurisdiction: Mapped[str] = mapped_column(ID)
    department_id: Mapped[str] = mapped_column(ID)
    solution: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(254))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    accept_due: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    propose_due: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    close_due: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Limits passed before their step was taken (kept when a later step resets a clock).
    missed: Mapped[list[str]] = mapped_column(JSON)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(String(1000), nullable=True)


class DifficultyEvent(Base):
    """One step of a difficulty's history: who did what, when, and which department held
    it after. An escalation names the limit passed and its deadline: one escalation per
    (difficulty, limit, deadline), so running the escalation twice escalates once."""

    __tablename__ = "difficulty_events"
    __table_args__ = (
        UniqueConstraint("difficulty_id", "kind", "limit_name", "due_at"),
        Index("ix_difficulty_events_difficulty", "difficulty_id", "id"),
        Index("ix_difficulty_events_to", "department_jurisdiction", "department_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    difficulty_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("difficulties.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(254))
    department_jurisdiction: Mapped[str | None] = mapped_column(ID, nullable=True)
    department_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    note: Mapped[str] = mapped_column(String(4000), default="")
    limit_name: Mapped[str | None] = mapped_column(String(10), nullable=True)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def _not_by(done: Any, at: dt.datetime) -> ColumnElement[bool]:
    return done.is_(None) | (done > at)


def open_at(at: dt.datetime) -> ColumnElement[bool]:
    """Submitted by ``at`` and not closed by then (SQL)."""
    return (Difficulty.submitted_at <= at) & _not_by(Difficulty.closed_at, at)


def overdue_at(at: dt.datetime) -> ColumnElement[bool]:
    """Open at ``at`` with a limit passed whose step was not taken by then (SQL; the
    deadlines are the current ones: a later transfer or reopening has moved them)."""
    return open_at(at) & (
        (_not_by(Difficulty.accepted_at, at) & (Difficulty.accept_due < at))
        | (_not_by(Difficulty.proposed_at, at) & (Difficulty.propose_due < at))
        | (Difficulty.close_due < at)
    )
