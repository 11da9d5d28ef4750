"""``keepline logistics``: supplier and region status, lanes, shipments, passes."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from keepline.db import session_scope
from keepline.logistics import service
from keepline.logistics.models import NodeState, ShipmentStatus, StatusKind
from keepline.materials.cli import ENTERPRISE, _day

app = typer.Typer(
    help="Logistics: supplier and region status, lanes' transit days, purchase and customer "
    "shipments, transport passes.",
    no_args_is_help=True,
)
console = Console()
ACTOR = typer.Option("cli", help="Who records it, for the audit log.")


@app.command("status")
def status(
    enterprise: str = ENTERPRISE,
    kind: StatusKind = typer.Argument(..., help="supplier or region."),
    node: str = typer.Argument(..., help="Supplier id or six-digit region code."),
    state: NodeState = typer.Argument(..., help="normal, restricted or locked-down."),
    start: str = typer.Option(..., help="First day (ISO date)."),
    end: str | None = typer.Option(None, help="Last day, inclusive (default: until notice)."),
    note: str = typer.Option("", help="Why, e.g. the notice number."),
    actor: str = ACTOR,
) -> None:
    """Record a supplier's or region's state; a lockdown marks open shipments at risk."""
    with session_scope() as session:
        service.set_status(
            session,
            enterprise,
            actor,
            service.StatusIn(kind, node, state, _day(start), _day(end) if end else None, note),
        )
        risky = service.list_purchases(session, enterprise, open_only=True, at_risk=True)
    typer.echo(
        f"{kind.value} {node}: {state.value} from {start}"
        f"{' to ' + end if end else ''}; {len(risky)} open shipment(s) at risk"
    )
    for sh in risky:
        typer.echo(
            f"  at risk: {sh.id} {sh.material_id} {sh.qty:,g} from {sh.supplier_id} "
            f"({sh.risk_reason})"
        )


@app.command("suppliers")
def suppliers(
    enterprise: str = ENTERPRISE,
    as_of: str | None = typer.Option(None, "--as-of", help="ISO date (default: today)."),
) -> None:
    """Every supplier's state on a day (the worse of its own and its region's)."""
    with session_scope() as session:
        states = service.supplier_states(session, enterprise, _day(as_of))
    t = Table(title=f"{enterprise}: suppliers")
    for col in ("supplier", "region", "state", "by", "until", "note"):
        t.add_column(col)
    for s in states.values():
        t.add_row(
            s.supplier_id,
            s.region_code,
            s.state.value,
            s.source,
            str(s.until or ("—" if s.state == NodeState.normal else "notice")),
            s.note,
        )
    console.print(t)


@app.command("lanes")
def lanes(
    enterprise: str = ENTERPRISE,
    as_of: str | None = typer.Option(None, "--as-of", help="ISO date (default: today)."),
) -> None:
    """Lanes into the plant with their transit days on a day."""
    with session_scope() as session:
        rows = service.lanes_on(session, enterprise, _day(as_of))
    t = Table(title=f"{enterprise}: lanes")
    for col in ("lane", "from", "planned days", "days now", "note"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            r.lane_id, r.from_region, str(r.planned_transit_days), str(r.transit_days), r.note
        )
    console.print(t)


@app.command("transit")
def transit(
    enterprise: str = ENTERPRISE,
    lane: str = typer.Argument(..., help="Lane id."),
    days: int = typer.Argument(..., help="Transit days."),
    start: str = typer.Option(..., help="First day (ISO date)."),
    end: str | None = typer.Option(None, help="Last day (default: until notice)."),
    note: str = typer.Option(""),
    actor: str = ACTOR,
) -> None:
    """Record a lane's transit days over dates."""
    with session_scope() as session:
        service.set_lane_transit(
            session, enterprise, actor, lane, days, _day(start), _day(end) if end else None, note
        )
    typer.echo(f"{lane}: {days} transit days from {start}")


