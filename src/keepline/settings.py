"""Settings from the environment: where keepline keeps its data, login limits, proxies."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def home() -> Path:
    """``$KEEPLINE_HOME`` (default ``~/.keepline``), created on first use."""
    path = Path(os.environ.get("KEEPLINE_HOME") or Path.home() / ".keepline").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """``$KEEPLINE_DATABASE_URL``, or the embedded SQLite file in :func:`home`."""
    url = os.environ.get("KEEPLINE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{home() / 'keepline.db'}"


def _positive_int(name: str, default: int) -> int:
    """``$name`` as a whole number ≥ 1, or ``default`` when unset; a bad value is refused
    at start-up with the variable's name rather than silently replaced."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}: '{raw}' is not a whole number") from None
    if value < 1:
        raise ValueError(f"{name}: must be at least 1 (got {value})")
    return value


@dataclass(frozen=True)
class LoginLimits:
    """How many failed logins are allowed before a login is refused for a while.

    ``account_failures`` failed logins for one e-mail address within ``window_minutes``
    lock that address for ``lock_minutes``; ``address_failures`` from one client address
    within the window lock that address the same way (an attacker trying many accounts).
    """

    account_failures: int = 5
    address_failures: int = 20
    window_minutes: int = 15
    lock_minutes: int = 15


def login_limits() -> LoginLimits:
    """``$KEEPLINE_LOGIN_ACCOUNT_FAILURES`` (5), ``$KEEPLINE_LOGIN_ADDRESS_FAILURES`` (20),
    ``$KEEPLINE_LOGIN_WINDOW_MINUTES`` (15), ``$KEEPLINE_LOGIN_LOCK_MINUTES`` (15)."""
    d = LoginLimits()
    return LoginLimits(
        account_failures=_positive_int("KEEPLINE_LOGIN_ACCOUNT_FAILURES", d.account_failures),
        address_failures=_positive_int("KEEPLINE_LOGIN_ADDRESS_FAILURES", d.address_failures),
        window_minutes=_positive_int("KEEPLINE_LOGIN_WINDOW_MINUTES", d.window_minutes),
        lock_minutes=_positive_int("KEEPLINE_LOGIN_LOCK_MINUTES", d.lock_minutes),
    )


def trusted_proxies() -> list[str]:
    """``$KEEPLINE_TRUSTED_PROXIES``: the addresses of reverse proxies whose
    ``X-Forwarded-For``/``X-Forwarded-Proto`` are believed (comma-separated addresses or
    networks, ``*`` for any); empty (the default): none, the connection's own address and
    scheme are used."""
    raw = os.environ.get("KEEPLINE_TRUSTED_PROXIES", "")
    return [part.strip() for part in raw.split(",") if part.strip()]


# The policy and scenario files a console user may assess or drill with: a folder of
# each, the example ones shipped inside the package by default (package data, so a plain
# install has them too; the source tree's ``examples/policies`` and ``examples/scenarios``
# are links to them). A deployment points these at its own.
EXAMPLES = Path(__file__).resolve().parent / "examples"


def policies_dir() -> Path:
    """``$KEEPLINE_POLICIES``: the screening policies offered to an assessment run from the
    console (default: the example policies shipped with keepline, ``examples/policies``)."""
    return Path(os.environ.get("KEEPLINE_POLICIES") or EXAMPLES / "policies")


def scenarios_dir() -> Path:
    """``$KEEPLINE_SCENARIOS``: the disruption scenarios offered to an assessment beside
    "no disruption" and to a drill (default: the example scenarios shipped with keepline,
    ``examples/scenarios``; those naming another plant's nodes are left out)."""
    return Path(os.environ.get("KEEPLINE_SCENARIOS") or EXAMPLES / "scenarios")


def job_workers() -> int:
    """``$KEEPLINE_JOB_WORKERS`` (1): background jobs run at once by each server process."""
    return _positive_int("KEEPLINE_JOB_WORKERS", 1)
