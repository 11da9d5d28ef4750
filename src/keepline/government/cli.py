"""``keepline gov``: load jurisdictions and checklists, register enterprises, generate a
synthetic city, the enterprise's daily report, the dashboard.

The shell acts for a jurisdiction (``--as``, default the one named by the command) with
the officer's reach: that jurisdiction and those under it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from keepline.clikit import (
    ACTOR,
    ENTERPRISE,
    cli_actor,
    enterprise_scope,
    parse_day,
    stdout_console,
)
from keepline.db import session_scope
from keepline.government import (
    daily_report,
    dashboard,
    generate,
    jurisdictions,
    registry,
    resumption,
    staffing,
    xlsx,
    yamlfiles,
)
from keepline.government.models import Scale
from keepline.government.schemas import (
    REPORT_FIGURES,
    ChecklistFile,
    FiguresOut,
    JurisdictionFile,
    LiaisonIn,
    ListingIn,
    RegistrationIn,
    ReportSubmitIn,
    ResumptionStateIn,
)
from keepline.plant.service import get_enterprise
from keepline.scope import JurisdictionScope
from keepline.words import plural

app = typer.Typer(
    help="The government's side: jurisdictions, the registry, daily reports, the dashboard.",
    no_args_is_help=True,
)
console = stdout_console()
JURISDICTION = typer.Argument(..., help="Jurisdiction id (see `keepline gov jurisdictions`).")


def gov_scope(session: Session, jurisdiction: str, user: str | None) -> JurisdictionScope:
    """The scope of a command for ``jurisdiction`` (which must be loaded); ``user`` is the
    ``--user`` option (see ``clikit.cli_actor``)."""
    jurisdictions.get(session, jurisdiction)
    return JurisdictionScope(jurisdiction, cli_actor(session, user))


@app.command("load")
def load_cmd(
    files: list[Path] = typer.Argument(..., help="Jurisdiction files (YAML)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new officers' password from stdin."
    ),
    actor: str | None = ACTOR,
) -> None:
    """Load jurisdiction trees with their departments and officers."""
    parsed = [yamlfiles.read(f, JurisdictionFile) for f in files]
    password = sys.stdin.readline().strip() if password_stdin else None
    with session_scope() as s:
        for f, jf in zip(files, parsed, strict=True):
            summary = staffing.load_file(s, jf, cli_actor(s, actor), password)
            typer.echo(f"{f.name}: {summary.describe()}")


@app.command("checklist")
def checklist_cmd(
    files: list[Path] = typer.Argument(..., help="Checklist files (YAML)."),
    actor: str | None = ACTOR,
) -> None:
    """Load resumption checklists (a version, once loaded, never changes)."""
    parsed = [yamlfiles.read(f, ChecklistFile) for f in files]
    with session_scope() as s:
        for cf in parsed:
            row = resumption.load_checklist(s, cf, cli_actor(s, actor))
            typer.echo(
                f"{row.jurisdiction_id}: {row.id} v{row.version}, {plural(len(row.items), 'item')}"
            )


@app.command("jurisdictions")
def jurisdictions_cmd(jurisdiction: str = JURISDICTION) -> None:
    """The jurisdiction, those under it and their departments."""
    with session_scope() as s:
        scope = gov_scope(s, jurisdiction, None)
        root = jurisdictions.home(s, scope)
        for j in jurisdictions.subtree(s, scope):
            depth = j.path.count("/") - root.path.count("/")
            deps = ", ".join(d.id for d in jurisdictions.departments(s, j.id))
            typer.echo(
                f"{'  ' * depth}{j.id} ({j.kind}): {j.name}" + (f" [{deps}]" if deps else "")
            )


@app.command("register")
def register_cmd(
    enterprise: str = ENTERPRISE,
    industry: str = typer.Option(..., help="Industry."),
    scale: Scale = typer.Option(Scale.medium, help="Scale."),
    jurisdiction: str | None = typer.Option(None, help="Default: the plant file's jurisdiction."),
    address: str = typer.Option("", help="Address."),
    contact_name: str = typer.Option("", help="Contact person."),
    contact_phone: str = typer.Option("", help="Contact phone."),
    tag: list[str] = typer.Option([], help="Put on this list (tag) from today, by --document."),
    document: str = typer.Option("", help="The document that lists it (with --tag)."),
    liaison: str | None = typer.Option(None, help="Liaison officer's e-mail."),
    as_: str | None = typer.Option(None, "--as", help="Act for this jurisdiction."),
    actor: str | None = ACTOR,
) -> None:
    """Register a loaded enterprise in a jurisdiction's registry."""
    with session_scope() as s:
        enterprise_scope(s, enterprise)  # 'not found' lists the loaded ones
        plant_jurisdiction = get_enterprise(s, enterprise).jurisdiction
        scope = gov_scope(s, as_ or jurisdiction or plant_jurisdiction, actor)
        body = RegistrationIn(
            enterprise_id=enterprise,
            jurisdiction=jurisdiction,
            industry=industry,
            scale=scale,
            address=address,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
        reg = registry.register(s, scope, body)
        for t in tag:
            if not document:
                raise typer.BadParameter("--tag needs --document")
            registry.listing_add(
                s,
                scope,
                enterprise,
                ListingIn(tag=t, listed_on=reg.registered_on, document=document),
            )
        if liaison:
            registry.assign_liaison(
                s, scope, enterprise, LiaisonIn(officer=liaison, start_on=reg.registered_on)
            )
        typer.echo(f"registered {enterprise} in {reg.jurisdiction_id}")


@app.command("state")
def state_cmd(
    enterprise: str = ENTERPRISE,
    state: str = typer.Option(..., help="not-resumed, partly, fully or suspended."),
    reason: str = typer.Option(..., help="Why."),
    day: str | None = typer.Option(None, help="Effective day (default today)."),
    as_: str = typer.Option(..., "--as", help="Act for this jurisdiction."),
    actor: str | None = ACTOR,
) -> None:
    """Set an enterprise's work-resumption state."""
    with session_scope() as s:
        scope = gov_scope(s, as_, actor)
        body = ResumptionStateIn.model_validate(
            {"state": state, "day": parse_day(day, "--day"), "reason": reason}
        )
        registry.set_state(s, scope, enterprise, body)
        typer.echo(f"{enterprise}: {state} from {body.day}")


@app.command("registry")
def registry_cmd(
    jurisdiction: str = JURISDICTION, as_json: bool = typer.Option(False, "--json")
) -> None:
    """The registry of a jurisdiction."""
    with session_scope() as s:
        scope = gov_scope(s, jurisdiction, None)
        total, items = registry.list_registry(s, scope, limit=10_000)
    if as_json:
        typer.echo(
            json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False, indent=2)
        )
        return
    t = Table("enterprise", "jurisdiction", "industry", "scale", "state", "tags", "liaison")
    for i in items:
        t.add_row(
            i.enterprise_id,
            i.jurisdiction,
            i.industry,
            i.scale,
            i.resumption_state,
            ", ".join(i.tags),
            i.liaison or "",
        )
    console.print(t)
    typer.echo(plural(total, "enterprise"))