@app.command("purchase")
def purchase(
    enterprise: str = ENTERPRISE,
    shipment: str = typer.Argument(..., help="Shipment (purchase order) number."),
    material: str = typer.Argument(..., help="Material id."),
    supplier: str = typer.Argument(..., help="Supplier id (a supply option of the material)."),
    qty: float = typer.Argument(..., help="Quantity, in the material's unit."),
    ordered: str = typer.Option(..., help="Order date (ISO)."),
    eta: str = typer.Option(..., help="Expected arrival at the plant (ISO)."),
    actor: str = ACTOR,
) -> None:
    """Add an inbound purchase shipment (planned)."""
    with session_scope() as session:
        row = service.create_purchase(
            session,
            enterprise,
            actor,
            service.PurchaseIn(shipment, material, supplier, qty, _day(ordered), _day(eta)),
        )
        typer.echo(
            f"{row.id}: {qty:,g} {material} from {supplier}, eta {row.eta}"
            + (f" — AT RISK: {row.risk_reason}" if row.at_risk else "")
        )


@app.command("move")
def move(
    enterprise: str = ENTERPRISE,
    shipment: str = typer.Argument(..., help="Shipment number."),
    status: ShipmentStatus = typer.Argument(..., help="dispatched, held or delivered."),
    day: str | None = typer.Option(None, "--day", help="ISO date (default: today)."),
    checkpoint: str | None = typer.Option(None, help="Where it is held."),
    outbound: bool = typer.Option(False, "--outbound", help="A customer shipment."),
    actor: str = ACTOR,
) -> None:
    """Move a shipment on; delivering a purchase records the stock receipt."""
    with session_scope() as session:
        if outbound:
            row = service.advance_customer_shipment(
                session, enterprise, actor, shipment, status, _day(day), checkpoint
            )
        else:
            row = service.advance_purchase(
                session, enterprise, actor, shipment, status, _day(day), checkpoint
            )
        typer.echo(f"{row.id}: {row.status}")


@app.command("ship")
def ship(
    enterprise: str = ENTERPRISE,
    shipment: str = typer.Argument(..., help="Delivery note number."),
    order: str = typer.Argument(..., help="Order id."),
    qty: float = typer.Argument(..., help="Units."),
    planned: str | None = typer.Option(None, help="Planned day (default: today)."),
    actor: str = ACTOR,
) -> None:
    """Plan a customer shipment against an order."""
    with session_scope() as session:
        row = service.create_customer_shipment(
            session, enterprise, actor, service.CustomerIn(shipment, order, qty, _day(planned))
        )
        typer.echo(f"{row.id}: {qty:,g} for {order} planned on {row.planned_on}")


@app.command("pass")
def pass_cmd(
    enterprise: str = ENTERPRISE,
    number: str = typer.Argument(..., help="Pass number."),
    vehicle: str = typer.Argument(..., help="Plate number."),
    valid_from: str = typer.Option(..., "--from", help="First valid day."),
    valid_until: str = typer.Option(..., "--until", help="Last valid day (inclusive)."),
    shipment: str | None = typer.Option(None, help="The shipment it serves."),
    actor: str = ACTOR,
) -> None:
    """Record a transport pass with its validity."""
    with session_scope() as session:
        service.create_pass(
            session,
            enterprise,
            actor,
            service.PassIn(
                number, vehicle, _day(valid_from), _day(valid_until), shipment_id=shipment
            ),
        )
    typer.echo(f"pass {number}: {vehicle}, {valid_from} to {valid_until}")


@app.command("shipments")
def shipments(enterprise: str = ENTERPRISE) -> None:
    """Open purchase shipments, at-risk first."""
    with session_scope() as session:
        rows = service.list_purchases(session, enterprise, open_only=True)
    t = Table(title=f"{enterprise}: open purchase shipments")
    for col in ("id", "material", "supplier", "qty", "eta", "status", "risk"):
        t.add_column(col)
    for r in sorted(rows, key=lambda r: (not r.at_risk, r.eta)):
        t.add_row(
            r.id,
            r.material_id,
            r.supplier_id,
            f"{r.qty:,g}",
            str(r.eta),
            r.status,
            r.risk_reason or "",
        )
    console.print(t)
