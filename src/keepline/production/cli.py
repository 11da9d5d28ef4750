"""``keepline production``: output, order progress, stored plans and what changed."""

from __future__ import annotations

import typer
from rich.table import Table

from keepline.clikit import (
    ACTOR,
    AS_OF,
    DAY,
    ENTERPRISE,
    enterprise_scope,
    parse_day,
    read_on,
    stdout_console,
    write_as,
)
from keepline.continuity.record import StoredPlanResult
from keepline.db import session_scope
from keepline.production import backflush as backflush_flow
from keepline.production import progress, service
from keepline.production import replan as replan_flow
from keepline.production.schemas import OutputIn

app = typer.Typer(
    help="Production: output per line per day, orders' progress, stored plans compared.",
    no_args_is_help=True,
)
console = stdout_console()


@app.command("output")
def output(
    enterprise: str = ENTERPRISE,
    line: str = typer.Argument(..., help="Line id."),
    product: str = typer.Argument(..., help="Product id (one the line makes)."),
    qty: float = typer.Argument(..., help="Units made."),
    day: str | None = DAY,
    backflush: bool = typer.Option(False, help="Also issue the BOM's materials from stock."),
    actor: str | None = ACTOR,
) -> None:
    """Record a line's output for a day."""
    # Unvalidated (``model_construct``): the service checks every field itself, so the
    # shell's one-line errors stay the service's.
    o = OutputIn.model_construct(
        line_id=line, product_id=product, day=parse_day(day, "--day"), qty=qty, backflush=backflush
    )
    row = write_as(enterprise, actor, backflush_flow.record_output, o)
    typer.echo(
        f"output #{row.id}: {line} made {qty:,g} {product} on {row.day}"
        + (" (materials issued)" if backflush else "")
    )


@app.command("orders")
def orders(enterprise: str = ENTERPRISE, as_of: str | None = AS_OF) -> None:
    """Orders with priority class and progress."""
    day = parse_day(as_of, "--as-of")
    rows = read_on(enterprise, day, progress.order_progress)
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


def plan_from_db(enterprise: str, as_of: str | None, horizon: int, actor: str | None) -> None:
    """Re-plan ``enterprise`` from the daily record and print the orders at risk."""
    day = parse_day(as_of, "--as-of")
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        p = replan_flow.replan(session, scope, day, horizon)
        prev = service.previous_plan(session, scope, p)
        cmp = service.compare_plans(session, scope, p.id) if prev else None
    res = StoredPlanResult.from_json(p.result)
    t = Table(title=f"{enterprise}: plan {p.id} from {p.as_of} ({p.horizon_days} days)")
    for col in ("order", "priority", "due", "to ship", "by due", "at risk"):
        t.add_column(col)
    for oid, o in res.orders.items():
        t.add_row(
            oid,
            o.priority,
            o.due.isoformat(),
            f"{o.qty:,.0f}",
            f"{o.fill_by_due:,.0f}",
            "yes" if o.at_risk else "",
        )
    console.print(t)
    for b in res.backups:
        console.print(f"activate backup {b.supplier} for {b.material} by {b.activate_on}")
    for r in res.reasons:
        console.print(f"why: {r}")
    if cmp is not None:
        for line in cmp.lines():
            console.print(line)


@app.command("replan")
def replan(
    enterprise: str = ENTERPRISE,
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="First day of the plan (default: "
        "today); the state is the record at the end of the day before.",
    ),
    horizon: int = typer.Option(90, help="Days to plan."),
    actor: str | None = ACTOR,
) -> None:
    """Re-plan from the daily record (the same as `keepline plan --from-db ENTERPRISE`)."""
    plan_from_db(enterprise, as_of, horizon, actor)


@app.command("plans")
def plans(enterprise: str = ENTERPRISE) -> None:
    """Stored plans, newest first."""
    with session_scope() as session:
        rows = service.list_plans(session, enterprise_scope(session, enterprise))
    t = Table(title=f"{enterprise}: plans")
    for col in ("plan", "as of", "horizon", "orders at risk", "backups", "by"):
        t.add_column(col)
    for p in rows:
        res = StoredPlanResult.from_json(p.result)
        backups = ", ".join(f"{b.supplier} ({b.material})" for b in res.backups)
        t.add_row(
            str(p.id),
            str(p.as_of),
            str(p.horizon_days),
            ", ".join(res.orders_at_risk) or "none",
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
        c = service.compare_plans(session, enterprise_scope(session, enterprise), plan, against)
    for line in c.lines():
        typer.echo(line)
