"""Tables of emergency plans: frozen plan versions, the plan's level, activations with the
actions they ran and the tasks they set, the outbox of messages and its webhook, and the
city's risk status entered by hand or from a scenario."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk


class PlanVersion(Base):
    """A plan file as loaded: its YAML text and SHA-256, frozen. The version in force of a
    plan is its highest version number."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("enterprise_id", "plan_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    plan_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(254))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PlanLevel(Base):
    """One change of a plan's response level (the latest is in force)."""

    __tablename__ = "plan_levels"
    __table_args__ = (Index("ix_plan_levels_enterprise_plan", "enterprise_id", "plan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    plan_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(64))
    activation_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("plan_activations.id", ondelete="SET NULL"), nullable=True
    )
    set_by: Mapped[str] = mapped_column(String(254))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ActivationState(StrEnum):
    open = "open"
    closed = "closed"


class Activation(Base):
    """A rule that fired for a cause (``positive-in-zone|zone=assembly``), once while open.

    ``open_key`` is ``plan id|cause`` while the activation is open and NULL once closed:
    the unique constraint makes a second open activation for one cause impossible even
    when two writes evaluate at once (NULLs never collide)."""

    __tablename__ = "plan_activations"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "open_key"),
        Index("ix_plan_activations_enterprise_state", "enterprise_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    version_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("plan_versions.id", ondelete="CASCADE")
    )
    cause_key: Mapped[str] = mapped_column(String(400))
    open_key: Mapped[str | None] = mapped_column(String(470), nullable=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)  # the day of the record that fired it
    carried: Mapped[dict[str, str]] = mapped_column(JSON)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10))
    opened_by: Mapped[str] = mapped_column(String(254))  # whose write made it fire
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class RunState(StrEnum):
    pending = "pending"  # waits for a person to confirm or refuse it
    done = "done"
    failed = "failed"
    refused = "refused"


class ActionRun(Base):
    """One action of an activation (``n``: its place in the rule), and what came of it."""

    __tablename__ = "plan_action_runs"
    __table_args__ = (UniqueConstraint("activation_id", "n"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    activation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("plan_activations.id", ondelete="CASCADE")
    )
    n: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    auto: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(10))
    result: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    run_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    run_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Task(Base):
    """A task an activation set for a role, with its deadline."""

    __tablename__ = "plan_tasks"
    __table_args__ = (Index("ix_plan_tasks_enterprise_role", "enterprise_id", "role", "done_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    activation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("plan_activations.id", ondelete="CASCADE")
    )
    n: Mapped[int] = mapped_column(Integer)  # the action that set it
    role: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(1000))
    deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)


class OutboxMessage(Base):
    """A message to roles (and the government liaison officer), sent by the webhook."""

    __tablename__ = "plan_outbox"
    __table_args__ = (Index("ix_plan_outbox_enterprise_sent", "enterprise_id", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    activation_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("plan_activations.id", ondelete="SET NULL"), nullable=True
    )
    to_roles: Mapped[list[str]] = mapped_column(JSON)
    liaison_officer: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class Webhook(Base):
    """Where the enterprise's outbox is POSTed (one URL per enterprise)."""

    __tablename__ = "plan_webhooks"

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(254))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CityStatus(Base):
    """The city's risk level and control area from ``day`` on (the latest row on or
    before a day is in force), entered by hand or read from a scenario."""

    __tablename__ = "plan_city_status"
    __table_args__ = (Index("ix_plan_city_status_enterprise_day", "enterprise_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    day: Mapped[dt.date] = mapped_column(Date)
    risk_level: Mapped[str | None] = mapped_column(String(10), nullable=True)
    control_area: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(200))  # "hand" or "scenario <name>"
    set_by: Mapped[str] = mapped_column(String(254))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DrillRun(Base):
    """A drill of the enterprise's emergency plan, as ``keepline plans drill`` ran it: the
    plan versions compared, the scenario, days, seed, the scores, and the whole report
    (the drill's JSON, from which the console renders it). A drill never touches the
    record; this row is what it leaves behind."""

    __tablename__ = "plan_drills"
    __table_args__ = (Index("ix_plan_drills_enterprise_created", "enterprise_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    plans: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{id, version, name, file}]
    scenario: Mapped[str] = mapped_column(String(200))
    scenario_file: Mapped[str] = mapped_column(String(500))
    days: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    replicates: Mapped[int] = mapped_column(Integer)
    scores: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # each plan's summary
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
