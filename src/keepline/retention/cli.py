"""``keepline retention``: the retention rule of an enterprise, and the purge."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from keepline.clikit import ACTOR, ENTERPRISE, cli_actor, enterprise_scope, parse_day, write_as
from keepline.db import session_scope
from keepline.recordkit import bad
from keepline.retention import policy, purge
from keepline.retention.schemas import PurgeOut, RetentionIn

app = typer.Typer(
    help="Retention of health data: the rule (days kept) and the purge.", no_args_is_help=True
)


@app.command("show")
def show_cmd(enterprise: str = ENTERPRISE) -> None:
    """Days each kind of health record is kept."""
    with session_scope() as session:
        rule = policy.current(session, enterprise_scope(session, enterprise))
    for k, v in rule.model_dump().items():
        typer.echo(f"{k}: {v}")


@app.command("set")
def set_cmd(
    enterprise: str = ENTERPRISE,
    declarations: int | None = typer.Option(
        None, min=14, max=11_000, help="Days declarations are kept."
    ),
    access_events: int | None = typer.Option(
        None, min=14, max=11_000, help="Days access events are kept."
    ),
    screening: int | None = typer.Option(
        None, min=14, max=11_000, help="Days screening results are kept."
    ),
    restrictions: int | None = typer.Option(
        None, min=14, max=11_000, help="Days ended isolations and quarantines are kept."
    ),
    cases: int | None = typer.Option(
        None, min=14, max=11_000, help="Days cases are kept after discharge."
    ),
    actor: str = ACTOR,
) -> None:
    """Set the days kept (at least 14); what is not given keeps its value. Audited."""
    body = RetentionIn(
        declarations_days=declarations,
        access_events_days=access_events,
        screening_days=screening,
        restrictions_days=restrictions,
        cases_days=cases,
    )
    rule = write_as(enterprise, actor, policy.set_policy, body)
    typer.echo(", ".join(f"{k}: {v}" for k, v in rule.model_dump().items()))


@app.command("run")
def run_cmd(
    enterprise: str | None = typer.Argument(
        None, help="Enterprise id (see `keepline plant list`); with --all, every one."
    ),
    every: bool = typer.Option(False, "--all", help="Every enterprise (the daily run, for cron)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only list what would be deleted: rows per table, cut-offs."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The day to purge as of (default today)."
    ),
    user: str | None = ACTOR,
) -> None:
    """Delete the health records older than the retention rule keeps them, each deleted
    row audited; never what an open case, a running isolation or a daily report not yet
    submitted needs. Run it with --dry-run first."""
    if every == (enterprise is not None):
        raise bad("enterprise", "give an enterprise id or --all (not both)")
    day = parse_day(as_of, "--as-of")
    if every:
        with session_scope() as session:
            actor = cli_actor(session, user)
        reports = purge.purge_all(as_of=day, dry_run=dry_run, actor=actor)
    else:
        assert enterprise is not None
        with session_scope() as session:
            scope = enterprise_scope(session, enterprise, user)
            reports = [purge.purge(session, scope, as_of=day, dry_run=dry_run)]
    for r in reports:
        _print(r)


def _print(r: PurgeOut) -> None:
    verb = "would delete" if r.dry_run else "deleted"
    t = Table(title=f"{r.enterprise_id} as of {r.as_of}: {verb}")
    t.add_column("table")
    t.add_column("records before", justify="right")
    t.add_column("rows", justify="right")
    for row in r.tables:
        t.add_row(row.table, row.cutoff.isoformat(), str(row.rows))
    Console(width=120).print(t)
    for k in r.kept:
        typer.echo(f"kept: {k}")
    total = sum(row.rows for row in r.tables)
    done = "would be deleted (dry run)" if r.dry_run else "deleted, each audited"
    typer.echo(f"{r.enterprise_id}: {total} rows {done}")
