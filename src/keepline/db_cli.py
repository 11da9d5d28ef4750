"""``keepline db``: the database's migrations."""

from __future__ import annotations

import typer

from keepline import db, settings

app = typer.Typer(
    help="Database: apply migrations, show where the data lives.", no_args_is_help=True
)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Apply all migrations to the configured database (safe to repeat)."""
    engine = db.make_engine()
    before = db.current_revision(engine)
    db.upgrade(engine)
    after = db.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        typer.echo(f"{where}: already at {after}")
    else:
        typer.echo(f"{where}: upgraded {before or 'empty'} -> {after}")


@app.command("where")
def where_cmd() -> None:
    """Print the database URL in use (KEEPLINE_DATABASE_URL or the embedded SQLite file)."""
    typer.echo(db.make_engine(settings.database_url()).url.render_as_string(hide_password=True))
