"""The clock of a difficulty (pure): durations, time limits, what is overdue, and the
per-department figures.

A duration is a whole number of minutes, hours or days: ``60m``, ``24h``, ``7d``. The
deadlines run from submission (accept, propose, close); a transfer gives the receiving
department its own acceptance limit from the transfer, and a reopening gives a new
solution and a new closing limit from the reopening. A step taken after its deadline is
*missed* (kept for the figures); a step not yet taken whose deadline has passed is
*overdue*.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

DURATION = re.compile(r"^([1-9][0-9]{0,5})(m|h|d)$")
UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}
MAX_MINUTES = 366 * 1440  # a year: a longer time limit is a typo
LIMITS = ("accept", "propose", "close")
# Jiangmen's practice: accepted within 60 minutes, a solution within 24 hours, closed
# within 7 days.
DEFAULT_MINUTES = {"accept": 60, "propose": 24 * 60, "close": 7 * 1440}


def duration_minutes(text: str) -> int:
    """``60m`` → 60, ``24h`` → 1440, ``7d`` → 10080; ValueError naming what is wrong."""
    m = DURATION.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"{text!r} is not a duration (a whole number and m, h or d: 60m, 24h, 7d)")
    minutes = int(m.group(1)) * UNIT_MINUTES[m.group(2)]
    if minutes > MAX_MINUTES:
        raise ValueError(f"{text!r} is longer than a year")
    return minutes


def describe_minutes(minutes: int) -> str:
    """60 → ``60m``, 1440 → ``24h``, 10080 → ``7d`` (the file's spelling back)."""
    if minutes % 1440 == 0 and minutes >= 2880:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0 and minutes >= 120:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def resolve(chain: Sequence[dict[str, int | None]]) -> dict[str, int]:
    """Each limit's minutes from ``chain`` (the jurisdiction first, then the ones above
    it): the nearest that sets it, else the default."""
    out = {}
    for limit in LIMITS:
        out[limit] = next(
            (c[limit] for c in chain if c.get(limit) is not None),  # type: ignore[misc]
            DEFAULT_MINUTES[limit],
        )
    return out


@dataclass(frozen=True)
class Clock:
    """A difficulty's deadlines and when each step was taken (None: not yet)."""

    accept_due: dt.datetime
    propose_due: dt.datetime
    close_due: dt.datetime
    accepted_at: dt.datetime | None = None
    proposed_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None

    def overdue(self, at: dt.datetime) -> list[tuple[str, dt.datetime]]:
        """The limits passed at ``at`` whose step is not taken: (limit, since)."""
        steps = (
            ("accept", self.accepted_at, self.accept_due),
            ("propose", self.proposed_at, self.propose_due),
            ("close", self.closed_at, self.close_due),
        )
        if self.closed_at is not None:
            return []
        return [(limit, due) for limit, done, due in steps if done is None and due < at]


def utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC timestamp (SQLite gives stored ones back without their zone: UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)


def late(done: dt.datetime, due: dt.datetime) -> bool:
    """A step taken at ``done`` misses ``due`` only when strictly after it."""
    return utc(done) > utc(due)


@dataclass(frozen=True)
class Handled:
    """One difficulty as the figures see it (the department holding it now)."""

    department: tuple[str, str]
    clock: Clock
    missed: tuple[str, ...]
    submitted_at: dt.datetime
    rating: int | None = None


@dataclass
class Figures:
    """A department's figures: ``received`` difficulties held by it; ``on_time`` closed
    with every limit met; ``overdue`` a limit missed or passed; ``open`` not closed;
    ``median_hours_to_close`` over the closed; ``rating_mean`` over those rated."""

    department: tuple[str, str]
    received: int = 0
    open: int = 0
    on_time: int = 0
    overdue: int = 0
    closed: int = 0
    median_hours_to_close: float | None = None
    rating_mean: float | None = None
    rating_count: int = 0
    _hours: list[float] = field(default_factory=list, repr=False)
    _ratings: list[int] = field(default_factory=list, repr=False)


def figures(items: Iterable[Handled], at: dt.datetime) -> list[Figures]:
    """Per-department figures at ``at``, sorted by department."""
    acc: dict[tuple[str, str], Figures] = {}
    for h in items:
        f = acc.setdefault(h.department, Figures(h.department))
        f.received += 1
        is_late = bool(h.missed) or bool(h.clock.overdue(at))
        f.overdue += is_late
        if h.clock.closed_at is None:
            f.open += 1
            continue
        f.closed += 1
        f.on_time += not is_late
        f._hours.append((h.clock.closed_at - h.submitted_at).total_seconds() / 3600)
        if h.rating is not None:
            f._ratings.append(h.rating)
    for f in acc.values():
        if f._hours:
            f.median_hours_to_close = round(statistics.median(f._hours), 4)
        if f._ratings:
            f.rating_count = len(f._ratings)
            f.rating_mean = round(sum(f._ratings) / len(f._ratings), 4)
    return [acc[k] for k in sorted(acc)]
