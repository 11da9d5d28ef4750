"""List queries over users: the caller orders and pages them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from keepline.accounts.models import Role, User
from keepline.db import columns
from keepline.scope import EnterpriseScope

USER_SORTS = columns(User, "id", "email", "role", "created_at")


def users(
    scope: EnterpriseScope,
    *,
    role: Role | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> Select[Any]:
    """The enterprise's users, filtered (``q``: the e-mail contains it)."""
    query = select(User).where(User.enterprise_id == scope.enterprise_id)
    if role is not None:
        query = query.where(User.role == role.value)
    if active is not None:
        query = query.where(User.active == active)
    if q:
        query = query.where(User.email.contains(q.lower(), autoescape=True))
    return query


def all_users(enterprise_id: str | None = None) -> Select[Any]:
    """Every account (the shell's ``keepline user list``), or one enterprise's, by id."""
    query = select(User).order_by(User.id)
    if enterprise_id:
        query = query.where(User.enterprise_id == enterprise_id)
    return query
