"""``keepline outbreak``: simulate an outbreak in a plant under screening policies."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import typer
from matplotlib.figure import Figure
from rich.console import Console
from rich.table import Table

from keepline.clikit import plant_from_arg, progress, stderr_console, stdout_console
from keepline.errors import InputError
from keepline.outbreak.engine import Params, Run
from keepline.outbreak.parallel import run_replicates
from keepline.outbreak.policy import Policy, load_policy, to_controls
from keepline.outbreak.population import Population, from_plant
from keepline.outbreak.results import summary, to_json, workforce
from keepline.outbreak.world import params_for, world_from_scenario
from keepline.plant.schema import PlantFile
from keepline.scenario import NO_SCENARIO, Scenario, load_scenario
from keepline.workforce import to_csv

app = typer.Typer(
    help="Outbreak and screening simulation: who gets infected, who is out, which policy "
    "keeps the lines running and at what testing cost.",
    no_args_is_help=True,
)


def _out() -> Console:
    """stdout; wide when not a terminal so piped tables are not cut."""
    return stdout_console()


PLANT_HELP = "Plant file (.yaml/.xlsx) or the id of a loaded enterprise."


def _common(
    plant_arg: str,
    scenario_path: Path | None,
    days: int,
    replicates: int,
    r0: float,
    index_cases: int | None,
) -> tuple[PlantFile, Population, Scenario, Params, int]:
    if days < 1 or days > 3650:
        raise InputError([f"--days: expected 1..3650 days, got {days}"])
    if replicates < 1:
        raise InputError([f"--replicates: expected at least 1, got {replicates}"])
    if not 0 < r0 <= 20:
        raise InputError([f"--r0: expected a number in (0, 20], got {r0}"])
    plant = plant_from_arg(plant_arg)
    pop = from_plant(plant)
    if pop.n < 2:
        raise InputError([f"{plant_arg}: the plant needs at least two workers to simulate"])
    scenario = load_scenario(scenario_path, plant) if scenario_path else NO_SCENARIO
    if index_cases is None:
        index_cases = 0 if scenario_path else 1
    return plant, pop, scenario, params_for(scenario, r0), index_cases


def _simulate(
    pop: Population,
    policy: Policy,
    source: str,
    scenario: Scenario,
    params: Params,
    days: int,
    replicates: int,
    seed: int,
    index_cases: int,
    workers: int,
    console: Console,
) -> Run:
    controls = to_controls(policy, pop, source)
    for why in policy.outside_rules():
        console.print(f"[yellow]warning:[/] {source} {why}")
    world = world_from_scenario(scenario, pop, days, index_cases)
    with progress(console) as step:
        return run_replicates(
            pop,
            controls,
            world,
            params,
            days,
            seed,
            replicates,
            workers=workers,
            progress=lambda k: step(f"{policy.name[:40]}: replicates", k, replicates),
        )


def _plot(series: list[tuple[str, Run]], pop: Population, path: Path, title: str) -> None:
    fig = Figure(figsize=(9, 4.8))
    ax = fig.subplots()
    for name, run in series:
        avail = run.present.sum(axis=2)
        x = np.arange(avail.shape[1])
        (line,) = ax.plot(x, avail.mean(axis=0), label=name)
        lo, hi = np.percentile(avail, [5, 95], axis=0)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15)
    ax.set_xlabel("day")
    ax.set_ylabel("workers available (mean, 5–95 % band)")
    ax.set_ylim(0, pop.n * 1.03)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


ROWS = (
    ("infections", "infections (all settings)", 0, False),
    ("infections_in_plant", "  of which in the plant", 0, False),
    ("diagnosed", "cases diagnosed", 0, False),
    ("worker_days_lost", "worker-days lost", 0, False),
    ("infectious_worker_days_at_work", "worker-days at work while infectious", 0, False),
    ("peak_absent_share", "peak share of workers absent", 1, True),
    ("tests", "test reactions", 0, False),
    ("pools", "  of which pooled", 0, False),
    ("false_positives", "false-positive results", 1, False),
)

DAYS = typer.Option(120, "--days", help="Days to simulate from the plant's horizon start.")
REPS = typer.Option(200, "--replicates", help="Monte-Carlo replicates.")
SEED = typer.Option(1, "--seed", help="Random seed; same seed, same numbers.")
SCEN = typer.Option(
    None, "--scenario", help="Scenario YAML (city prevalence, importations, control area)."
)
R0 = typer.Option(
    2.5,
    "--r0",
    help="Basic reproduction number in the unmitigated plant, as the scenario's "
    "disease.r0_definition means it (default: without isolation, the whole course).",
)
INDEX = typer.Option(
    None,
    "--index-cases",
    help="Workers infected on day 0 [default: 1 without a scenario, 0 with one].",
)
WORKERS = typer.Option(
    min(2, os.cpu_count() or 1), "--workers", help="Processes to run replicates in."
)
JSON_OUT = typer.Option(None, "--json", help="Write totals and daily bands as JSON here.")
PLOT = typer.Option(None, "--plot", help="Write a PNG of workers available over time here.")
WF = typer.Option(
    None,
    "--workforce-csv",
    help="Write mean workers available per date × zone × shift × skill (the planner's input).",
)


@app.command("run")
def run_cmd(
    plant: str = typer.Argument(..., help=PLANT_HELP),
    policy: Path = typer.Option(..., "--policy", help="Policy YAML (see examples/policies)."),
    scenario: Path | None = SCEN,
    days: int = DAYS,
    replicates: int = REPS,
    seed: int = SEED,
    r0: float = R0,
    index_cases: int | None = INDEX,
    workers: int = WORKERS,
    json_out: Path | None = JSON_OUT,
    plot: Path | None = PLOT,
    workforce_csv: Path | None = WF,
    replicate: int | None = typer.Option(
        None,
        "--replicate",
        help="With --workforce-csv: write this replicate's workforce (0-based) instead of "
        "the mean — as the assessment plans it.",
    ),
) -> None:
    """Simulate one policy: infections, absences, tests — mean and 5–95 % band over
    replicates."""
    if replicate is not None and not 0 <= replicate < replicates:
        raise InputError([f"--replicate: expected 0..{replicates - 1}, got {replicate}"])
    pf, pop, scen, params, idx = _common(plant, scenario, days, replicates, r0, index_cases)
    pol = load_policy(policy)
    console = stderr_console()
    run = _simulate(
        pop, pol, str(policy), scen, params, days, replicates, seed, idx, workers, console
    )
    bands = summary(run, pop)
    table = Table(
        title=f"{pf.enterprise.id} · {pol.name} · {scen.name} · {days} days · "
        f"{replicates} replicates · {pop.n} workers"
    )
    table.add_column("per replicate")
    table.add_column("mean", justify="right")
    table.add_column("5 %", justify="right")
    table.add_column("95 %", justify="right")
    for key, label, digits, pct in ROWS:
        b = bands[key]
        k = 100 if pct else 1
        u = " %" if pct else ""
        table.add_row(
            label,
            f"{b.mean * k:.{digits}f}{u}",
            f"{b.p5 * k:.{digits}f}{u}",
            f"{b.p95 * k:.{digits}f}{u}",
        )
    _out().print(table)
    for why in pol.outside_rules():
        typer.echo(f"what-if: {why}")
    start = pf.horizon_start
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        rec = to_json(run, pop, pol.name, scen.name, start, seed)
        rec["outside_rules"] = pol.outside_rules()
        json_out.write_text(json.dumps(rec, indent=1), encoding="utf-8")
        typer.echo(f"wrote {json_out}")
    if plot:
        _plot([(pol.name, run)], pop, plot, f"{pf.enterprise.id} · {scen.name}")
        typer.echo(f"wrote {plot}")
    if workforce_csv:
        workforce_csv.parent.mkdir(parents=True, exist_ok=True)
        wf = workforce(run, pop, replicate)
        workforce_csv.write_text(to_csv(wf, start), encoding="utf-8")
        typer.echo(f"wrote {workforce_csv}")


@app.command(
    "compare", context_settings={"allow_extra_args": True, "ignore_unknown_options": False}
)
def compare_cmd(
    ctx: typer.Context,
    plant: str = typer.Argument(..., help=PLANT_HELP),
    policies: list[Path] = typer.Option(
        ..., "--policies", help="Policy YAML files: --policies a.yaml b.yaml …"
    ),
    scenario: Path | None = SCEN,
    days: int = DAYS,
    replicates: int = REPS,
    seed: int = SEED,
    r0: float = R0,
    index_cases: int | None = INDEX,
    workers: int = WORKERS,
    json_out: Path | None = JSON_OUT,
    plot: Path | None = PLOT,
    workforce_csv: Path | None = typer.Option(
        None,
        "--workforce-csv",
        help="Write each policy's mean workforce CSV as FILE-<policy file stem>.csv.",
    ),
) -> None:
    """Compare policies on the same plant, scenario and seed (common random numbers):
    one row per policy, each figure the mean with its 5–95 % band."""
    files = list(policies) + [Path(a) for a in ctx.args]
    for a in ctx.args:
        if a.startswith("-"):
            raise InputError([f"unknown option {a}"])
    pf, pop, scen, params, idx = _common(plant, scenario, days, replicates, r0, index_cases)
    loaded = [(f, load_policy(f)) for f in files]  # every file checked before any run
    for f, p in loaded:
        to_controls(p, pop, str(f))
    console = stderr_console()
    table = Table(
        title=f"{pf.enterprise.id} · {scen.name} · {days} days · {replicates} replicates · "
        f"{pop.n} workers · mean [5–95 %]"
    )
    for col in ("policy", "infections", "worker-days lost", "peak absent", "tests", "false pos."):
        table.add_column(col, justify="left" if col == "policy" else "right")
    runs = []
    records = []
    for f, pol in loaded:
        run = _simulate(
            pop, pol, str(f), scen, params, days, replicates, seed, idx, workers, console
        )
        b = summary(run, pop)
        table.add_row(
            pol.name + (" (what-if: outside the rules)" if pol.outside_rules() else ""),
            b["infections"].fmt(),
            b["worker_days_lost"].fmt(),
            b["peak_absent_share"].fmt(1, pct=True),
            b["tests"].fmt(),
            b["false_positives"].fmt(1),
        )
        runs.append((pol.name, run))
        rec = to_json(run, pop, pol.name, scen.name, pf.horizon_start, seed)
        rec["outside_rules"] = pol.outside_rules()
        records.append(rec)
        if workforce_csv:
            out = workforce_csv.with_name(f"{workforce_csv.stem}-{f.stem}.csv")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(to_csv(workforce(run, pop), pf.horizon_start), encoding="utf-8")
            typer.echo(f"wrote {out}")
    _out().print(table)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(records, indent=1), encoding="utf-8")
        typer.echo(f"wrote {json_out}")
    if plot:
        _plot(runs, pop, plot, f"{pf.enterprise.id} · {scen.name}")
        typer.echo(f"wrote {plot}")
