"""The one clock: plant-local days and UTC epoch seconds.

Days are the plant's (``$KEEPLINE_TIMEZONE``, default Asia/Shanghai); timestamps are
stored in UTC, and access events as integer epoch seconds.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def now() -> dt.datetime:
    """The current time in UTC: the one place services read it, so tests can set it."""
    return dt.datetime.now(dt.UTC)


def plant_tz() -> dt.tzinfo:
    name = os.environ.get("KEEPLINE_TIMEZONE", "Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone(dt.timedelta(hours=8))


def today() -> dt.date:
    """Today in the plant's time zone."""
    return dt.datetime.now(plant_tz()).date()


def day_start(day: dt.date) -> int:
    """Epoch seconds of the plant-local midnight that starts ``day``."""
    return int(dt.datetime.combine(day, dt.time(), tzinfo=plant_tz()).timestamp())


def to_epoch(value: dt.datetime) -> int:
    """A timestamp as epoch seconds; a naive one is plant-local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=plant_tz())
    return int(value.timestamp())


def parse_time(text: str) -> int:
    """ISO 8601 text ('2026-12-03T08:02', '2026-12-03 08:02:11+08:00') → epoch seconds."""
    return to_epoch(dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, plant_tz())


def local_day(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(plant_tz()).date()
