"""``keepline difficulties``: submit, list, show and handle difficulties, escalate the
overdue ones, and the per-department figures.

The enterprise's commands take the enterprise (``--enterprise``) and act as its admin;
the government's take ``--as JURISDICTION`` (and ``--department`` to act as one of its
departments: its queue only) with an officer's reach."""

from __future__ import annotations

import datetime as dt

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from keepline import clock
from keepline.apikit.lists import ListParams, fetch_page
from keepline.clikit import (
    ACTOR,
    ENTERPRISE_OPTION,
    cli_actor,
    enterprise_scope,
    parse_day,
    stdout_console,
)
from keepline.db import session_scope
from keepline.difficulties import queries, service
from keepline.difficulties.models import DifficultyCategory
from keepline.difficulties.schemas import (
    ConfirmIn,
    DifficultyIn,
    DifficultyOut,
    NoteIn,
    ProposeIn,
    ReopenIn,
    TransferIn,
)
from keepline.government.models import Department
from keepline.recordkit import bad
from keepline.scope import JurisdictionScope
from keepline.words import plural

app = typer.Typer(
    help="Difficulties (诉求): routed to departments and handled against the clock.",
    no_args_is_help=True,
)
console = stdout_console()
ID = typer.Argument(..., min=1, help="Difficulty number.")
AS = typer.Option(..., "--as", help="Act for this jurisdiction (an officer's reach).")
DEPARTMENT = typer.Option(None, "--department", help="Act as this department of it.")
ENTERPRISE_OR_NONE = typer.Option(None, "--enterprise", "-e", help="As this enterprise.")
AS_OR_NONE = typer.Option(None, "--as", help="As an officer of this jurisdiction.")


def gov_scope(
    session: Session, jurisdiction: str, department: str | None, user: str | None
) -> JurisdictionScope:
    scope = JurisdictionScope(jurisdiction, cli_actor(session, user), department=department)
    service.reach(session, scope)  # the jurisdiction is loaded
    if department is not None and session.get(Department, (jurisdiction, department)) is None:
        raise bad("--department", f"no department '{department}' in '{jurisdiction}'")
    return scope


def _at(value: str | None) -> dt.datetime:
    if value is None:
        return clock.now()
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise bad("--at", f"'{value[:40]}' is not a time (2026-12-07T09:30+08:00)") from None
    return at.replace(tzinfo=clock.plant_tz()) if at.tzinfo is None else at


def _line(d: DifficultyOut) -> str:
    late = ", ".join(f"{o.limit} overdue" for o in d.overdue)
    return (
        f"#{d.id} {d.enterprise_id} {d.category} ({d.category_zh}) {d.state} → "
        f"{d.department_jurisdiction}/{d.department}" + (f" [{late}]" if late else "")
    )


def _show(d: DifficultyOut) -> None:
    typer.echo(_line(d))
    typer.echo(f"  {d.text}")
    if d.solution:
        typer.echo(f"  solution: {d.solution}")
    local = clock.plant_tz()
    typer.echo(
        "  due: accept "
        + " · ".join(
            f"{name} {t.astimezone(local):%Y-%m-%d %H:%M}"
            for name, t in (("", d.accept_due), ("propose", d.propose_due), ("close", d.close_due))
        ).strip()
    )
    for e in d.history:
        where = f"{e.department_jurisdiction}/{e.department}" if e.department else ""
        typer.echo(
            f"  {e.at.astimezone(local):%Y-%m-%d %H:%M} {e.kind:<11} {where} {e.actor}"
            + (f" — {e.note}" if e.note else "")
        )
    if d.rating is not None:
        typer.echo(f"  rating: {d.rating}/5 {d.rating_comment or ''}".rstrip())


