"""``keepline serve`` (the API under uvicorn) and ``keepline user`` (accounts from the shell)."""

from __future__ import annotations

import logging
import sys

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from keepline import db, logs
from keepline.accounts import queries, service
from keepline.db import session_scope
from keepline.errors import InputError

user_app = typer.Typer(
    help="Accounts: add users (the first admin), list them.", no_args_is_help=True
)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, min=1, max=64, help="uvicorn worker processes."),
    log_level: str = typer.Option("info", help="debug, info, warning or error."),
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs) on the configured database.

    The database is KEEPLINE_DATABASE_URL, or the embedded SQLite file in KEEPLINE_HOME;
    it is migrated first. Requests are logged as JSON lines on stderr.
    """
    db.get_engine()  # migrate before the first request
    logs.configure_logging(getattr(logging, log_level.upper(), logging.INFO))
    typer.echo(f"keepline API on http://{host}:{port} (docs at /docs)", err=True)
    uvicorn.run(
        "keepline.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,  # the app logs each request as JSON
        # Forwarded headers are believed only from $KEEPLINE_TRUSTED_PROXIES, by the app
        # itself (api.create_app), whichever server runs it: one rule, not two.
        proxy_headers=False,
        log_config=None,
    )


@user_app.command("add")
def user_add(
    email: str = typer.Argument(..., help="The user's e-mail; they log in with it."),
    role: str = typer.Option(
        ...,
        help="admin, health_officer, planner, storekeeper, viewer (or government_officer "
        "with --jurisdiction).",
    ),
    enterprise: str | None = typer.Option(
        None, help="Enterprise id (as in `keepline plant list`)."
    ),
    jurisdiction: str | None = typer.Option(
        None, help="For government officers instead of --enterprise."
    ),
    name: str = typer.Option("", help="Display name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (for scripts)."
    ),
) -> None:
    """Create a user. Without --password-stdin the password is asked for twice."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError(["password: empty"])
    with session_scope() as session:
        user = service.create_user(
            session,
            email=email,
            password=password,
            role=role,
            enterprise_id=enterprise,
            jurisdiction=jurisdiction,
            name=name,
            actor="cli",
        )
        typer.echo(
            f"user {user.id} {user.email}: {user.role} of {user.enterprise_id or user.jurisdiction}"
        )


@user_app.command("list")
def user_list(enterprise: str | None = typer.Option(None, help="Only this enterprise.")) -> None:
    """List users (never their passwords)."""
    with session_scope() as session:
        q = queries.all_users(enterprise)
        t = Table(title="users")
        for c in ("id", "email", "role", "enterprise / jurisdiction", "active"):
            t.add_column(c)
        for u in session.scalars(q):
            t.add_row(
                str(u.id),
                u.email,
                u.role,
                u.enterprise_id or u.jurisdiction or "",
                "yes" if u.active else "no",
            )
        Console(width=160).print(t)


@user_app.command("purge-sessions")
def user_purge_sessions() -> None:
    """Delete expired logins and spent failed-login counters (logins do it too; run this
    daily, e.g. from cron, so an idle server keeps nothing it no longer needs)."""
    with session_scope() as session:
        tokens, counters = service.purge_expired(session)
    typer.echo(f"purged {tokens} expired login(s) and {counters} failed-login counter(s)")
