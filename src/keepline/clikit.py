"""What every capability's CLI shares: the enterprise argument, the actor, dates, and the
scope a command passes to its services (the CLI's counterpart of ``apikit.auth``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy.orm import Session

from keepline import clock
from keepline.db import session_scope
from keepline.errors import InputError, quote
from keepline.plant.files import PLANT_SUFFIXES, read_plant
from keepline.plant.schema import PlantFile
from keepline.plant.service import export_plant, get_enterprise
from keepline.recordkit import bad
from keepline.scope import EnterpriseScope

ENTERPRISE = typer.Argument(..., help="Enterprise id (see `keepline plant list`).")
ENTERPRISE_OPTION = typer.Option(..., "--enterprise", "-e", help="Enterprise id.")
ACTOR = typer.Option("cli", help="Who does this, for the audit log.")
AS_OF = typer.Option(None, "--as-of", help="ISO date (default: today).")
DAY = typer.Option(None, "--day", help="ISO date (default: today).")

T = TypeVar("T")


def parse_day(value: str | None, field: str = "day") -> dt.date:
    """An ISO date given on the command line; none means today in plant time."""
    if value is None:
        return clock.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad(field, f"expected an ISO date (YYYY-MM-DD), got {quote(value)}") from None


def enterprise_scope(session: Session, enterprise_id: str, actor: str = "cli") -> EnterpriseScope:
    """The scope of a command on ``enterprise_id`` (which must be loaded: 'not found'
    lists the known ones). The shell acts as the enterprise's admin."""
    get_enterprise(session, enterprise_id)
    return EnterpriseScope(enterprise_id, actor)


def read_on(
    enterprise_id: str, day: dt.date, read: Callable[[Session, EnterpriseScope, dt.date], T]
) -> T:
    """What ``read`` (a service's read of a day) finds for the enterprise on ``day``."""
    with session_scope() as session:
        return read(session, enterprise_scope(session, enterprise_id), day)


def read_file(path: Path) -> bytes:
    """The bytes of a file named on the command line, or a one-line error naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError([f"{path}: {exc.strerror}"]) from None


def plant_from_arg(plant: str) -> PlantFile:
    """A plant given on the command line as a file path or a loaded enterprise id."""
    path = Path(plant)
    if path.suffix.lower() in PLANT_SUFFIXES or path.exists():
        return read_plant(path)
    with session_scope() as session:
        return export_plant(session, plant)
