"""The one clock: plant-local days and UTC epoch seconds.

Days are the plant's (``$KEEPLINE_TIMEZONE``, default Asia/Shanghai); timestamps are
stored in UTC, and access events as integer epoch seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from keepline.errors import quote
from keepline.fields import strict_day


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
    """Today in the plant's time zone, from :func:`now` (so a test that sets the clock
    sets the day too)."""
    return now().astimezone(plant_tz()).date()


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


# Year first, so none of them is ambiguous: 2026-12-01, 2026/12/1, 2026.12.01, 20261201,
# 2026年12月1日. Day-first and month-first forms (01/12/2026) are refused, not guessed.
_DATE_FORMS = (
    re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
    re.compile(r"(\d{4})\s*(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
)
DATE_HINT = "use YYYY-MM-DD"


def parse_date(text: str) -> dt.date:
    """The one date parser of the command line and of imported files.

    ISO dates and the other year-first forms people type (2026/12/01, 20261201,
    2026.12.01, 2026年12月1日); anything else raises ``ValueError`` with the message every
    command and file shows: ``'01/12/2026' is not a date; use YYYY-MM-DD``. The HTTP API
    does not use it: its dates are ISO only.
    """
    s = text.strip()
    for form in _DATE_FORMS:
        m = form.fullmatch(s)
        if m:
            try:
                return dt.date(int(m[1]), int(m[3]), int(m[4]))
            except ValueError:
                break  # 2026-02-30: a date's shape, not a date
    raise ValueError(f"{quote(text)} is not a date; {DATE_HINT}")


# Validation context that marks data read from a file (``Model.model_validate(data,
# context=FROM_FILE)``): its ``FileDate`` fields take every form ``parse_date`` takes.
FROM_FILE: dict[str, Any] = {"from_file": True}


def _file_date(value: Any, info: ValidationInfo) -> Any:
    if not (info.context and info.context.get("from_file")):
        return strict_day(value)  # an API body: YYYY-MM-DD only
    if isinstance(value, int | float) and not isinstance(value, bool):
        # YAML and spreadsheets read 20261201 as a number (pydantic: seconds since 1970)
        value = str(int(value)) if value == int(value) else str(value)
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            raise PydanticCustomError(
                "date_format", "{text} is not a date; " + DATE_HINT, {"text": quote(value)}
            ) from None
    return value  # a date (or a spreadsheet's datetime) already


FileDate = Annotated[dt.date, BeforeValidator(_file_date)]
"""A date field that files also fill: lenient (``parse_date``) when validated with
``FROM_FILE``, ISO only otherwise (the API)."""


def from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, plant_tz())


def local_day(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(plant_tz()).date()
