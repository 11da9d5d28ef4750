"""``keepline plan PLANT`` and ``keepline exposure``: the shell around the continuity
engines. The ``plan`` command itself (with ``--from-db``, the re-plan from the daily
record) is composed in ``keepline.plan_cli``, above this package and production."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from openpyxl import Workbook
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from keepline.clikit import plant_from_arg, stdout_console
from keepline.continuity.exposure import ExposureRun, exposure_input, scenario_exposure
from keepline.continuity.lp import SolverOptions
from keepline.continuity.model import build_input
from keepline.continuity.plan import plan
from keepline.continuity.record import PlanRecord
from keepline.continuity.willems import chain_path, convert
from keepline.errors import InputError
from keepline.plant.schema import PlantFile
from keepline.scenario import NO_SCENARIO, Scenario, load_scenario
from keepline.tabular import append_row
from keepline.words import plural
from keepline.workforce import from_csv

console = stdout_console()


def _plant_and_scenario(plant: str, scenario: Path | None) -> tuple[PlantFile, Scenario]:
    p = plant_from_arg(plant)
    s = load_scenario(scenario, p) if scenario else NO_SCENARIO
    return p, s


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def plan_plant(
    plant: str,
    scenario: Path | None,
    workforce: Path | None,
    horizon: int,
    json_out: Path | None,
    xlsx_out: Path | None,
    time_limit: float,
) -> None:
    """``keepline plan PLANT``: plan a plant file or a loaded enterprise and print the
    orders, the orders at risk with their reasons and the backups; write --json/--xlsx."""
    p, s = _plant_and_scenario(plant, scenario)
    wf = from_csv(workforce, p, horizon) if workforce else None
    with console.status("solving the plan…"):
        res = plan(p, wf, s, horizon, SolverOptions(time_limit_s=time_limit))
    if res.violations:
        raise InputError([f"internal: the rounded plan fails its check: {res.violations[0]}"])
    table = Table(title=f"{p.enterprise.id}: orders over {horizon} days ({s.name})")
    for col in (
        "order",
        "priority",
        "product",
        "qty",
        "due",
        "on time",
        "late",
        "unshipped",
        "wtd lateness",
    ):
        table.add_column(
            col,
            justify="right"
            if col in ("qty", "on time", "late", "unshipped", "wtd lateness")
            else "left",
        )
    for o in res.orders:
        if not o.in_horizon:
            continue
        style = "red" if o.at_risk else None
        table.add_row(
            o.order,
            o.priority,
            o.product,
            f"{o.qty:g}",
            o.due.isoformat(),
            f"{o.shipped_by_due:g}",
            f"{o.units_late:g}",
            f"{o.units_unshipped:g}",
            f"{o.weighted_lateness:,.0f}",
            style=style,
        )
    console.print(table)
    at_risk = [o for o in res.orders if o.at_risk]
    if at_risk:
        console.print(f"[bold]{plural(len(at_risk), 'order')} at risk:[/bold]")
        for line in res.explanations:
            console.print(f" • {line}")
    else:
        console.print("every order due in the horizon ships on time")
    record = res.record()
    for b in record.backups:
        console.print(
            f"activate backup {b.supplier} for {b.material} by "
            f"{b.activate_by} (first order {b.first_order}, "
            f"cost {b.activation_cost:,.0f})"
        )
    for note in res.notes:
        console.print(f"note: {note}")
    g = res.greedy_lateness_by_class
    console.print(
        f"weighted lateness {res.weighted_lateness():,.0f} (LP bound {res.lp_bound():,.0f}, "
        f"greedy baseline {sum(g.values()):,.0f}); cost {res.cost():,.0f}; "
        f"solved in {res.seconds:.2f} s"
    )
    if json_out:
        _write_json(json_out, record.to_json())
        console.print(f"wrote {json_out}")
    if xlsx_out:
        write_plan_xlsx(record, xlsx_out)
        console.print(f"wrote {xlsx_out}")


def write_plan_xlsx(record: PlanRecord, path: Path) -> None:
    d = record.to_json()
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {
        "orders": d["orders"],
        "production": d["production"],
        "purchases": d["purchases"],
        "shipments": d["shipments"],
        "backups": d["backups"],
        "reasons": [{"reason": r} for r in d["explanations"]],
    }
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if rows:
            cols = list(rows[0])
            ws.append(cols)
            for r in rows:
                append_row(ws, [r[c] for c in cols])
    tmp = path.with_suffix(path.suffix + ".tmp")
    wb.save(tmp)
    tmp.replace(path)


def exposure_command(
    plant: str | None = typer.Argument(
        None, help="Plant file (.yaml/.xlsx) or a loaded enterprise id (omit with --willems)."
    ),
    scenario: Path | None = typer.Option(
        None,
        "--scenario",
        help="Scenario YAML: exposure from its state (its nodes down, its control area in force).",
    ),
    horizon: int = typer.Option(
        90,
        "--horizon",
        min=1,
        max=730,
        help="Days to look ahead; a TTS equal to it means 'survives the horizon'.",
    ),
    critical_only: bool = typer.Option(
        False, "--critical-only", help="Count only front-line and livelihood demand."
    ),
    willems: int | None = typer.Option(
        None,
        "--willems",
        min=1,
        max=38,
        help="Run on Willems (2008) chain N from ../shared/data/willems instead of a plant "
        "(time unit: weeks; see docs/continuity.md).",
    ),
    willems_dir: Path = typer.Option(
        Path("../shared/data/willems"), "--willems-dir", help="Folder of willems_NN.csv."
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Write every node as JSON."),
    top: int = typer.Option(30, "--top", help="Rows to print (all go to --json)."),
) -> None:
    """Risk exposure of every node: time to survive (TTS), time to recover (TTR),
    performance impact (PI), sorted by risk exposure index (PI / max PI).

    Nodes: suppliers, supplier regions, lanes, plant zones and lines. TTS is the due day
    of the first order the plant can no longer ship on time with the node down for good;
    PI the priority-weighted units short (front-line 100, livelihood 10, standard 1) with
    the node down for TTR days. Flagged: TTS < TTR.
    """
    unit = 1
    if willems is not None:
        chain = convert(chain_path(willems_dir, willems), horizon_days=horizon)
        unit = chain.period_days
        inp = build_input(chain.plant, None, None, max(1, horizon // unit), chain.outbound)
        title = f"Willems chain {willems} ({chain.stages} stages)"
    else:
        if plant is None:
            raise InputError(["give a PLANT or --willems N"])
        p, s = _plant_and_scenario(plant, scenario)
        inp = build_input(p, None, s, horizon)
        title = f"{p.enterprise.id} ({s.name})"
    n = len(inp.nodes())

    def run_all(progress: Callable[[int, int], None]) -> ExposureRun:
        if willems is not None:
            return exposure_input(inp, critical_only, progress=progress)
        # under a scenario: from its state (its nodes down, its control area in force)
        return scenario_exposure(p, s, horizon, critical_only, progress=progress)

    with Progress(
        TextColumn("nodes"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("nodes", total=n)
        run = run_all(lambda i, _n: bar.update(task, completed=i))
    table = Table(title=f"Risk exposure: {title}, horizon {horizon} days")
    for col in ("node", "TTS days", "TTR days", "PI", "REI", "flag"):
        table.add_column(col, justify="left" if col == "node" else "right")
    for e in run.nodes[:top]:
        tts = f"≥{horizon}" if e.survives_horizon else str(e.tts_days * unit)
        table.add_row(
            f"{e.kind}:{e.id}",
            tts,
            str(e.ttr_days * unit),
            f"{e.pi:,.0f}",
            f"{e.rei:.3f}",
            ("TTS<TTR " if e.flagged else "")
            + (f"down days {e.down_from}–{e.back - 1} in the scenario" if e.back else ""),
            style="red" if e.flagged else None,
        )
    console.print(table)
    flagged = sum(e.flagged for e in run.nodes)
    console.print(
        f"{plural(n, 'node')}, {flagged} flagged (TTS < TTR); "
        f"{plural(run.solves, 'LP solve')} in {run.seconds:.1f} s"
    )
    if json_out:
        rows = []
        for e in run.nodes:
            row = e.to_dict()
            row["tts_days"] *= unit
            row["ttr_days"] *= unit
            rows.append(row)
        _write_json(
            json_out,
            {
                "title": title,
                "horizon_days": horizon,
                "time_unit_days": unit,
                "critical_only": critical_only,
                "nodes": rows,
            },
        )
        console.print(f"wrote {json_out}")