@app.command("generate-city")
def generate_city_cmd(
    jurisdiction: str = JURISDICTION,
    enterprises: int = typer.Option(..., "--enterprises", min=1, max=100_000, help="How many."),
    workers: int | None = typer.Option(None, help="Workers in all (default 200 per enterprise)."),
    record_days: int = typer.Option(1, min=1, max=60, help="Days of daily record to generate."),
    history_days: int = typer.Option(0, min=0, max=365, help="Days of synthetic reports before."),
    seed: int = typer.Option(1, help="Random seed."),
    actor: str | None = ACTOR,
) -> None:
    """Generate a synthetic set of enterprises under a jurisdiction."""
    plan = generate.CityPlan(
        enterprises, workers or 200 * enterprises, record_days, history_days, seed
    )
    with session_scope() as s:
        counts = generate.generate_city(s, gov_scope(s, jurisdiction, actor), plan)
    typer.echo(
        f"{jurisdiction}: {plural(counts['enterprises'], 'enterprise')}, "
        f"{plural(counts['workers'], 'worker')}, {plural(counts['declarations'], 'declaration')}, "
        f"{plural(counts['gov_daily_reports'], 'synthetic report')}, "
        f"{plural(counts['difficulties'], 'difficulty')}"
    )


@app.command("report")
def report_cmd(
    enterprise: str = ENTERPRISE,
    day: str | None = typer.Option(None, help="Day (default today)."),
    submit: bool = typer.Option(False, "--submit", help="Submit (freeze) it."),
    as_json: bool = typer.Option(False, "--json"),
    xlsx_out: Path | None = typer.Option(None, "--xlsx", help="Write it to this xlsx file."),
    actor: str | None = ACTOR,
) -> None:
    """The enterprise's daily report (computed, or as submitted)."""
    d = parse_day(day, "--day")
    with session_scope() as s:
        scope = enterprise_scope(s, enterprise, actor)
        out = (
            daily_report.submit(s, scope, ReportSubmitIn(day=d))
            if submit
            else daily_report.draft(s, scope, d)
        )
    if xlsx_out:
        xlsx_out.write_bytes(xlsx.reports([out]))
        typer.echo(f"wrote {xlsx_out}")
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    t = Table("figure", "value")
    for k in REPORT_FIGURES:
        t.add_row(k, str(getattr(out, k)))
    console.print(t)
    typer.echo(f"{enterprise} {d}: {out.status}")


