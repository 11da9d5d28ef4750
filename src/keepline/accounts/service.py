"""Accounts: create users, check passwords, issue and check login tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile). Tokens are 256-bit random strings; only their SHA-256 is stored,
which is enough for a secret that cannot be guessed and keeps each request cheap.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from keepline.accounts.models import ENTERPRISE_ROLES, AuthToken, Role, User
from keepline.accounts.schemas import UserCreate, UserUpdate
from keepline.audit import service as audit
from keepline.errors import InputError, KeeplineError, NotFound
from keepline.plant import models as plant_models
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope

TOKEN_LIFETIME = dt.timedelta(hours=12)
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


class Unauthorized(KeeplineError):
    """No valid login (HTTP 401)."""


@dataclass(frozen=True)
class Caller:
    """Who is logged in (a token's user); ``apikit.auth`` makes the scope of a call from it."""

    user_id: int
    email: str
    role: Role
    enterprise_id: str | None
    jurisdiction: str | None

    @property
    def actor(self) -> str:
        return f"user:{self.email}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError([f"password: at least {MIN_PASSWORD} characters"])


def user_values(u: User) -> dict[str, object]:
    """A user's row for the audit log (never the password hash)."""
    return {
        "id": u.id,
        "email": u.email,
        "enterprise_id": u.enterprise_id,
        "jurisdiction": u.jurisdiction,
        "role": u.role,
        "name": u.name,
        "active": u.active,
    }


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role | str,
    enterprise_id: str | None = None,
    jurisdiction: str | None = None,
    name: str = "",
    actor: str,
) -> User:
    """Create an account: a system action (the shell's ``keepline user add``, which makes
    an enterprise's first admin or a jurisdiction's officer). The API's admins go through
    :func:`add_user`, which pins their own enterprise."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InputError([f"email: '{email}' is not an e-mail address"])
    try:
        role = Role(role)
    except ValueError:
        raise InputError(
            [f"role: '{role}' is not one of {', '.join(r.value for r in Role)}"]
        ) from None
    if (enterprise_id is None) == (jurisdiction is None):
        raise InputError(["enterprise: a user belongs to an enterprise or a jurisdiction"])
    if enterprise_id is not None:
        if role not in ENTERPRISE_ROLES:
            raise InputError([f"role: '{role}' is not an enterprise role"])
        if session.get(plant_models.Enterprise, enterprise_id) is None:
            raise NotFound(f"no enterprise '{enterprise_id}' (load its plant file first)")
    elif role is not Role.government_officer:
        raise InputError(["role: a jurisdiction's user is a government_officer"])
    _check_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InputError([f"email: a user '{email}' already exists"])
    user = User(
        email=email,
        enterprise_id=enterprise_id,
        jurisdiction=jurisdiction,
        role=role.value,
        name=name,
        password_hash=hash_password(password),
        active=True,
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        enterprise_id=enterprise_id,
        jurisdiction=jurisdiction,
        actor=actor,
        action="insert",
        table="users",
        key=str(user.id),
        after=user_values(user),
    )
    return user


def add_user(session: Session, scope: EnterpriseScope, body: UserCreate) -> User:
    """An admin adds a user to their own enterprise."""
    return create_user(
        session,
        email=body.email,
        password=body.password,
        role=body.role,
        enterprise_id=scope.enterprise_id,
        name=body.name,
        actor=scope.actor,
    )


def get_user(session: Session, scope: EnterpriseScope, user_id: int) -> User:
    """A user of the scope's enterprise; any other id is 'not found'."""
    return owned(session, scope, User, user_id, f"no user {user_id}")


def current_user(session: Session, caller: Caller) -> User:
    """The logged-in user (an enterprise's or a jurisdiction's)."""
    user = session.get(User, caller.user_id)
    assert user is not None  # authenticate() just read it
    return user


def update_user(session: Session, scope: EnterpriseScope, user_id: int, body: UserUpdate) -> User:
    """Change a user's role, name, password or deactivate them (their logins end)."""
    user = get_user(session, scope, user_id)
    before = user_values(user)
    if body.role is not None:
        if body.role not in ENTERPRISE_ROLES:
            raise InputError([f"role: '{body.role}' is not an enterprise role"])
        user.role = body.role.value
    if body.name is not None:
        user.name = body.name
    if body.active is not None:
        user.active = body.active
    if body.password is not None:
        _check_password(body.password)
        user.password_hash = hash_password(body.password)
    if user.id == scope.user_id and (user.role != Role.admin or not user.active):
        raise InputError(["role: an admin cannot demote or deactivate themselves"])
    after = user_values(user)
    if not user.active:
        session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
    if after != before or body.password is not None:
        audit.record(
            session,
            enterprise_id=user.enterprise_id,
            actor=scope.actor,
            action="update",
            table="users",
            key=str(user.id),
            before=before,
            after=after,
            reason="password changed" if body.password is not None else None,
        )
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(session: Session, email: str, password: str) -> tuple[str, User, dt.datetime]:
    """Check the password; return a new token, its user and its expiry."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    # Verify against a dummy hash when there is no such user, so timing does not tell.
    stored = user.password_hash if user else dummy_hash()
    try:
        _hasher.verify(stored, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        raise Unauthorized("wrong e-mail or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    expires = now + TOKEN_LIFETIME
    session.add(
        AuthToken(user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=expires)
    )
    return token, user, expires


def authenticate(session: Session, token: str) -> Caller:
    """The caller a token belongs to, or :class:`Unauthorized`.

    Every request runs this, so it is one indexed query for the five columns a caller
    needs (no ORM objects to build and track)."""
    now = dt.datetime.now(dt.UTC)
    row = session.execute(
        select(
            AuthToken.expires_at,
            User.id,
            User.email,
            User.role,
            User.enterprise_id,
            User.jurisdiction,
            User.active,
        )
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == _digest(token))
    ).first()
    if row is None:
        raise Unauthorized("not logged in (or the token is unknown)")
    expires, user_id, email, role, enterprise_id, jurisdiction, active = row
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    if expires <= now or not active:
        raise Unauthorized("the login has expired; log in again")
    return Caller(user_id, email, Role(role), enterprise_id, jurisdiction)


def logout(session: Session, token: str) -> None:
    session.execute(delete(AuthToken).where(AuthToken.token_hash == _digest(token)))


@functools.cache
def dummy_hash() -> str:
    """A hash of nothing, to verify against when the e-mail is unknown. Made once, when
    the API starts (or at the first such login), not at import: every ``keepline``
    command would pay for the hash."""
    return _hasher.hash(secrets.token_urlsafe(16))
