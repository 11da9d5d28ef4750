"""``keepline stock``: record stock movements, show stock, days of cover and reorder."""

from __future__ import annotations

import datetime as dt
import math

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
from keepline.db import session_scope
from keepline.errors import quote
from keepline.materials import outlook as outlook_flow
from keepline.materials import service
from keepline.materials.models import MovementKind
from keepline.materials.schemas import MovementIn, PolicyIn
from keepline.plans import recorded
from keepline.recordkit import bad
from keepline.words import a

app = typer.Typer(
    help="Stock: receipts, issues, counts and adjustments as a ledger; on-hand as of any "
    "day; days of cover; reorder suggestions and backup warnings.",
    no_args_is_help=True,
)
console = stdout_console()

# The commands build the API's input models unvalidated (``model_construct``): the service
# checks every field itself, so the shell's one-line errors stay the service's.


def _move(kind: MovementKind, help_qty: str):  # type: ignore[no-untyped-def]
    def command(
        enterprise: str = ENTERPRISE,
        material: str = typer.Argument(..., help="Material id."),
        qty: float = typer.Argument(..., help=help_qty),
        unit: str = typer.Option(..., "--unit", help="The material's unit (checked), e.g. pcs."),
        day: str | None = DAY,
        reason: str = typer.Option("", help="Why (required for an adjustment)."),
        ref: str | None = typer.Option(None, help="A document number."),
        actor: str | None = ACTOR,
    ) -> None:
        m = MovementIn.model_construct(
            material_id=material,
            kind=kind,
            day=parse_day(day, "--day"),
            qty=qty,
            unit=unit,
            reason=reason,
            ref=ref,
        )
        with session_scope() as session:
            scope = enterprise_scope(session, enterprise, actor)
            mv = recorded.record_movement(session, scope, m)
            stock = service.on_hand(session, scope, material, mv.day)
        typer.echo(
            f"{kind.value} #{mv.id}: {material} {mv.qty:+,g} {mv.unit} on "
            f"{mv.day.isoformat()}; on hand {stock:,g} {mv.unit}"
        )

    command.__doc__ = f"Record {a(kind.value)} (refused if any day's stock would go negative)."
    return command


app.command("receive")(_move(MovementKind.receipt, "Quantity received (> 0)."))
app.command("issue")(_move(MovementKind.issue, "Quantity issued (> 0)."))
app.command("count")(_move(MovementKind.count, "Stock counted; the difference is recorded."))
app.command("adjust")(_move(MovementKind.adjustment, "Signed change, e.g. -- -20 for a loss."))


@app.command("show")
def show(enterprise: str = ENTERPRISE, as_of: str | None = AS_OF) -> None:
    """Every material's stock at the end of a day."""
    day = parse_day(as_of, "--as-of")
    stock = read_on(enterprise, day, service.on_hand_all)
    t = Table(title=f"{enterprise}: stock at the end of {day.isoformat()}")
    t.add_column("material")
    t.add_column("on hand", justify="right")
    for mid, qty in stock.items():
        t.add_row(mid, f"{qty:,.0f}")
    console.print(t)


@app.command("ledger")
def ledger(
    enterprise: str = ENTERPRISE, material: str = typer.Argument(..., help="Material id.")
) -> None:
    """A material's movements, oldest first, with the running balance."""
    with session_scope() as session:
        rows = service.ledger(session, enterprise_scope(session, enterprise), material)
    t = Table(title=f"{enterprise}: {material}")
    for col in ("#", "day", "kind", "change", "balance", "who", "why"):
        t.add_column(col, justify="right" if col in ("change", "balance") else "left")
    bal = 0.0
    for r in rows:
        bal += r.qty
        t.add_row(
            str(r.id), r.day.isoformat(), r.kind, f"{r.qty:+,g}", f"{bal:,g}", r.actor, r.reason
        )
    console.print(t if rows else f"{material}: no movements yet (the plant file's opening stands)")


@app.command("policy")
def policy(
    enterprise: str = ENTERPRISE,
    effective_from: str = typer.Option(..., "--from", help="First day it applies, YYYY-MM-DD."),
    rounds_per_week: float = typer.Option(0, help="Screening rounds a week (everyone sampled)."),
    pool_size: int = typer.Option(1, help="Samples per pooled tube (1 = single tubes)."),
    per_pool: list[str] = typer.Option([], "--per-pool", help="Material used once per pool."),
    per_zone: list[str] = typer.Option([], "--per-zone", help="MATERIAL=QTY used per zone-day."),
    actor: str | None = ACTOR,
) -> None:
    """Set the prevention policy in force from a day (what screening and cleaning use)."""
    zone_use = {}
    for item in per_zone:
        mat, _, qty = item.partition("=")
        try:
            zone_use[mat] = float(qty)
        except ValueError:
            raise bad("per_zone", f"expected MATERIAL=QTY, got {quote(item)}") from None
    p = PolicyIn.model_construct(
        effective_from=parse_day(effective_from, "--from"),
        rounds_per_week=rounds_per_week,
        pool_size=pool_size,
        per_pool_materials=list(per_pool),
        per_zone_day=zone_use,
    )
    row = write_as(enterprise, actor, service.set_policy, p)
    typer.echo(
        f"policy #{row.id} from {row.effective_from}: {row.rounds_per_week:g} rounds/week, "
        f"pools of {row.pool_size}"
    )


@app.command("outlook")
def outlook(
    enterprise: str = ENTERPRISE,
    as_of: str | None = AS_OF,
    horizon: int = typer.Option(60, help="Days to look ahead."),
    review_days: int = typer.Option(14, help="Days an order should cover after it arrives."),
) -> None:
    """Days of cover, reorder suggestions and backup warnings for every material."""
    day = parse_day(as_of, "--as-of")
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        out = outlook_flow.outlook(session, scope, day, horizon, review_days)
    t = Table(title=f"{enterprise}: days of cover as of {day.isoformat()}")
    for col in ("material", "on hand", "use/day", "days", "runs out", "below safety"):
        t.add_column(col, justify="right" if col in ("on hand", "use/day", "days") else "left")
    for r in out.cover:
        days = "∞" if math.isinf(r.days_of_cover) else f"{r.days_of_cover:.1f}"
        t.add_row(
            r.material_id,
            f"{r.on_hand:,.0f} {r.unit}",
            f"{r.use_today:,.1f}",
            days,
            str(r.runs_out_on or "—"),
            str(r.below_safety_on or "—"),
            r.basis,
        )
    console.print(t)
    if out.suggestions:
        s = Table(title="reorder suggestions")
        for col in (
            "material",
            "supplier",
            "qty",
            "order by",
            "arrives if ordered now",
            "days to fill",
        ):
            s.add_column(col)
        for x in out.suggestions:
            s.add_row(
                x.material,
                x.supplier,
                f"{x.qty:,.0f}",
                (day + dt.timedelta(days=x.order_by_day)).isoformat(),
                (day + dt.timedelta(days=x.arrives_day)).isoformat(),
                str(x.days_to_fill),
            )
        console.print(s)
    for w in out.warnings:
        console.print(f"[bold red]warning[/] {w.material}: {outlook_flow.dated(w.reason, day)}")
    if not out.warnings:
        console.print("no material runs out before its primary supplier can deliver")
