"""Small helpers the services share (first written for the daily-record packages:
materials, logistics, production)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from keepline import clock
from keepline.db import Base
from keepline.errors import InputError, Msg, NotFound, msg
from keepline.plant import models as pm
from keepline.scope import EnterpriseScope

T = TypeVar("T", bound=Base)


@dataclass
class WriteCounts:
    """What a bulk import did with its rows against those already stored."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def bad(field: str, message: str) -> InputError:
    """A one-line input error naming ``field`` (the API returns it as a 4xx body)."""
    line = msg("%(field)s: %(message)s", field=field, message=message)
    err = InputError([line if isinstance(message, Msg) else f"{field}: {message}"])
    err.field = field
    return err


def missing(field: str, message: str) -> NotFound:
    return NotFound(f"{field}: {message}", field=field)


def now() -> dt.datetime:
    return clock.now()


def dates_in_order(earlier: tuple[str, dt.date | None], later: tuple[str, dt.date | None]) -> None:
    """Raise naming ``later``'s field when it comes before ``earlier``."""
    (ef, ev), (lf, lv) = earlier, later
    if ev is not None and lv is not None and lv < ev:
        raise bad(lf, f"{lv.isoformat()} is before {ef} {ev.isoformat()}")


def owned(
    session: Session,
    scope: EnterpriseScope,
    model: type[T],
    key: Any,
    message: str,
    *,
    field: str | None = None,
) -> T:
    """The ``model`` row ``key`` if it is the scope's enterprise's; otherwise
    ``NotFound(message)``: another tenant's id reads exactly as one that does not exist."""
    row = session.get(model, key)
    if row is None or row.enterprise_id != scope.enterprise_id:  # type: ignore[attr-defined]
        raise NotFound(message, field=field)
    return row


def enterprise(session: Session, enterprise_id: str) -> pm.Enterprise:
    ent = session.get(pm.Enterprise, enterprise_id)
    if ent is None:
        raise NotFound(f"no enterprise '{enterprise_id}'")
    return ent


def new_row(
    session: Session, model: type[Base], enterprise_id: str, id_: str, label: str, empty: str
) -> None:
    """Check that ``id_`` may name a new ``model`` row of the (existing) enterprise: not
    blank (``empty`` says what it should be) and not taken (``label`` names the row)."""
    enterprise(session, enterprise_id)
    if not id_.strip():
        raise bad("id", empty)
    if session.get(model, (enterprise_id, id_)) is not None:
        raise bad("id", f"{label} '{id_}' already exists")


def plant_row(
    session: Session,
    model: type[Base],
    enterprise_id: str,
    id_: str,
    field: str,
    label: str,
    *,
    body: bool = True,
) -> Any:
    """The plant-model row ``id_`` of this enterprise, or an error naming ``field``.

    ``body``: the id came in a request body (a 4xx input error) rather than the path (404).
    """
    row = session.get(model, (enterprise_id, id_))
    if row is None:
        if body:
            raise bad(field, f"unknown {label} '{id_}'")
        raise missing(field, f"no {label} '{id_}'")
    return row
