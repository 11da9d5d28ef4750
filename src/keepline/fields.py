"""Field types every input model uses, so that the same bad value gets the same answer
from the API, the CLI and a file, on SQLite and PostgreSQL alike.

- ``Text``: a string without control characters (C0 but tab and newline, DEL, C1).
  SQLite stores a NUL or an ANSI escape as given and PostgreSQL refuses a NUL deep in
  the driver; refusing both at the schema gives one message everywhere.
- ``Day``: a calendar day as ``YYYY-MM-DD`` (or a ``date``): pydantic's lax mode reads
  ``0`` as 1970-01-01.
- ``Number``/``Quantity``: a finite number that is not ``true``/``false`` (lax mode
  reads ``false`` as 0); a quantity is 0 or at least ``MIN_QUANTITY`` (``5e-324`` units
  of anything is a typo or a probe, not an amount).

The CLI's lenient date forms (``2026/12/01``) are parsed before a model sees them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

# C0 but tab (\t) and newline (\n), DEL, C1. Carriage return is refused too: a name
# with \r rewrites the line it is printed on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MIN_QUANTITY = 0.001


def control_character(value: str) -> str | None:
    """The first control character of ``value`` as ``U+0000``, or None."""
    m = _CONTROL.search(value)
    return f"U+{ord(m.group()):04X}" if m else None


def _no_control(value: str) -> str:
    bad = control_character(value)
    if bad:
        raise ValueError(f"contains a control character ({bad}); remove it")
    return value


def strict_day(value: Any) -> Any:
    """A day as the API takes it: ``YYYY-MM-DD`` (or a ``date``), nothing else."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a day as YYYY-MM-DD, not a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DAY.match(value.strip()):
        return value.strip()
    raise ValueError("expected a day as YYYY-MM-DD")


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def _quantity(value: float) -> float:
    if value != 0 and abs(value) < MIN_QUANTITY:
        raise ValueError(f"a quantity is 0 or at least {MIN_QUANTITY}")
    return value


Text = Annotated[str, AfterValidator(_no_control)]
"""A string from outside: no control characters (tab and newline are allowed)."""

Day = Annotated[dt.date, BeforeValidator(strict_day)]
"""A calendar day, ``YYYY-MM-DD`` only (no timestamps, no numbers)."""

Number = Annotated[float, BeforeValidator(_number), AfterValidator(_finite)]
"""A finite number; ``true``/``false`` are not numbers."""

Integer = Annotated[int, BeforeValidator(_number)]
"""A whole number; ``true``/``false`` are not numbers."""

Quantity = Annotated[
    float, BeforeValidator(_number), AfterValidator(_finite), AfterValidator(_quantity)
]
"""An amount of something: finite, and 0 or at least ``MIN_QUANTITY``."""
