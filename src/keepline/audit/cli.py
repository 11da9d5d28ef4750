"""``keepline audit``: the newest audit entries, from the shell."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from keepline.audit import service
from keepline.clikit import stdout_console
from keepline.db import session_scope
from keepline.scope import EnterpriseScope


def audit_cmd(
    enterprise: str | None = typer.Option(
        None, "--enterprise", "-e", help="Only this enterprise's entries (default: all)."
    ),
    table: str | None = typer.Option(None, help="Only changes to this table, e.g. workers."),
    limit: int = typer.Option(20, min=1, max=100_000, help="How many entries, newest first."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line instead."),
) -> None:
    """Show the append-only audit log: who changed which record, when, before → after."""
    with session_scope() as session:
        # Not checked against the loaded enterprises: an unknown one has no entries.
        scope = EnterpriseScope(enterprise, "cli") if enterprise is not None else None
        rows = service.entries(session, scope, limit=limit, table=table)
        if as_json:
            for r in rows:
                typer.echo(
                    json.dumps(
                        dict(
                            id=r.id,
                            at=r.at.isoformat(),
                            enterprise_id=r.enterprise_id,
                            jurisdiction=r.jurisdiction,
                            actor=r.actor,
                            action=r.action,
                            table=r.table_name,
                            key=r.record_key,
                            before=r.before,
                            after=r.after,
                            reason=r.reason,
                        ),
                        ensure_ascii=False,
                    )
                )
            return
        out = Table(title=f"audit log (newest {len(rows)})")
        for col in ("id", "at (UTC)", "tenant", "actor", "action", "table", "key", "change"):
            out.add_column(col)
        for r in rows:
            change = _change(r.before, r.after)
            out.add_row(
                str(r.id),
                r.at.strftime("%Y-%m-%d %H:%M:%S"),
                r.enterprise_id or r.jurisdiction or "",
                r.actor,
                r.action,
                r.table_name,
                r.record_key,
                change,
            )
        stdout_console().print(out)


def _change(before: dict | None, after: dict | None) -> str:
    if before and after:
        keys = [k for k in after if before.get(k) != after.get(k)]
        return ", ".join(f"{k}: {before.get(k)!r} → {after.get(k)!r}" for k in keys)[:120]
    return ""
