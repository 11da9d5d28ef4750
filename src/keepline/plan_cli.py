"""``keepline plan``: one command over two capabilities. A plant file (or a loaded
enterprise) is planned by the continuity shell (``continuity.cli.plan_plant``); with
``--from-db`` the daily record is re-planned and stored by production
(``production.cli.plan_from_db``). Composed here, above both, so that continuity never
reaches up into production."""

from __future__ import annotations

from pathlib import Path

import typer

from keepline.continuity.cli import plan_plant
from keepline.errors import InputError
from keepline.production.cli import plan_from_db


def plan_command(
    plant: str | None = typer.Argument(
        None, help="Plant file (.yaml/.xlsx) or a loaded enterprise id (not with --from-db)."
    ),
    from_db: str | None = typer.Option(
        None,
        "--from-db",
        metavar="ENTERPRISE",
        help="Re-plan a loaded enterprise from its daily record (stock, open purchase "
        "shipments, remaining orders, supplier and region status, cleared roster) and store "
        "the plan; see docs/materials.md.",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="With --from-db: the plan's first day (default: today); the state is the "
        "record at the end of the day before.",
    ),
    scenario: Path | None = typer.Option(
        None,
        "--scenario",
        help="Scenario YAML: suppliers, regions, lanes, zones or lines "
        "down over given days, transit delays (see examples/scenarios/).",
    ),
    workforce: Path | None = typer.Option(
        None,
        "--workforce",
        help="Workers available per day, zone, shift and skill (CSV: date,zone,shift,skill,"
        "available); rows not given keep the planned headcount. Default: everyone.",
    ),
    horizon: int = typer.Option(
        90, "--horizon", min=1, max=730, help="Days to plan, from the plant's horizon_start."
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Write the full plan as JSON."),
    xlsx_out: Path | None = typer.Option(
        None,
        "--xlsx",
        help="Write the plan as an Excel workbook (orders, production, "
        "purchases, shipments, backups, reasons).",
    ),
    time_limit: float = typer.Option(120.0, "--time-limit", help="Seconds per LP solve."),
) -> None:
    """Plan production under disruption: which orders ship when, and why some are late.

    Serves front-line orders first, then livelihood, then standard (strictly), within
    each class minimising weighted lateness (penalty per unit-day), then cost. Prints the
    orders at risk with the binding constraints; --json/--xlsx write the whole plan.
    """
    if from_db is not None:
        if plant is not None or scenario is not None or workforce is not None:
            raise InputError(
                [
                    "--from-db: plans from the daily record; give no PLANT, "
                    "--scenario or --workforce with it"
                ]
            )
        plan_from_db(from_db, as_of, horizon, None)
        return
    if plant is None:
        raise InputError(["PLANT: give a plant file or enterprise id, or --from-db ENTERPRISE"])
    plan_plant(plant, scenario, workforce, horizon, json_out, xlsx_out, time_limit)
