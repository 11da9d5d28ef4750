"""``keepline serve`` (the API under uvicorn) and ``keepline user`` (accounts from the shell)."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import time

import typer
import uvicorn
from rich.table import Table

from keepline import clock, db, logs
from keepline.accounts import queries, service
from keepline.clikit import os_user, stdout_console
from keepline.db import session_scope
from keepline.difficulties import service as difficulties
from keepline.errors import InputError
from keepline.plans import activations, outbox
from keepline.retention import purge

ESCALATION_MINUTES = 5  # the shortest time limit is an hour: escalated within 5 minutes of it

user_app = typer.Typer(
    help="Accounts: add users (the first admin), list them.", no_args_is_help=True
)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, min=1, max=64, help="uvicorn worker processes."),
    log_level: str = typer.Option("info", help="debug, info, warning or error."),
    retention: bool = typer.Option(
        True,
        "--retention/--no-retention",
        help="Run the retention purge of every enterprise at start and daily at 03:00 "
        "plant time (off: run `keepline retention run --all` from cron).",
    ),
    outbox_every: int = typer.Option(
        60,
        "--outbox-every",
        min=0,
        max=86_400,
        help="Send the emergency plans' outbox to each enterprise's webhook every this many "
        "seconds (0: off; run `keepline plans send-outbox --all` from cron).",
    ),
    evaluate_every: int = typer.Option(
        300,
        "--evaluate-every",
        min=0,
        max=86_400,
        help="Evaluate every enterprise's emergency plans in full every this many seconds "
        "(what no write reports: the time of day, e.g. declarations missing by 10:00; the "
        "roster, the plant, difficulties past their limits). 0: off; run `keepline plans "
        "evaluate` from cron.",
    ),
    escalation: bool = typer.Option(
        True,
        "--escalation/--no-escalation",
        help="Escalate overdue difficulties to their command every "
        f"{ESCALATION_MINUTES} minutes (off: run `keepline difficulties escalate` from cron).",
    ),
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs) on the configured database.

    The database is KEEPLINE_DATABASE_URL, or the embedded SQLite file in KEEPLINE_HOME;
    it is migrated first. Requests are logged as JSON lines on stderr. Each worker process
    also runs background jobs (assessments, re-plans: KEEPLINE_JOB_WORKERS at once, 1 by
    default); jobs a stopped server left running are marked failed at start.
    """
    db.get_engine()  # migrate before the first request
    logs.configure_logging(getattr(logging, log_level.upper(), logging.INFO))
    if retention:
        threading.Thread(target=_retention_daily, name="retention", daemon=True).start()
    if outbox_every > 0:
        threading.Thread(
            target=_outbox_loop, args=(outbox_every,), name="outbox", daemon=True
        ).start()
    if evaluate_every > 0:
        threading.Thread(
            target=_evaluate_loop, args=(evaluate_every,), name="plans", daemon=True
        ).start()
    if escalation:
        threading.Thread(target=_escalation_loop, name="escalation", daemon=True).start()
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


def _outbox_loop(every: int) -> None:
    """The emergency plans' outbox, sent every ``every`` seconds in the server's main
    process; a failed run is logged and tried again at the next tick."""
    log = logging.getLogger("keepline.plans")
    while True:
        try:
            for eid, r in outbox.send_all():
                if r.sent or r.failed:
                    log.info("outbox %s: %d sent, %d failed", eid, r.sent, r.failed)
        except Exception:
            log.exception("outbox run failed")
        time.sleep(every)


def evaluate_plans(url: str | None = None) -> int:
    """One periodic run: every enterprise's plans evaluated in full; the activations
    opened (logged, as are failures)."""
    log = logging.getLogger("keepline.plans")
    opened = 0
    for eid, out in activations.evaluate_all(url):
        if isinstance(out, Exception):
            log.error("plans of %s: evaluation failed: %s", eid, out)
            continue
        opened += len(out.opened)
        for a in out.opened:
            log.info("plans of %s: activation %d opened (%s)", eid, a.id, a.cause_key)
    return opened


def _evaluate_loop(every: int) -> None:
    """The emergency plans evaluated every ``every`` seconds, in the server's main process
    (the writes evaluate the rules reading what they changed; this sees the rest)."""
    log = logging.getLogger("keepline.plans")
    while True:
        try:
            evaluate_plans()
        except Exception:
            log.exception("plans evaluation failed")
        time.sleep(every)


def _escalation_loop() -> None:
    """Escalate overdue difficulties every few minutes, in the server's main process (one
    run however many workers); idempotent, so a restart escalates nothing twice."""
    log = logging.getLogger("keepline.difficulties")
    while True:
        try:
            with session_scope() as session:
                for e in difficulties.escalate_overdue(session, clock.now(), "keepline:serve"):
                    log.info(
                        "difficulty %d: %s limit passed, escalated to %s/%s",
                        e.difficulty_id,
                        e.limit,
                        e.to_jurisdiction,
                        e.to_department,
                    )
        except Exception:
            log.exception("escalation run failed")
        time.sleep(ESCALATION_MINUTES * 60)


RETENTION_HOUR = 3  # plant time: after the night shift's declarations, before the day's


def _retention_daily() -> None:
    """The daily retention purge, in the server's main process (one run however many
    workers serve requests). A failed run is logged and retried the next day."""
    log = logging.getLogger("keepline.retention")
    while True:
        try:
            for r in purge.purge_all():
                n = sum(t.rows for t in r.tables)
                log.info("retention %s as of %s: %d rows deleted", r.enterprise_id, r.as_of, n)
        except Exception:
            log.exception("retention run failed")
        now = dt.datetime.now(clock.plant_tz())
        nxt = now.replace(hour=RETENTION_HOUR, minute=0, second=0, microsecond=0)
        if nxt <= now:
            nxt += dt.timedelta(days=1)
        time.sleep((nxt - now).total_seconds())


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
        False,
        "--password-stdin",
        help="Read the password from the first line of standard input (scripts, pipes): "
        'echo "$PASSWORD" | keepline user add … --password-stdin.',
    ),
) -> None:
    """Create a user. At a terminal the password is asked for twice; elsewhere give it on
    standard input with --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        raise InputError(
            [
                "password: no terminal to ask it on; give it on standard input with "
                '--password-stdin (echo "$PASSWORD" | keepline user add … --password-stdin)'
            ]
        )
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
            actor=os_user(),
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
        stdout_console().print(t)


@user_app.command("purge-sessions")
def user_purge_sessions() -> None:
    """Delete expired logins and spent failed-login counters (logins do it too; run this
    daily, e.g. from cron, so an idle server keeps nothing it no longer needs)."""
    with session_scope() as session:
        tokens, counters = service.purge_expired(session)
    typer.echo(f"purged {tokens} expired login(s) and {counters} failed-login counter(s)")
