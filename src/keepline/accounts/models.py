"""Users and their login tokens.

A user belongs to one enterprise (the tenant whose rows they see) or, for government
officers, to one jurisdiction; never both.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk
from keepline.scope import ENTERPRISE_ROLES, PERSONAL_DATA_ROLES, Role

__all__ = ["ENTERPRISE_ROLES", "PERSONAL_DATA_ROLES", "AuthToken", "Role", "User"]


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("(enterprise_id IS NULL) <> (jurisdiction IS NULL)", name="one_home"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
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
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
