"""What every capability's CLI shares: the enterprise argument, the actor, dates, and the
scope a command passes to its services (the CLI's counterpart of ``apikit.auth``)."""

from __future__ import annotations

import datetime as dt
import getpass
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console, ConsoleDimensions
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from sqlalchemy.orm import Session

from keepline import clock
from keepline.accounts import queries as accounts
from keepline.db import session_scope
from keepline.errors import InputError
from keepline.plant.files import PLANT_SUFFIXES, read_plant
from keepline.plant.schema import PlantFile
from keepline.plant.service import export_plant, get_enterprise
from keepline.recordkit import bad
from keepline.scope import EnterpriseScope

ENTERPRISE = typer.Argument(..., help="Enterprise id (see `keepline plant list`).")
ENTERPRISE_OPTION = typer.Option(..., "--enterprise", "-e", help="Enterprise id.")
ACTOR = typer.Option(
    None,
    "--user",
    envvar="KEEPLINE_USER",
    metavar="EMAIL",
    help="The keepline user you act as (default: $KEEPLINE_USER); the audit log records "
    "them beside your operating-system user.",
)
AS_OF = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today).")
DAY = typer.Option(None, "--day", help="YYYY-MM-DD (default: today).")

T = TypeVar("T")
P = ParamSpec("P")


# Columns a command's output may take when it goes to a file or a pipe: as many as a table
# needs, since nothing there wraps it (rich would cut it to the terminal's or 80).
WIDE = 10_000


class FullWidthConsole(Console):
    """rich at the terminal's width at a terminal, and at full width when written to a
    file or a pipe, so that no column of a table is cut and no line broken to fit 80."""

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        return dims if self.is_terminal else ConsoleDimensions(WIDE, dims.height)


def stdout_console() -> Console:
    """The console a command prints its tables and lines on."""
    return FullWidthConsole()


def stderr_console() -> Console:
    """The console of a command's progress and notes (standard error)."""
    return FullWidthConsole(stderr=True)


Step = Callable[[str, int, int], None]
"""``step(stage, done, total)``: ``done`` more of ``total`` of ``stage`` are finished."""


@contextmanager
def progress(console: Console, every_s: float = 10.0) -> Iterator[Step]:
    """Progress of a long command on ``console`` (standard error).

    At a terminal, a bar per stage. In a log (a file, a pipe, ``make demo``), where a bar
    shows nothing until it ends, one plain line per stage when it starts, then at most
    every ``every_s`` seconds and when it ends: ``replicates: 40/100 (40 %), 12 s``.
    """
    if console.is_terminal:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def advance(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                if done:
                    bar.advance(tasks[stage], done)

            yield advance
        return
    t0 = time.monotonic()
    count: dict[str, int] = {}
    shown: dict[str, float] = {}

    def line(stage: str, done: int, total: int) -> None:
        n = count[stage] = count.get(stage, 0) + done
        now = time.monotonic()
        if stage in shown and n < total and now - shown[stage] < every_s:
            return
        shown[stage] = now
        share = f" ({n / total:.0%})" if total else ""
        console.print(
            f"{stage}: {n}/{total}{share}, {now - t0:.0f} s", markup=False, highlight=False
        )
        console.file.flush()

    yield line


def parse_day(value: str | None, option: str) -> dt.date:
    """A date given to ``option`` (as typed: ``--from``) in any form ``clock.parse_date``
    takes; none means today in plant time. A bad one is a usage error (exit 2) whose
    message is the same for every option: ``--from: '2026/13/01' is not a date; use
    YYYY-MM-DD``."""
    if value is None:
        return clock.today()
    try:
        return clock.parse_date(value)
    except ValueError as exc:
        raise bad(option, str(exc)) from None


def os_user() -> str:
    """Who runs the command, as the operating system knows them (``os:alice``)."""
    try:
        return f"os:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return "os:unknown"


def cli_actor(session: Session, user: str | None, enterprise_id: str | None = None) -> str:
    """What the audit log records for a command: the operating-system user, and the
    keepline user given with ``--user``/``$KEEPLINE_USER`` (``user:a@b.cn via os:alice``).

    The shell holds the database already, so ``--user`` grants nothing; it must still name
    an active account (of ``enterprise_id`` when given), so the log never records a
    made-up name."""
    if not user:
        return os_user()
    account = session.scalar(accounts.by_email(user))
    if account is None or not account.active:
        raise bad("--user", f"no active keepline user '{user}' (see `keepline user list`)")
    if enterprise_id is not None and account.enterprise_id != enterprise_id:
        raise bad("--user", f"'{account.email}' is not a user of {enterprise_id}")
    return f"user:{account.email} via {os_user()}"


def enterprise_scope(
    session: Session, enterprise_id: str, user: str | None = None
) -> EnterpriseScope:
    """The scope of a command on ``enterprise_id`` (which must be loaded: 'not found'
    lists the known ones). The shell acts as the enterprise's admin; ``user`` is the
    ``--user`` option (see ``cli_actor``)."""
    get_enterprise(session, enterprise_id)
    return EnterpriseScope(enterprise_id, cli_actor(session, user, enterprise_id))


def read_on(
    enterprise_id: str, day: dt.date, read: Callable[[Session, EnterpriseScope, dt.date], T]
) -> T:
    """What ``read`` (a service's read of a day) finds for the enterprise on ``day``."""
    with session_scope() as session:
        return read(session, enterprise_scope(session, enterprise_id), day)


def write_as(
    enterprise_id: str,
    user: str | None,
    write: Callable[Concatenate[Session, EnterpriseScope, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """What ``write`` (a service function ``(session, scope, …)``) returns, run in one
    transaction as the shell on ``enterprise_id`` (``user``: the ``--user`` option)."""
    with session_scope() as session:
        return write(session, enterprise_scope(session, enterprise_id, user), *args, **kwargs)


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


M = TypeVar("M", bound=BaseModel)


def build(model: type[M], **values: Any) -> M:
    """The API's input model from a command's values; each bad value is one line
    naming its field (``due_on: Input should be a valid date…``)."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InputError(
            [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None
