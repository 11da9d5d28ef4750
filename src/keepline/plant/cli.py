"""``keepline plant``: load, check, export, list and show plant files."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from keepline.clikit import ACTOR, ENTERPRISE, plant_from_arg
from keepline.db import session_scope
from keepline.errors import InputError
from keepline.plant import service
from keepline.plant.excel import write_template, write_xlsx
from keepline.plant.files import read_plant
from keepline.plant.schema import PlantFile
from keepline.plant.summary import render_text
from keepline.plant.yamlio import dump_yaml

app = typer.Typer(
    help="Plant model: load a plant file (YAML or Excel), export it, list and show plants.",
    no_args_is_help=True,
)


class Format(StrEnum):
    yaml = "yaml"
    xlsx = "xlsx"


@app.command("load")
def load(
    files: list[Path] = typer.Argument(..., help="Plant files (.yaml or .xlsx) to load."),
    actor: str = ACTOR,
) -> None:
    """Load plant files into the database, each in one transaction.

    Loading the same file again changes nothing; a changed file updates that
    enterprise to match it (rows it no longer has are removed).
    """
    plants = [read_plant(f) for f in files]  # validate everything before writing anything
    for plant in plants:
        with session_scope() as session:
            report = service.load_plant(session, plant, actor=actor)
        typer.echo(report.describe())


@app.command("check")
def check(files: list[Path] = typer.Argument(..., help="Plant files to validate.")) -> None:
    """Validate plant files without loading them; every problem of every file is listed."""
    problems: list[str] = []
    for f in files:
        try:
            plant = read_plant(f)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        typer.echo(
            f"{f}: ok ({plant.enterprise.id}, {plant.headcount()} workers, "
            f"{len(plant.orders)} orders)"
        )
    if problems:
        raise InputError(problems)


@app.command("export")
def export(
    enterprise: str = ENTERPRISE,
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    fmt: Format | None = typer.Option(
        None, "--format", help="yaml or xlsx (default: from the output file's suffix)."
    ),
) -> None:
    """Write a loaded plant back as a plant file (YAML or Excel) that loads to the same rows."""
    fmt = fmt or (Format.xlsx if output.suffix.lower() in (".xlsx", ".xlsm") else Format.yaml)
    with session_scope() as session:
        plant = service.export_plant(session, enterprise)
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == Format.xlsx:
        write_xlsx(plant, output)
    else:
        output.write_text(
            dump_yaml(plant, header=f"Exported by keepline from enterprise {enterprise}"),
            encoding="utf-8",
        )
    typer.echo(f"wrote {output} ({fmt.value})")


@app.command("list")
def list_cmd(
    jurisdiction: str | None = typer.Option(None, help="Only plants overseen by this government."),
) -> None:
    """List the loaded plants."""
    with session_scope() as session:
        rows = service.list_enterprises(session, jurisdiction)
        if not rows:
            typer.echo("no plants loaded (load one with `keepline plant load FILE`)")
            return
        for e in rows:
            typer.echo(f"{e.id:<24} {e.region_code}  {e.jurisdiction:<24} {e.name}")


@app.command("show")
def show(enterprise: str = typer.Argument(..., help="Enterprise id or a plant file.")) -> None:
    """A readable summary: zones, headcount by zone and shift, lines, products, materials
    with days of cover at full production, orders by priority class."""
    typer.echo(render_text(plant_from_arg(enterprise)))


@app.command("schema")
def schema(
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file."),
) -> None:
    """Print the plant file's JSON Schema."""
    text = json.dumps(PlantFile.model_json_schema(), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {output}")
    else:
        typer.echo(text)


@app.command("template")
def template(
    output: Path = typer.Option(..., "-o", "--output", help="Workbook to write (.xlsx)."),
) -> None:
    """Write an empty Excel workbook with one sheet per table and a README sheet."""
    write_template(output)
    typer.echo(f"wrote {output}")