@app.command("submit")
def submit_cmd(
    enterprise: str = ENTERPRISE_OPTION,
    category: str = typer.Option(..., help=f"One of: {DifficultyCategory.described()}."),
    text: str = typer.Option(..., help="What the difficulty is."),
    attachment: list[str] = typer.Option([], "--attachment", help="An attached file's name."),
    actor: str | None = ACTOR,
) -> None:
    """An enterprise files a difficulty; it is routed to a department."""
    cat = DifficultyCategory.from_text(category)
    if cat is None:
        raise bad("--category", f"'{category[:40]}' is not one of {DifficultyCategory.described()}")
    body = DifficultyIn(category=cat, text=text, attachments=attachment)
    with session_scope() as s:
        scope = enterprise_scope(s, enterprise, actor)
        row = service.submit(s, scope, body)
        d = queries.one_for_enterprise(s, scope, row.id, clock.now())
    typer.echo(_line(d))


@app.command("list")
def list_cmd(
    enterprise: str | None = ENTERPRISE_OR_NONE,
    jurisdiction: str | None = AS_OR_NONE,
    department: str | None = DEPARTMENT,
    state: str | None = typer.Option(None, help="Only this state."),
    overdue: bool = typer.Option(False, "--overdue", help="Only those past a limit now."),
    limit: int = typer.Option(100, min=1, max=1000),
) -> None:
    """An enterprise's difficulties (--enterprise) or an officer's (--as)."""
    params = ListParams(limit=limit, offset=0, sort="-id")
    at = clock.now()
    with session_scope() as s:
        if enterprise is not None:
            own = enterprise_scope(s, enterprise)
            q = queries.own_query(own, at, state=state, overdue=overdue)
        elif jurisdiction is not None:
            scope = gov_scope(s, jurisdiction, department, None)
            q = queries.gov_query(s, scope, at, state=state, overdue=overdue)
        else:
            raise bad("--enterprise", "give --enterprise or --as")
        rows, total = fetch_page(s, q, params, queries.COLUMNS, "-id")
        items = queries.outs(s, rows, at)
    for d in items:
        typer.echo(_line(d))
    typer.echo(plural(total, "difficulty"))


@app.command("show")
def show_cmd(
    difficulty: int = ID,
    enterprise: str | None = ENTERPRISE_OR_NONE,
    jurisdiction: str | None = AS_OR_NONE,
    department: str | None = DEPARTMENT,
) -> None:
    """One difficulty with its history."""
    with session_scope() as s:
        if enterprise is not None:
            d = queries.one_for_enterprise(
                s, enterprise_scope(s, enterprise), difficulty, clock.now()
            )
        elif jurisdiction is not None:
            scope = gov_scope(s, jurisdiction, department, None)
            d = queries.one_for_officer(s, scope, difficulty, clock.now())
        else:
            raise bad("--enterprise", "give --enterprise or --as")
    _show(d)


def _gov_step(
    difficulty: int,
    jurisdiction: str,
    department: str | None,
    actor: str | None,
    step: service.GovStep | TransferIn,
    note: str = "",
) -> None:
    with session_scope() as s:
        scope = gov_scope(s, jurisdiction, department, actor)
        if isinstance(step, TransferIn):
            row = service.transfer(s, scope, difficulty, step)
        else:
            row = service.handle(s, scope, difficulty, step, note)
        d = queries.outs(s, [row], clock.now())[0]
    typer.echo(_line(d))


@app.command("accept")
def accept_cmd(
    difficulty: int = ID,
    jurisdiction: str = AS,
    department: str | None = DEPARTMENT,
    note: str = typer.Option("", help="A note."),
    actor: str | None = ACTOR,
) -> None:
    """The department accepts the difficulty."""
    _gov_step(difficulty, jurisdiction, department, actor, "accept", NoteIn(note=note).note)


@app.command("transfer")
def transfer_cmd(
    difficulty: int = ID,
    jurisdiction: str = AS,
    to: str = typer.Option(..., "--to", help="The department it goes to."),
    to_jurisdiction: str | None = typer.Option(
        None, "--to-jurisdiction", help="That department's jurisdiction (default: the current)."
    ),
    note: str = typer.Option(..., help="Why."),
    department: str | None = DEPARTMENT,
    actor: str | None = ACTOR,
) -> None:
    """Transfer it to another department, which must accept it."""
    body = TransferIn(department=to, jurisdiction=to_jurisdiction, note=note)
    _gov_step(difficulty, jurisdiction, department, actor, body)


