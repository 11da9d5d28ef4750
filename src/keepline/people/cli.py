"""``keepline people``: generate a fake roster for a plant, import a roster file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from keepline.clikit import ACTOR, ENTERPRISE_OPTION, enterprise_scope, plant_from_arg
from keepline.db import session_scope
from keepline.people import service
from keepline.people.generate import roster_rows
from keepline.tabular import read_table, write_csv

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
    typer.echo(f"{output}: {len(rows)} workers in {len(p.teams)} teams of {p.enterprise.id}")


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
    actor: str = ACTOR,
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
    Console().print(t)
    for p in report.rejected[:20]:
        typer.echo(p.describe(file.name), err=True)
