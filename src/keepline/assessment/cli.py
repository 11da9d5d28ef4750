"""``keepline assess``: the continuity assessment, keepline's main job."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from keepline.assessment.report import write_report
from keepline.assessment.run import (
    NamedPolicy,
    NamedScenario,
    Settings,
    assess,
    default_scenario,
)
from keepline.assessment.sweep import Executor
from keepline.clikit import plant_from_arg, progress, stderr_console, stdout_console
from keepline.errors import InputError
from keepline.outbreak.policy import load_policy
from keepline.scenario import load_scenario
from keepline.settings import policies_dir
from keepline.words import plural


def _default_policies() -> list[Path]:
    """Every policy file of ``$KEEPLINE_POLICIES`` (the example policies shipped with
    keepline by default)."""
    folder = policies_dir()
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def assess_cmd(
    plant: str = typer.Argument(..., help="Plant file (.yaml/.xlsx) or a loaded enterprise id."),
    policies: list[Path] = typer.Option(
        None,
        "--policies",
        "-p",
        help="Policy YAML files to compare [default: every file in $KEEPLINE_POLICIES, "
        "the example policies].",
    ),
    scenarios: list[Path] = typer.Option(
        None,
        "--scenarios",
        "-s",
        help="Scenario YAML files [default: no disruption, one worker infected on day 0].",
    ),
    days: int = typer.Option(90, "--days", help="Horizon in days from the plant's horizon_start."),
    replicates: int = typer.Option(200, "--replicates", help="Outbreak replicates per cell."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same numbers)."),
    r0: float = typer.Option(2.5, "--r0", help="Basic reproduction number in the plant."),
    workers: int = typer.Option(
        0, "--workers", help="Run on a Dask LocalCluster of N worker processes (0: in-process)."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Use an existing Dask cluster, e.g. tcp://127.0.0.1:8786."
    ),
    out: Path = typer.Option(
        Path("out/assessment"), "-o", "--out", help="Folder for report.html and report.json."
    ),
) -> None:
    """The continuity assessment: outbreak, workforce, plan and losses per policy × scenario.

    For every policy × scenario: outbreak replicates → workers available → production
    plan → what is lost; recommends the policy that keeps critical orders on time at the
    least cost. Writes a self-contained report.html (plots inline) and report.json.
    """
    if not 1 <= days <= 730:
        raise InputError([f"--days: expected 1..730, got {days}"])
    if replicates < 3:
        raise InputError([f"--replicates: expected at least 3, got {replicates}"])
    if workers < 0:
        raise InputError([f"--workers: expected 0 or more, got {workers}"])
    pf = plant_from_arg(plant)
    policy_files = policies or _default_policies()
    if not policy_files:
        folder = policies_dir()
        raise InputError([f"--policies: give at least one policy file (none in {folder})"])
    named_p = []
    for f in policy_files:
        pol = load_policy(f)
        named_p.append(NamedPolicy(pol.name, str(f), pol))
    named_s = (
        [NamedScenario((sc := load_scenario(f, pf)).name, str(f), sc, 0) for f in scenarios]
        if scenarios
        else [default_scenario()]
    )
    for kind, names in (
        ("policy", [p.name for p in named_p]),
        ("scenario", [s.name for s in named_s]),
    ):
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise InputError([f"two {kind} files share the name {sorted(dup)[0]!r}: rename one"])
    settings = Settings(days, replicates, seed, r0, Executor(workers, scheduler))
    err = stderr_console()
    err.print(
        f"[bold]{pf.enterprise.name}[/]: {plural(len(named_p), 'policy')} × "
        f"{plural(len(named_s), 'scenario')}, {plural(replicates, 'replicate')}, "
        f"{plural(days, 'day')}, seed {seed}, {settings.executor.describe()}"
    )
    t0 = time.perf_counter()
    with progress(err) as step:
        report = assess(pf, named_p, named_s, settings, step)
    js, page = write_report(report, out)
    console = stdout_console()
    h = report["settings"]
    table = Table(
        title=f"{pf.enterprise.id}: fill by due date and output lost, mean over the "
        f"{len(report['cells'][0]['plans'])} planned replicates [95 % confidence interval]; "
        f"outbreak figures mean over {h['replicates']} replicates; "
        f"{time.perf_counter() - t0:.1f} s"
    )
    for col in (
        "policy",
        "scenario",
        "front-line",
        "livelihood",
        "standard",
        "output lost",
        "workers infected",
        "worker-days at work infectious",
        "worker-days lost",
        "tests",
    ):
        table.add_column(col, justify="left" if col in ("policy", "scenario") else "right")

    def pct(v: dict | None) -> str:
        if v is None:
            return "—"
        if v["low"] is None:
            return f"{100 * v['mean']:.1f} %"
        lo, hi = max(0.0, v["low"]), min(1.0, v["high"])
        return f"{100 * v['mean']:.1f} % [{100 * lo:.0f}–{100 * hi:.0f}]"

    rules = report["policy_rules"]
    for c in report["cells"]:
        f = c["headline"]["fill_by_due"]
        m = c["outbreak"]["metrics"]
        name = c["policy"]
        if rules[name]["baseline"]:
            name += " (baseline: do nothing)"
        elif rules[name]["rules_broken"]:
            name += " (breaks the rules)"
        table.add_row(
            name,
            c["scenario"],
            pct(f["front-line"]),
            pct(f["livelihood"]),
            pct(f["standard"]),
            pct(c["headline"]["output_lost_share"]),
            f"{m['infections']['mean']:,.0f}",
            f"{m['infectious_worker_days_at_work']['mean']:,.0f}",
            f"{m['worker_days_lost']['mean']:,.0f}",
            f"{m['tests']['mean']:,.0f}",
        )
    console.print(table)
    rec = report["recommendation"]
    console.print(f"[bold]Recommended:[/] {rec['policy'] or 'none'}. {rec['why']}")
    for name, r in rules.items():
        if r["rules_broken"]:
            what = "the do-nothing baseline" if r["baseline"] else "a reference"
            console.print(f"{name} is {what}, not a choice: {'; '.join(r['rules_broken'])}.")
    console.print(f"wrote {page}\nwrote {js}")
