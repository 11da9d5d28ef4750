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
from sqlalchemy import Select
from sqlalchemy.orm import Session

from keepline.clikit import (
    ACTOR,
    ENTERPRISE,
    build,
    cli_actor,
    enterprise_scope,
    parse_day,
    stdout_console,
)
from keepline.db import session_scope
from keepline.government import (
    briefing,
    briefing_page,
    daily_report,
    dashboard,
    generate,
    jurisdictions,
    registry,
    resumption,
    staffing,
    visits,
    xlsx,
    yamlfiles,
)
from keepline.government.models import Finding, FindingStatus, Scale, Severity, Topic
from keepline.government.schemas import (
    REPORT_FIGURES,
    ChecklistFile,
    FiguresOut,
    FindingIn,
    FindingOut,
    JurisdictionFile,
    LiaisonIn,
    ListingIn,
    RectificationAnswerIn,
    RegistrationIn,
    ReportSubmitIn,
    ResumptionStateIn,
    SendBackIn,
    VerifyIn,
    VisitIn,
)
from keepline.plant.service import get_enterprise
from keepline.recordkit import bad
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


# --- visits ---
visit_app = typer.Typer(
    help="Visits to an enterprise and their briefing packs.", no_args_is_help=True
)
finding_app = typer.Typer(
    help="Findings of visits: rectification tasks the officer verifies or sends back.",
    no_args_is_help=True,
)
rectification_app = typer.Typer(
    help="The enterprise's side: its rectification tasks and its answers.", no_args_is_help=True
)
app.add_typer(visit_app, name="visit")
app.add_typer(finding_app, name="finding")
app.add_typer(rectification_app, name="rectification")
AS = typer.Option(..., "--as", help="Act for this jurisdiction.")
VISIT = typer.Argument(..., help="Visit number.", min=1)
FINDING = typer.Argument(..., help="Finding (rectification task) number.", min=1)


def _labelled(enum: type[Topic] | type[Severity], texts: list[str], field: str) -> list[str]:
    """Values of ``enum`` named by their value or their Chinese/English words."""
    out = []
    for t in texts:
        member = enum.from_text(t)
        if member is None:
            raise bad(field, f"'{t}' is not one of {enum.described()}")
        out.append(member.value)
    return out


def _finding_line(f: FindingOut) -> str:
    late = " OVERDUE" if f.overdue else ""
    return (
        f"#{f.id} [{f.status}{late}] {f.category}/{f.severity} due {f.due_on} "
        f"({f.enterprise_id}): {f.text}"
    )


def _print_findings(session: Session, q: Select[tuple[Finding]], noun: str) -> None:
    rows = session.scalars(q.order_by(visits.FINDING_SORTS["due_on"])).all()
    for f in rows:
        typer.echo(_finding_line(FindingOut.model_validate(f, from_attributes=True)))
    typer.echo(plural(len(rows), noun))


@visit_app.command("add")
def visit_add_cmd(
    enterprise: str = ENTERPRISE,
    day: str | None = typer.Option(None, help="Day of the visit (default today)."),
    visitor: list[str] = typer.Option(
        ..., help="An officer's e-mail, or a leader's name ('市长 Mayor'); repeat."
    ),
    topic: list[str] = typer.Option(..., help=f"Repeat. {Topic.described()}."),
    notes: str = typer.Option("", help="Notes."),
    as_: str = AS,
    actor: str | None = ACTOR,
) -> None:
    """Record a visit to an enterprise under the jurisdiction."""
    with session_scope() as s:
        scope = gov_scope(s, as_, actor)
        body = build(
            VisitIn,
            enterprise_id=enterprise,
            day=parse_day(day, "--day"),
            visitors=visitor,
            topics=_labelled(Topic, topic, "topics"),
            notes=notes,
        )
        row = visits.add_visit(s, scope, body)
        typer.echo(f"visit {row.id}: {enterprise} on {row.day}")


@visit_app.command("list")
def visit_list_cmd(
    as_: str = AS, enterprise: str | None = typer.Option(None, help="Only this enterprise.")
) -> None:
    """Visits to the enterprises under the jurisdiction, newest first."""
    with session_scope() as s:
        scope = gov_scope(s, as_, None)
        q = visits.visits_query(s, scope, enterprise_id=enterprise)
        rows = s.scalars(q.order_by(visits.VISIT_SORTS["day"].desc())).all()
        for v in rows:
            typer.echo(f"{v.id}\t{v.day}\t{v.enterprise_id}\t{', '.join(v.visitors)}")
    typer.echo(plural(len(rows), "visit"))


