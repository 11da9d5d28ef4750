"""The append-only audit log: who changed which record, when, from what to what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_enterprise_at", "enterprise_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # An enterprise's record, or (for a government officer's own account) a jurisdiction's.
    enterprise_id: Mapped[str | None] = enterprise_fk(nullable=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # insert, update, delete
    table_name: Mapped[str] = mapped_column(String(64))
    record_key: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class EnterpriseVersion(Base):
    """A counter per enterprise, raised once by each committed transaction that audited a
    change to its record (so: by every write). A reader keys a cache on it (the
    console's Today): every server process sees a write at once, and nothing else has to
    remember to invalidate anything."""

    __tablename__ = "enterprise_versions"

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
