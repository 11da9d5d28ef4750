"""``keepline people``: generate a fake roster for a plant, import a roster file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from keepline.clikit import (
    ACTOR,
    ENTERPRISE_OPTION,
    enterprise_scope,
    parse_day,
    plant_from_arg,
    stdout_console,
)
from keepline.db import session_scope
from keepline.people import erasure, service
from keepline.people.generate import roster_rows
from keepline.people.schemas import LeaveIn
from keepline.recordkit import bad
from keepline.tabular import read_table, write_csv
from keepline.words import plural

app = typer.Typer(
    help="Roster: generate a plausible roster, import CSV/Excel rosters.", no_args_is_help=True
)


@app.command("generate")
def generate(
    plant: str = typer.Argument(..., help="Plant file (.yaml/.xlsx) or a loaded enterprise id."),
    output: Path = typer.Option(..., "-o", "--output", help="The roster CSV to write (UTF-8)."),
    seed: int = typer.Option(1, help="Random seed: the same seed gives the same roster."),
) -> None:
    """Write a fake but well-formed roster: one worker per planned head of each team
    (names from common Chinese names, ID numbers with a valid GB 11643 check digit)."""
    p = plant_from_arg(plant)
    rows = roster_rows(p, seed=seed)
    output.write_text(write_csv(service.COLUMNS, rows), encoding="utf-8")
    typer.echo(
        f"{output}: {plural(len(rows), 'worker')} in {plural(len(p.teams), 'team')} "
        f"of {p.enterprise.id}"
    )


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(
        ..., help="Roster file: CSV (UTF-8 or GBK) or .xlsx; headers in Chinese or English."
    ),
    enterprise: str = ENTERPRISE_OPTION,
    valid_rows: bool = typer.Option(
        False,
        "--valid-rows",
        help="Write the good rows and list the bad (default: all or nothing).",
    ),
    actor: str | None = ACTOR,
) -> None:
    """Import a roster in one transaction, keyed by employee number: new workers added,
    changed ones updated, identical rows untouched. Any bad row: nothing written."""
    table = read_table(file.name, file.read_bytes())
    with Progress(transient=True) as bar, session_scope() as session:
        task = bar.add_task("writing", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            typer.echo(f"written {done}/{total}", err=True)

        scope = enterprise_scope(session, enterprise, actor)
        report = service.import_roster(
            session, scope, table, valid_rows_only=valid_rows, progress=progress
        )
    t = Table(title=f"{file.name} → {enterprise}")
    for c in ("rows", "inserted", "updated", "unchanged", "rejected"):
        t.add_column(c, justify="right")
    t.add_row(
        *(
            str(x)
            for x in (
                report.rows,
                report.inserted,
                report.updated,
                report.unchanged,
                len(report.rejected),
            )
        )
    )
    stdout_console().print(t)
    for p in report.rejected[:20]:
        typer.echo(p.describe(file.name), err=True)


@app.command("leave")
def leave_cmd(
    employee_no: str = typer.Argument(..., help="The worker's employee number."),
    enterprise: str = ENTERPRISE_OPTION,
    on: str | None = typer.Option(
        None, "--on", help="The first day no longer working here, YYYY-MM-DD (default today)."
    ),
    actor: str = ACTOR,
) -> None:
    """Mark a worker as left: off the roster, availability and screening from that day;
    their records are kept (until the retention rule)."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        w = service.mark_left(session, scope, employee_no, LeaveIn(left_on=parse_day(on, "--on")))
        typer.echo(f"{enterprise} {w.employee_no}: left from {w.left_on}")


@app.command("erase")
def erase_cmd(
    employee_no: str = typer.Argument(..., help="The worker's employee number."),
    enterprise: str = ENTERPRISE_OPTION,
    yes: bool = typer.Option(False, "--yes", help="Really erase (there is no undo)."),
    actor: str = ACTOR,
) -> None:
    """Erase a worker and every record of theirs, each deleted row audited (refused while
    their case or isolation is open). Someone who leaves is marked as left instead."""
    if not yes:
        raise bad("yes", "erasing deletes the worker's health records: add --yes")
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        deleted = erasure.delete_worker(session, scope, employee_no)
    typer.echo(
        f"{enterprise} {employee_no}: erased; rows deleted (each audited): "
        + ", ".join(f"{t} {n}" for t, n in deleted.items())
    )
