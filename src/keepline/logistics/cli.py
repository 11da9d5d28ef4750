"""``keepline logistics``: supplier and region status, lanes, shipments, passes."""

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
from keepline.db import session_scope
from keepline.logistics import customers, lanes, passes, purchases, status
from keepline.logistics.delivery import advance_purchase
from keepline.logistics.dispatch import advance_customer_shipment
from keepline.logistics.models import (
    CustomerShipment,
    NodeState,
    PurchaseShipment,
    ShipmentStatus,
    StatusKind,
)
from keepline.logistics.schemas import (
    CustomerIn,
    LaneTransitIn,
    PassIn,
    PurchaseIn,
    StatusChange,
    StatusIn,
)
from keepline.plans import recorded

app = typer.Typer(
    help="Logistics: supplier and region status, lanes' transit days, purchase and customer "
    "shipments, transport passes.",
    no_args_is_help=True,
)
console = stdout_console()

# The commands build the API's input models unvalidated (``model_construct``): the service
# checks every field itself, so the shell's one-line errors stay the service's.


@app.command("status")
def status_cmd(
    enterprise: str = ENTERPRISE,
    kind: StatusKind = typer.Argument(..., help="supplier or region."),
    node: str = typer.Argument(..., help="Supplier id or six-digit region code."),
    state: NodeState = typer.Argument(..., help="normal, restricted or locked-down."),
    start: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    end: str | None = typer.Option(None, help="Last day, inclusive (default: until notice)."),
    note: str = typer.Option("", help="Why, e.g. the notice number."),
    actor: str | None = ACTOR,
) -> None:
    """Record a supplier's or region's state; a lockdown marks open shipments at risk."""
    s = StatusIn.model_construct(
        kind=kind,
        node_id=node,
        state=state,
        start=parse_day(start, "--start"),
        end=parse_day(end, "--end") if end else None,
        note=note,
    )
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        recorded.set_status(session, scope, s)
        risky = purchases.list_purchases(session, scope, open_only=True, at_risk=True)
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
def suppliers(enterprise: str = ENTERPRISE, as_of: str | None = AS_OF) -> None:
    """Every supplier's state on a day (the worse of its own and its region's)."""
    day = parse_day(as_of, "--as-of")
    states = read_on(enterprise, day, status.supplier_states)
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
def lanes_cmd(enterprise: str = ENTERPRISE, as_of: str | None = AS_OF) -> None:
    """Lanes into the plant with their transit days on a day."""
    day = parse_day(as_of, "--as-of")
    rows = read_on(enterprise, day, lanes.lanes_on)
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
    start: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    end: str | None = typer.Option(None, help="Last day (default: until notice)."),
    note: str = typer.Option(""),
    actor: str | None = ACTOR,
) -> None:
    """Record a lane's transit days over dates."""
    t = LaneTransitIn.model_construct(
        transit_days=days,
        start=parse_day(start, "--start"),
        end=parse_day(end, "--end") if end else None,
        note=note,
    )
    write_as(enterprise, actor, lanes.set_lane_transit, lane, t)
    typer.echo(f"{lane}: {days} transit days from {start}")


@app.command("purchase")
def purchase(
    enterprise: str = ENTERPRISE,
    shipment: str = typer.Argument(..., help="Shipment (purchase order) number."),
    material: str = typer.Argument(..., help="Material id."),
    supplier: str = typer.Argument(..., help="Supplier id (a supply option of the material)."),
    qty: float = typer.Argument(..., help="Quantity, in the material's unit."),
    ordered: str = typer.Option(..., help="Order date, YYYY-MM-DD."),
    eta: str = typer.Option(..., help="Expected arrival at the plant, YYYY-MM-DD."),
    actor: str | None = ACTOR,
) -> None:
    """Add an inbound purchase shipment (planned)."""
    p = PurchaseIn.model_construct(
        id=shipment,
        material_id=material,
        supplier_id=supplier,
        qty=qty,
        ordered_on=parse_day(ordered, "--ordered"),
        eta=parse_day(eta, "--eta"),
    )
    row = write_as(enterprise, actor, purchases.create_purchase, p)
    typer.echo(
        f"{row.id}: {qty:,g} {material} from {supplier}, eta {row.eta}"
        + (f" — AT RISK: {row.risk_reason}" if row.at_risk else "")
    )


@app.command("move")
def move(
    enterprise: str = ENTERPRISE,
    shipment: str = typer.Argument(..., help="Shipment number."),
    status: ShipmentStatus = typer.Argument(..., help="dispatched, held or delivered."),
    day: str | None = DAY,
    checkpoint: str | None = typer.Option(None, help="Where it is held."),
    outbound: bool = typer.Option(False, "--outbound", help="A customer shipment."),
    actor: str | None = ACTOR,
) -> None:
    """Move a shipment on; delivering a purchase records the stock receipt."""
    change = StatusChange.model_construct(
        status=status, day=parse_day(day, "--day"), checkpoint=checkpoint
    )
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        row: CustomerShipment | PurchaseShipment
        if outbound:
            row = advance_customer_shipment(session, scope, shipment, change)
        else:
            row = advance_purchase(session, scope, shipment, change)
        typer.echo(f"{row.id}: {row.status}")


@app.command("ship")
def ship(
    enterprise: str = ENTERPRISE,
    shipment: str = typer.Argument(..., help="Delivery note number."),
    order: str = typer.Argument(..., help="Order id."),
    qty: float = typer.Argument(..., help="Units."),
    planned: str | None = typer.Option(None, help="Planned day (default: today)."),
    actor: str | None = ACTOR,
) -> None:
    """Plan a customer shipment against an order."""
    c = CustomerIn.model_construct(
        id=shipment, order_id=order, qty=qty, planned_on=parse_day(planned, "--planned")
    )
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        row = customers.create_customer_shipment(session, scope, c)
        typer.echo(f"{row.id}: {qty:,g} for {order} planned on {row.planned_on}")


@app.command("pass")
def pass_cmd(
    enterprise: str = ENTERPRISE,
    number: str = typer.Argument(..., help="Pass number."),
    vehicle: str = typer.Argument(..., help="Plate number."),
    valid_from: str = typer.Option(..., "--from", help="First valid day."),
    valid_until: str = typer.Option(..., "--until", help="Last valid day (inclusive)."),
    shipment: str | None = typer.Option(None, help="The shipment it serves."),
    actor: str | None = ACTOR,
) -> None:
    """Record a transport pass with its validity."""
    p = PassIn.model_construct(
        id=number,
        vehicle=vehicle,
        valid_from=parse_day(valid_from, "--from"),
        valid_until=parse_day(valid_until, "--until"),
        shipment_id=shipment,
    )
    write_as(enterprise, actor, passes.create_pass, p)
    typer.echo(f"pass {number}: {vehicle}, {valid_from} to {valid_until}")


@app.command("shipments")
def shipments(enterprise: str = ENTERPRISE) -> None:
    """Open purchase shipments, at-risk first."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        rows = purchases.list_purchases(session, scope, open_only=True)
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
