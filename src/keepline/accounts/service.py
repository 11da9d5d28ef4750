"""Accounts: create users, check passwords, issue and check login tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile). Tokens are 256-bit random strings; only their SHA-256 is stored,
which is enough for a secret that cannot be guessed and keeps each request cheap.

Every login, failed login, refused login (``throttle``), lock and logout is audited as a
row of the ``logins`` table's log: who (the e-mail address tried), when, from which
client address and the outcome; never the password. A changed password ends every other
login of its user.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from keepline import clock, settings
from keepline.accounts import throttle
from keepline.accounts.models import ENTERPRISE_ROLES, AuthToken, Role, User
from keepline.accounts.schemas import PasswordChange, UserCreate, UserUpdate
from keepline.audit import service as audit
from keepline.errors import InputError, KeeplineError, NotFound, msg
from keepline.plant import models as plant_models
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope

TOKEN_LIFETIME = dt.timedelta(hours=12)
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


LOGINS = "logins"  # the audit log's table name for logins, failures, locks and logouts


class Unauthorized(KeeplineError):
    """No valid login (HTTP 401)."""


class TooManyAttempts(KeeplineError):
    """Logins refused for a while after too many failures (HTTP 429, ``Retry-After``)."""

    def __init__(self, retry_after: int) -> None:
        minutes = math.ceil(retry_after / 60)
        super().__init__(
            f"too many failed logins: try again in {minutes} minute{'s' * (minutes != 1)}"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caller:
    """Who is logged in (a token's user); ``apikit.auth`` makes the scope of a call from it."""

    user_id: int
    email: str
    role: Role
    enterprise_id: str | None
    jurisdiction: str | None
    session_id: int | None = None  # the AuthToken row of this login

    @property
    def actor(self) -> str:
        return f"user:{self.email}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError([msg("password: at least %(n)s characters", n=MIN_PASSWORD)])


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
    # Unique within the home only: whether another tenant uses the address must not
    # change the answer (issue 15, item 14). The home's own admins see its users anyway.
    same_home = (
        User.enterprise_id == enterprise_id
        if enterprise_id is not None
        else User.jurisdiction == jurisdiction
    )
    if session.scalar(select(User.id).where(User.email == email, same_home)) is not None:
        raise InputError([f"email: a user '{email}' already exists"])
    user = User(
        email=email,
        enterprise_id=enterprise_id,
        jurisdiction=jurisdiction,
        role=role.value,
        name=name,
        password_hash=hash_password(password),
        active=True,
        created_at=clock.now(),
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


def _end_sessions(session: Session, user_id: int, keep: int | None) -> int:
    """End every login of the user but ``keep`` (the caller's own); returns how many."""
    q = delete(AuthToken).where(AuthToken.user_id == user_id)
    if keep is not None:
        q = q.where(AuthToken.id != keep)
    return int(session.execute(q).rowcount or 0)  # type: ignore[attr-defined]


def update_user(
    session: Session,
    scope: EnterpriseScope,
    user_id: int,
    body: UserUpdate,
    keep_session: int | None = None,
) -> User:
    """Change a user's role, name, password or deactivate them. Deactivating ends all
    their logins; a new password ends every login of theirs but ``keep_session`` (the
    caller's own, when an admin changes their own password)."""
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
    ended = 0
    if not user.active:
        ended = _end_sessions(session, user.id, None)
    elif body.password is not None:
        ended = _end_sessions(session, user.id, keep_session)
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
            reason=f"password changed; {ended} other login(s) ended"
            if body.password is not None
            else None,
        )
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _readable_email(email: str) -> str:
    """What the audit log keeps of an address tried at login: the address, unless it is
    not one (a password typed into the wrong box must not be stored)."""
    return email if _EMAIL.match(email) else "(not an e-mail address)"


def _audit_login(
    session: Session,
    *,
    action: str,
    email: str,
    address: str,
    outcome: str,
    users: list[User],
) -> None:
    """One audit row per account the attempt concerns (in its home, so its admins see
    it), or one row without a home when the address is nobody's."""
    values = {"email": _readable_email(email), "address": address, "outcome": outcome}
    actor = f"user:{_readable_email(email)}"
    for user in users or [None]:
        audit.record(
            session,
            enterprise_id=user.enterprise_id if user else None,
            jurisdiction=user.jurisdiction if user else None,
            actor=actor,
            action=action,
            table=LOGINS,
            key=str(user.id) if user else "-",
            after=values,
            reason=outcome,
        )


def _refuse_if_locked(
    session: Session, email: str, address: str, now: dt.datetime, users: list[User]
) -> None:
    until = throttle.refused_until(session, email, address, now)
    if until is not None:
        _audit_login(
            session,
            action="login_refused",
            email=email,
            address=address,
            outcome="refused: too many failed logins",
            users=users,
        )
        raise TooManyAttempts(throttle.retry_after(until, now))


def _count_failure(
    session: Session, email: str, address: str, now: dt.datetime, users: list[User]
) -> None:
    """Count a failed login against the address tried and the client; audit any lock."""
    limits = settings.login_limits()
    for kind, subject in ((throttle.ACCOUNT, email), (throttle.ADDRESS, address)):
        until = throttle.record_failure(session, kind, subject, now, limits)
        if until is not None:
            _audit_login(
                session,
                action="lock",
                email=email,
                address=address,
                outcome=f"{kind} locked until {until.isoformat(timespec='seconds')}",
                users=users,
            )


def login(
    session: Session, email: str, password: str, address: str = "-"
) -> tuple[str, User, dt.datetime]:
    """Check the password; return a new token, its user and its expiry.

    A failure (401) or a refusal (429) has written its audit row and counters to the
    session: the caller commits before answering with the error."""
    now = clock.now()
    email = email.strip().lower()[:254]
    address = address[:254]
    # Oldest first: an address used in two homes logs in to the first whose password
    # matches (and the same password in both reaches the older account).
    users = list(session.scalars(select(User).where(User.email == email).order_by(User.id)))
    _refuse_if_locked(session, email, address, now, users)
    user: User | None = None
    # Verify against a dummy hash when there is no such user, so timing does not tell.
    for stored in [u.password_hash for u in users] or [dummy_hash()]:
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            continue
        user = next((u for u in users if u.password_hash == stored), None)
        break
    if user is None or not user.active:
        outcome = (
            "unknown e-mail"
            if not users
            else "account deactivated"
            if user is not None
            else "wrong password"
        )
        _count_failure(session, email, address, now, users)
        _audit_login(
            session,
            action="login_failed",
            email=email,
            address=address,
            outcome=outcome,
            users=users,
        )
        raise Unauthorized(msg("wrong e-mail or password"))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.forget_account(session, email)
    purge_expired(session)
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    session.add(
        AuthToken(user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=expires)
    )
    _audit_login(
        session,
        action="login",
        email=email,
        address=address,
        outcome="logged in",
        users=[user],
    )
    return token, user, expires


def authenticate(session: Session, token: str) -> Caller:
    """The caller a token belongs to, or :class:`Unauthorized`.

    Every request runs this, so it is one indexed query for the columns a caller
    needs (no ORM objects to build and track)."""
    now = clock.now()
    row = session.execute(
        select(
            AuthToken.expires_at,
            AuthToken.id,
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
        raise Unauthorized(msg("not logged in (or the token is unknown)"))
    expires, token_id, user_id, email, role, enterprise_id, jurisdiction, active = row
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    if expires <= now or not active:
        raise Unauthorized(msg("the login has expired; log in again"))
    return Caller(user_id, email, Role(role), enterprise_id, jurisdiction, token_id)


def logout(session: Session, caller: Caller, token: str, address: str = "-") -> None:
    """End this login (the token stops working); audited."""
    session.execute(delete(AuthToken).where(AuthToken.token_hash == _digest(token)))
    _audit_login(
        session,
        action="logout",
        email=caller.email,
        address=address[:254],
        outcome="logged out",
        users=[current_user(session, caller)],
    )


def change_password(
    session: Session, caller: Caller, body: PasswordChange, address: str = "-"
) -> int:
    """The caller changes their own password (the current one first); every other login
    of theirs ends. A wrong current password counts as a failed login (a stolen session
    must not become a way to guess the password); the caller commits before answering
    with that error. Returns how many other logins ended."""
    now = clock.now()
    user = current_user(session, caller)
    _refuse_if_locked(session, user.email, address, now, [user])
    try:
        _hasher.verify(user.password_hash, body.current_password)
    except (VerificationError, InvalidHashError):
        _count_failure(session, user.email, address, now, [user])
        _audit_login(
            session,
            action="login_failed",
            email=user.email,
            address=address,
            outcome="wrong current password when changing it",
            users=[user],
        )
        raise InputError([msg("current_password: wrong password")]) from None
    _check_password(body.new_password)
    user.password_hash = hash_password(body.new_password)
    ended = _end_sessions(session, user.id, caller.session_id)
    audit.record(
        session,
        enterprise_id=user.enterprise_id,
        jurisdiction=user.jurisdiction,
        actor=caller.actor,
        action="update",
        table="users",
        key=str(user.id),
        before=user_values(user),
        after=user_values(user),
        reason=f"password changed; {ended} other login(s) ended",
    )
    return ended


def purge_expired(session: Session) -> tuple[int, int]:
    """Delete expired logins and spent failed-login counters; returns (logins, counters).

    Runs at every successful login (an indexed delete) and from
    ``keepline user purge-sessions`` (daily, from cron or a systemd timer)."""
    now = clock.now()
    tokens = session.execute(delete(AuthToken).where(AuthToken.expires_at <= now))
    counters = throttle.purge(session, now, settings.login_limits())
    return int(tokens.rowcount or 0), counters  # type: ignore[attr-defined]


@functools.cache
def dummy_hash() -> str:
    """A hash of nothing, to verify against when the e-mail is unknown. Made once, when
    the API starts (or at the first such login), not at import: every ``keepline``
    command would pay for the hash."""
    return _hasher.hash(secrets.token_urlsafe(16))
