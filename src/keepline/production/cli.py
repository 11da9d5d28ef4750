"""``keepline production``: output, order progress, stored plans and what changed."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from keepline.db import session_scope
from keepline.materials.cli import ENTERPRISE, _day
from keepline.production import service

app = typer.Typer(
    help="Production: output per line per day, orders' progress, stored plans compared.",
    no_args_is_help=True,
)
console = Console()


@app.command("output")
def output(
    enterprise: str = ENTERPRISE,
    line: str = typer.Argument(..., help="Line id."),
    product: str = typer.Argument(..., help="Product id (one the line makes)."),
    qty: float = typer.Argument(..., help="Units made."),
    day: str | None = typer.Option(None, "--day", help="ISO date (default: today)."),
    backflush: bool = typer.Option(False, help="Also issue the BOM's materials from stock."),
    actor: str = typer.Option("cli", help="Who records it, for the audit log."),
) -> None:
    """Record a line's output for a day."""
    with session_scope() as session:
        row = service.record_output(
            session,
            enterprise,
            actor,
            service.OutputIn(line, product, _day(day), qty, backflush=backflush),
        )
        typer.echo(
            f"output #{row.id}: {line} made {qty:,g} {product} on {row.day}"
            + (" (materials issued)" if backflush else "")
        )


@app.command("orders")
def orders(
    enterprise: str = ENTERPRISE,
    as_of: str | None = typer.Option(None, "--as-of", help="ISO date (default: today)."),
) -> None:
    """Orders with priority class and progress."""
    with session_scope() as session:
        rows = service.order_progress(session, enterprise, _day(as_of))
    t = Table(title=f"{enterprise}: orders")
    for col in ("order", "priority", "product", "due", "qty", "shipped", "remaining", "state"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            r.id,
            r.priority,
            r.product_id,
            str(r.due),
            f"{r.qty:,.0f}",
            f"{r.dispatched + r.delivered:,.0f}",
            f"{r.remaining:,.0f}",
            r.state,
        )
    console.print(t)


@app.command("plans")
def plans(enterprise: str = ENTERPRISE) -> None:
    """Stored plans, newest first."""
    with session_scope() as session:
        rows = service.list_plans(session, enterprise)
    t = Table(title=f"{enterprise}: plans")
    for col in ("plan", "as of", "horizon", "orders at risk", "backups", "by"):
        t.add_column(col)
    for p in rows:
        backups = ", ".join(
            f"{b['supplier']} ({b['material']})" for b in p.result.get("backups", [])
        )
        t.add_row(
            str(p.id),
            str(p.as_of),
            str(p.horizon_days),
            ", ".join(p.result.get("orders_at_risk", [])) or "none",
            backups,
            p.actor,
        )
    console.print(t)


@app.command("compare")
def compare(
    enterprise: str = ENTERPRISE,
    plan: int = typer.Argument(..., help="Plan number."),
    against: int | None = typer.Option(
        None, help="Plan to compare with (default: the one before)."
    ),
) -> None:
    """What changed since the plan before, and why."""
    with session_scope() as session:
        c = service.compare_plans(session, enterprise, plan, against)
    for line in c.lines():
        typer.echo(line)
