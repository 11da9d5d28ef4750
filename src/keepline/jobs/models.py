"""The jobs table: one row per background job of an enterprise, and the files a job made
(an assessment's report), kept in the database under the enterprise like every record."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(Base):
    """A job: its kind and parameters, who started it (the actor and role it runs as),
    its state and progress, and its result (a reference: a plan's id, a report's files)
    or its error. ``runner`` and ``heartbeat_at`` say which server process runs it and
    when it last said so, so a job left running by a server that died can be told."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_enterprise_kind", "enterprise_id", "kind", "id"),
        Index("ix_jobs_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    runner: Mapped[str | None] = mapped_column(String(160), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class JobFile(Base):
    """A file a job made (``report.html``, ``report.json``), read back through its job,
    so the enterprise's scope guards it as it guards the job."""

    __tablename__ = "job_files"

    job_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    media_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