@app.command("send-reports")
def send_reports_cmd(
    jurisdiction: str = JURISDICTION,
    day: str | None = typer.Option(None, help="Day (default today)."),
    actor: str | None = ACTOR,
) -> None:
    """Send automatically the day's reports the enterprises have not submitted."""
    d = parse_day(day, "--day")
    with session_scope() as s:
        n = daily_report.send_due(s, gov_scope(s, jurisdiction, actor), d)
    typer.echo(f"{jurisdiction} {d}: {plural(n, 'report')} sent")


def _figures_table(title: str, rows: list[FiguresOut]) -> Table:
    t = Table(title=title)
    for c in (
        "",
        "registered",
        "resumed",
        "rate",
        "reported",
        "staff return",
        "utilisation",
        ">50%",
        ">80%",
        "positives",
        "locked",
        "FL risk",
        "LH risk",
        "<7d cover",
    ):
        t.add_column(c)

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    for r in rows:
        t.add_row(
            r.key,
            str(r.registered),
            str(r.resumed),
            pct(r.resumption_rate),
            str(r.reported),
            pct(r.staff_return_rate),
            pct(r.utilisation),
            str(r.utilisation_over_50),
            str(r.utilisation_over_80),
            str(r.with_positives),
            str(r.with_locked_zones),
            str(r.front_line_at_risk),
            str(r.livelihood_at_risk),
            str(r.materials_out_within_7d),
        )
    return t


@app.command("dashboard")
def dashboard_cmd(
    jurisdiction: str = JURISDICTION,
    day: str | None = typer.Option(None, help="Day (default today)."),
    under: str | None = typer.Option(None, "--under", help="Drill down to this sub-jurisdiction."),
    industry: str | None = typer.Option(None, help="Only this industry."),
    tag: str | None = typer.Option(None, help="Only enterprises on this list."),
    as_json: bool = typer.Option(False, "--json"),
    xlsx_out: Path | None = typer.Option(None, "--xlsx", help="Write it to this xlsx file."),
) -> None:
    """The dashboard of a jurisdiction on a day."""
    d = parse_day(day, "--day")
    with session_scope() as s:
        out = dashboard.dashboard(
            s, gov_scope(s, jurisdiction, None), d, jurisdiction=under, industry=industry, tag=tag
        )
    if xlsx_out:
        xlsx_out.write_bytes(xlsx.dashboard(out))
        typer.echo(f"wrote {xlsx_out}")
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    total = out.total.model_copy(update={"key": "all"})
    console.print(_figures_table(f"{out.jurisdiction} on {out.day}", [total, *out.by_jurisdiction]))
    console.print(_figures_table("by industry", out.by_industry))
    if out.by_tag:
        console.print(_figures_table("by list", out.by_tag))
    if out.by_department:
        t = Table(title="difficulties by department")
        for c in ("department", "", "open", "overdue"):
            t.add_column(c)
        for q in out.by_department:
            t.add_row(f"{q.jurisdiction}/{q.department}", q.name, str(q.open), str(q.overdue))
        console.print(t)
