"""Failed-login counters: refuse logins for a while after too many failures.

Two counters per attempt: the e-mail address tried (``account``: someone guessing one
user's password) and the client's address (``address``: someone trying many users from
one machine). Each counts the failures in a window; reaching the limit locks the subject
for ``lock_minutes`` (``settings.LoginLimits``). The counters live in the database, so
every worker and every server shares them, on SQLite as on PostgreSQL; each failure is
one atomic ``UPDATE … RETURNING``, so concurrent failures are all counted.

Times come from ``clock.now()``; the callers pass it in, so one attempt reads one time.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from keepline.accounts.models import LoginThrottle
from keepline.settings import LoginLimits

ACCOUNT = "account"
ADDRESS = "address"


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything here is stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def refused_until(
    session: Session, email: str, address: str, now: dt.datetime
) -> dt.datetime | None:
    """Until when a login for ``email`` from ``address`` is refused, or ``None``."""
    rows = session.scalars(
        select(LoginThrottle.locked_until).where(
            or_(
                and_(LoginThrottle.kind == ACCOUNT, LoginThrottle.subject == email),
                and_(LoginThrottle.kind == ADDRESS, LoginThrottle.subject == address),
            ),
            LoginThrottle.locked_until.is_not(None),
        )
    ).all()
    locks = [_aware(u) for u in rows if u is not None and _aware(u) > now]
    return max(locks, default=None)


def retry_after(until: dt.datetime, now: dt.datetime) -> int:
    """Whole seconds until ``until`` (at least 1): the ``Retry-After`` header."""
    return max(1, math.ceil((until - now).total_seconds()))


def _insert_ignore(session: Session, kind: str, subject: str, now: dt.datetime) -> None:
    """Make the counter's row if it is not there (one statement, safe under concurrency)."""
    values = dict(kind=kind, subject=subject, failures=0, window_start=now, locked_until=None)
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(LoginThrottle).values(**values).on_conflict_do_nothing())


def record_failure(
    session: Session, kind: str, subject: str, now: dt.datetime, limits: LoginLimits
) -> dt.datetime | None:
    """Count one failed login of ``subject``; return the end of the lock this failure
    started, or ``None`` when it started none."""
    limit = limits.account_failures if kind == ACCOUNT else limits.address_failures
    window_over = LoginThrottle.window_start <= now - dt.timedelta(minutes=limits.window_minutes)
    _insert_ignore(session, kind, subject, now)
    here = and_(LoginThrottle.kind == kind, LoginThrottle.subject == subject)
    # SET reads the row as it was before the UPDATE, on both databases: a failure after
    # the window starts a new window at 1.
    failures = session.execute(
        update(LoginThrottle)
        .where(here)
        .values(
            failures=case((window_over, 1), else_=LoginThrottle.failures + 1),
            window_start=case((window_over, now), else_=LoginThrottle.window_start),
        )
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if failures < limit:
        return None
    until = now + dt.timedelta(minutes=limits.lock_minutes)
    # The count starts again, so the lock's end gives the next `limit` tries, not one.
    session.execute(
        update(LoginThrottle)
        .where(here)
        .values(locked_until=until, failures=0, window_start=now)
        .execution_options(synchronize_session=False)
    )
    return until


def forget_account(session: Session, email: str) -> None:
    """A successful login clears its e-mail address's failures (not its client's: one
    valid account must not reset the count of a machine trying many others)."""
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.kind == ACCOUNT, LoginThrottle.subject == email)
    )


def purge(session: Session, now: dt.datetime, limits: LoginLimits) -> int:
    """Delete counters whose window and lock are both over; returns how many."""
    cut = now - dt.timedelta(minutes=limits.window_minutes)
    result = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_start <= cut,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
