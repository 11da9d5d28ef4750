"""Users, their login tokens and the failed-login counters.

A user belongs to one enterprise (the tenant whose rows they see) or, for government
officers, to one jurisdiction; never both. An e-mail address is unique within its home
(an enterprise or a jurisdiction), not across homes: an admin adding an address that
another tenant already uses gets the same answer as for a new address (issue 15, item
14); logging in with that address reaches the oldest account whose password matches.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk
from keepline.scope import ENTERPRISE_ROLES, PERSONAL_DATA_ROLES, Role

__all__ = ["ENTERPRISE_ROLES", "PERSONAL_DATA_ROLES", "AuthToken", "LoginThrottle", "Role", "User"]


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("(enterprise_id IS NULL) <> (jurisdiction IS NULL)", name="one_home"),
        UniqueConstraint("enterprise_id", "email", name="uq_users_enterprise_email"),
        UniqueConstraint("jurisdiction", "email", name="uq_users_jurisdiction_email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    enterprise_id: Mapped[str | None] = enterprise_fk(nullable=True, index=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuthToken(Base):
    """A login: only the SHA-256 of the random token is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginThrottle(Base):
    """Failed logins of one e-mail address (``kind`` 'account') or one client address
    ('address') in the current window, and until when its logins are refused.

    Kept in the database, not in the process, so that every worker of the API (and every
    server) counts the same failures, on SQLite as on PostgreSQL."""

    __tablename__ = "login_throttle"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