@visit_app.command("show")
def visit_show_cmd(
    visit: int = VISIT, as_: str = AS, as_json: bool = typer.Option(False, "--json")
) -> None:
    """A visit with its findings."""
    with session_scope() as s:
        out = visits.visit_out(s, visits.visit_of(s, gov_scope(s, as_, None), visit))
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    typer.echo(f"visit {out.id}: {out.enterprise_id} on {out.day} by {', '.join(out.visitors)}")
    typer.echo(f"topics: {', '.join(out.topics)}")
    if out.notes:
        typer.echo(f"notes: {out.notes}")
    for f in out.findings:
        typer.echo(_finding_line(f))


@visit_app.command("briefing")
def visit_briefing_cmd(
    visit: int = VISIT,
    as_: str = AS,
    out: Path | None = typer.Option(None, "-o", "--out", help="Write the HTML page here."),
    as_json: bool = typer.Option(False, "--json", help="Print the pack as JSON."),
) -> None:
    """The visit's briefing pack (aggregates only): JSON, or one HTML page."""
    with session_scope() as s:
        pack = briefing.pack(s, gov_scope(s, as_, None), visit)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(briefing_page.render_html(pack.model_dump(mode="json")), encoding="utf-8")
        typer.echo(f"wrote {out}")
    if as_json or not out:
        typer.echo(pack.model_dump_json(indent=2))


@finding_app.command("add")
def finding_add_cmd(
    visit: int = VISIT,
    text: str = typer.Option(..., help="What was found."),
    category: str = typer.Option(..., help=f"One of {Topic.described()}."),
    severity: str = typer.Option("medium", help=f"One of {Severity.described()}."),
    due: str = typer.Option(..., help="Due date of the rectification."),
    as_: str = AS,
    actor: str | None = ACTOR,
) -> None:
    """Record a finding of a visit: a rectification task for the enterprise."""
    with session_scope() as s:
        scope = gov_scope(s, as_, actor)
        body = build(
            FindingIn,
            text=text,
            category=_labelled(Topic, [category], "category")[0],
            severity=_labelled(Severity, [severity], "severity")[0],
            due_on=parse_day(due, "--due"),
        )
        row = visits.add_finding(s, scope, visit, body)
        typer.echo(f"finding {row.id}: due {row.due_on}")


@finding_app.command("list")
def finding_list_cmd(
    as_: str = AS,
    status: FindingStatus | None = typer.Option(None, help="Only this status."),
    overdue: bool = typer.Option(False, "--overdue", help="Only those overdue."),
) -> None:
    """Rectification tasks under the jurisdiction, by due date."""
    with session_scope() as s:
        scope = gov_scope(s, as_, None)
        q = visits.findings_query(s, scope, status=status, overdue=True if overdue else None)
        _print_findings(s, q, "finding")


@finding_app.command("verify")
def finding_verify_cmd(
    finding: int = FINDING,
    note: str = typer.Option("", help="Note."),
    as_: str = AS,
    actor: str | None = ACTOR,
) -> None:
    """Accept the enterprise's answer: the task is closed."""
    with session_scope() as s:
        row = visits.verify(s, gov_scope(s, as_, actor), finding, build(VerifyIn, note=note))
        typer.echo(f"finding {row.id}: {row.status}")


@finding_app.command("send-back")
def finding_send_back_cmd(
    finding: int = FINDING,
    reason: str = typer.Option(..., help="Why the answer is not enough."),
    as_: str = AS,
    actor: str | None = ACTOR,
) -> None:
    """Refuse the enterprise's answer: the task is open again."""
    with session_scope() as s:
        row = visits.send_back(
            s, gov_scope(s, as_, actor), finding, build(SendBackIn, reason=reason)
        )
        typer.echo(f"finding {row.id}: {row.status} (sent back)")


@rectification_app.command("list")
def rectification_list_cmd(
    enterprise: str = ENTERPRISE,
    status: FindingStatus | None = typer.Option(None, help="Only this status."),
    actor: str | None = ACTOR,
) -> None:
    """The enterprise's rectification tasks."""
    with session_scope() as s:
        q = visits.own_findings_query(enterprise_scope(s, enterprise, actor), status=status)
        _print_findings(s, q, "rectification task")


@rectification_app.command("answer")
def rectification_answer_cmd(
    enterprise: str = ENTERPRISE,
    finding: int = FINDING,
    text: str = typer.Option(..., help="What was done."),
    attachment: str | None = typer.Option(None, help="Name of the attached evidence."),
    actor: str | None = ACTOR,
) -> None:
    """Answer a rectification task: say what the enterprise did."""
    with session_scope() as s:
        scope = enterprise_scope(s, enterprise, actor)
        body = build(RectificationAnswerIn, text=text, attachment_name=attachment)
        row = visits.answer(s, scope, finding, body)
        typer.echo(f"rectification task {row.id}: {row.status}")
