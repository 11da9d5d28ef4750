"""``keepline plans drill``: replay a scenario against an emergency plan, on a copy."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from keepline.clikit import ACTOR, enterprise_scope, stderr_console
from keepline.db import session_scope
from keepline.errors import InputError
from keepline.plans.drill import plant_from_record, read_inputs, run_drill
from keepline.plans.drill_report import write_drill
from keepline.plans.drill_runs import record_drill
from keepline.plans.replay import DEFAULT_TASK_DELAY_HOURS, DrillSettings
from keepline.plant.files import PLANT_SUFFIXES, read_plant
from keepline.plant.schema import PlantFile
from keepline.recordkit import bad
from keepline.words import plural

_DELAYS = ", ".join(f"{r}={h:g}" for r, h in DEFAULT_TASK_DELAY_HOURS.items())


def parse_task_delays(values: list[str] | None) -> dict[str, float]:
    """``role=hours`` options over the defaults; a bad one is a usage error naming it."""
    out = dict(DEFAULT_TASK_DELAY_HOURS)
    for value in values or []:
        role, sep, hours = value.partition("=")
        role = role.strip()
        if not sep or role not in DEFAULT_TASK_DELAY_HOURS:
            known = ", ".join(DEFAULT_TASK_DELAY_HOURS)
            raise bad("--task-delay", f"expected role=hours with a role of {known}, got '{value}'")
        try:
            h = float(hours)
        except ValueError:
            h = -1.0
        if not 0 <= h <= 24 * 60:
            raise bad("--task-delay", f"hours must be a number from 0 to 1440, got '{hours}'")
        out[role] = h
    return out


def _is_file(arg: str) -> bool:
    path = Path(arg)
    return path.suffix.lower() in PLANT_SUFFIXES or path.exists()


def _plant(arg: str, user: str | None) -> PlantFile:
    """A plant file, or a loaded enterprise with its roster (read, never written)."""
    if _is_file(arg):
        return read_plant(Path(arg))
    with session_scope() as session:
        return plant_from_record(session, enterprise_scope(session, arg, user))


def _record(arg: str, user: str | None, drill: dict[str, Any]) -> int:
    """Keep the drill of a loaded enterprise (its id; audited)."""
    with session_scope() as session:
        return record_drill(session, enterprise_scope(session, arg, user), drill).id


def drill_command(
    plant: str = typer.Argument(..., help="Plant file (.yaml/.xlsx) or a loaded enterprise id."),
    plan: Path = typer.Option(..., "--plan", help="The emergency plan (YAML)."),
    scenario: Path = typer.Option(..., "--scenario", help="The scenario to replay (YAML)."),
    days: int = typer.Option(30, "--days", min=1, max=365, help="Days to simulate."),
    seed: int = typer.Option(1, "--seed", min=0, help="Random seed (same seed, same drill)."),
    compare: Path | None = typer.Option(
        None, "--compare", help="A second plan (another version) to drill side by side."
    ),
    replicates: int = typer.Option(
        1, "--replicates", min=1, max=100, help="Outbreak replicates (each its own story)."
    ),
    task_delay: list[str] = typer.Option(
        None,
        "--task-delay",
        metavar="ROLE=HOURS",
        help=f"Hours a role takes to do a task (repeatable; default: {_DELAYS}).",
    ),
    confirm_after: float | None = typer.Option(
        None,
        "--confirm-after",
        min=0,
        max=24 * 60,
        metavar="HOURS",
        help="Run the actions that wait for a person this many hours after the firing "
        "(default: they do not run).",
    ),
    policy: Path | None = typer.Option(
        None,
        "--policy",
        help="The standing measures, an outbreak policy file (default: symptomatic "
        "workers isolated and tested, nothing else).",
    ),
    index_cases: int = typer.Option(
        0, "--index-cases", min=0, help="Workers infected on day 0 besides the scenario's."
    ),
    out: Path | None = typer.Option(
        None, "-o", "--out", help="Folder for report.html and drill.json (default: out/drill-ID)."
    ),
    user: str | None = ACTOR,
) -> None:
    """Replay a scenario against a plan on a copy of the plant (the record is not touched):
    the outbreak day by day, the plan's triggers on each day, its automatic actions in the
    simulation; scored against the same scenario with no plan. A drill of a loaded
    enterprise is recorded (its scores and report, for the console's drill pages)."""
    delays = parse_task_delays(task_delay)
    chosen = _plant(plant, user)
    paths = [plan] + ([compare] if compare else [])
    plans, scen, pol, pol_source = read_inputs(chosen, paths, scenario, policy)
    if (
        compare
        and plans[0].plan.id == plans[1].plan.id
        and (plans[0].plan.version == plans[1].plan.version)
    ):
        raise InputError([f"{compare}: the same plan and version as {plan}: nothing to compare"])
    settings = DrillSettings(
        days=days,
        seed=seed,
        replicates=replicates,
        index_cases=index_cases,
        task_delay_hours=delays,
        confirm_after_hours=confirm_after,
    )
    err = stderr_console()
    start = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        err.print(f"{fraction:4.0%} {message}", highlight=False)

    drill = run_drill(
        chosen, plans, scen, str(scenario), pol, pol_source, settings, progress=progress
    )
    folder = out or Path("out") / f"drill-{chosen.enterprise.id}"
    js, page = write_drill(drill, folder)
    for p in drill["plans"]:
        s = p["summary"]
        err.print(
            f"{p['id']} v{p['version']}: infections {s['infections']:.1f} "
            f"(no plan {s['infections_no_plan']:.1f}), worker-days lost "
            f"{s['worker_days_lost']:.0f} (no plan {s['worker_days_lost_no_plan']:.0f}), "
            f"{plural(len(p['never_fired']), 'rule')} never fired, "
            f"{len(p['not_simulated'])} not simulated",
            highlight=False,
        )
    err.print(f"wrote {page} and {js} in {time.perf_counter() - start:.1f} s", highlight=False)
    if _is_file(plant):
        err.print(
            "not recorded: a plant file (drill a loaded enterprise to keep it)", highlight=False
        )
    else:
        err.print(f"recorded as drill {_record(plant, user, drill)}", highlight=False)
