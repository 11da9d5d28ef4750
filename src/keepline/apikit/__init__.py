"""What every capability's router shares: the session, the caller, lists and errors."""

import datetime as _dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel


def _as_utc(value: _dt.datetime) -> _dt.datetime:
    # SQLite hands back naive datetimes; keepline stores UTC, so say so on the way out.
    return value.replace(tzinfo=_dt.UTC) if value.tzinfo is None else value


UtcDatetime = Annotated[_dt.datetime, AfterValidator(_as_utc)]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """Every 4xx and 5xx answer: ``{"error": {code, message, field}}`` (bulk imports add
    ``problems``)."""

    error: ErrorDetail