@app.command("propose")
def propose_cmd(
    difficulty: int = ID,
    jurisdiction: str = AS,
    solution: str = typer.Option(..., help="The proposed solution."),
    department: str | None = DEPARTMENT,
    actor: str | None = ACTOR,
) -> None:
    """Propose a solution: in progress."""
    _gov_step(
        difficulty,
        jurisdiction,
        department,
        actor,
        "propose",
        ProposeIn(solution=solution).solution,
    )


@app.command("resolve")
def resolve_cmd(
    difficulty: int = ID,
    jurisdiction: str = AS,
    note: str = typer.Option("", help="A note."),
    department: str | None = DEPARTMENT,
    actor: str | None = ACTOR,
) -> None:
    """Resolved: the enterprise confirms (closed) or reopens it."""
    _gov_step(difficulty, jurisdiction, department, actor, "resolve", NoteIn(note=note).note)


@app.command("confirm")
def confirm_cmd(
    difficulty: int = ID,
    enterprise: str = ENTERPRISE_OPTION,
    rating: int = typer.Option(..., min=1, max=5, help="The handling, 1 (poor) to 5."),
    comment: str = typer.Option("", help="A comment."),
    actor: str | None = ACTOR,
) -> None:
    """The enterprise confirms it is solved and rates the handling: closed."""
    with session_scope() as s:
        scope = enterprise_scope(s, enterprise, actor)
        service.answer(s, scope, difficulty, ConfirmIn(rating=rating, comment=comment))
        d = queries.one_for_enterprise(s, scope, difficulty, clock.now())
    typer.echo(_line(d))


@app.command("reopen")
def reopen_cmd(
    difficulty: int = ID,
    enterprise: str = ENTERPRISE_OPTION,
    reason: str = typer.Option(..., help="Why it is not solved."),
    actor: str | None = ACTOR,
) -> None:
    """The enterprise reopens it: back to in progress."""
    with session_scope() as s:
        scope = enterprise_scope(s, enterprise, actor)
        service.answer(s, scope, difficulty, ReopenIn(reason=reason))
        d = queries.one_for_enterprise(s, scope, difficulty, clock.now())
    typer.echo(_line(d))


@app.command("escalate")
def escalate_cmd(
    at: str | None = typer.Option(None, "--at", help="As of this time (default now)."),
    actor: str | None = ACTOR,
) -> None:
    """Escalate every overdue difficulty to its jurisdiction's command (once per limit
    passed: running it again escalates nothing new). `keepline serve` runs it every
    few minutes."""
    when = _at(at)
    with session_scope() as s:
        out = service.escalate_overdue(s, when, cli_actor(s, actor))
    for e in out:
        typer.echo(
            f"#{e.difficulty_id} {e.limit} overdue since {e.due_at:%Y-%m-%d %H:%M} UTC → "
            f"{e.to_jurisdiction}/{e.to_department or 'leadership'}"
        )
    typer.echo(f"{plural(len(out), 'escalation')}")


@app.command("figures")
def figures_cmd(
    jurisdiction: str = typer.Argument(..., help="Jurisdiction id."),
    since: str | None = typer.Option(None, help="Only difficulties submitted from this day."),
    department: str | None = DEPARTMENT,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Per department: received, open, closed, on time, overdue, median hours to close,
    satisfaction."""
    day = parse_day(since, "--since") if since else None
    with session_scope() as s:
        out = queries.department_figures(
            s, gov_scope(s, jurisdiction, department, None), clock.now(), day
        )
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    t = Table(title=f"difficulties under {out.jurisdiction}")
    for c in (
        "department",
        "received",
        "open",
        "closed",
        "on time",
        "overdue",
        "median h",
        "rating",
    ):
        t.add_column(c)
    for f in out.departments:
        t.add_row(
            f"{f.jurisdiction}/{f.department}",
            str(f.received),
            str(f.open),
            str(f.closed),
            str(f.on_time),
            str(f.overdue),
            "-" if f.median_hours_to_close is None else f"{f.median_hours_to_close:.1f}",
            "-" if f.rating_mean is None else f"{f.rating_mean:.2f} ({f.rating_count})",
        )
    console.print(t)
