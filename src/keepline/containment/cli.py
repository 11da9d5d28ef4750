"""``keepline containment`` (cases, isolation, quarantine, access events, contact
tracing, zone states) and ``keepline availability``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from keepline.clikit import (
    ACTOR,
    ENTERPRISE,
    build,
    enterprise_scope,
    parse_day,
    read_file,
    stdout_console,
    write_as,
)
from keepline.containment import access, restrictions, zone_states
from keepline.containment import contacts as contact_tracing
from keepline.containment.models import ZoneState
from keepline.containment.schemas import (
    CaseIn,
    QuarantineIn,
    RestrictionEnd,
    RestrictionIn,
    ZoneStateIn,
)
from keepline.containment.workforce import available
from keepline.db import session_scope
from keepline.errors import InputError, quote
from keepline.plans import recorded
from keepline.tabular import read_table
from keepline.workforce import to_csv

app = typer.Typer(
    help="Cases, isolation and quarantine, access events, contact tracing, zone states.",
    no_args_is_help=True,
)


def _day(value: str | None, field: str) -> dt.date | None:
    return parse_day(value, field) if value else None


@app.command("case")
def case(
    enterprise: str = ENTERPRISE,
    employee_no: str = typer.Argument(..., help="The infected worker's employee number."),
    confirmed: str = typer.Option(..., help="Day confirmed (isolated), YYYY-MM-DD."),
    sample_day: str | None = typer.Option(None, help="Day of the sample."),
    onset: str | None = typer.Option(None, help="Day symptoms began."),
    actor: str | None = ACTOR,
) -> None:
    """Record a confirmed case (isolated until two negative tests); the infectious
    window starts two days before the earlier of sample and onset."""
    body = build(
        CaseIn,
        employee_no=employee_no,
        confirmed_on=parse_day(confirmed, "--confirmed"),
        sample_day=_day(sample_day, "--sample-day"),
        onset_day=_day(onset, "--onset"),
    )
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        c = recorded.open_case(session, scope, body)
    typer.echo(f"case {c.id}: {employee_no}, infectious {c.infectious_from} to {c.infectious_to}")


@app.command("restrict")
def restrict(
    enterprise: str = ENTERPRISE,
    employee_no: str = typer.Argument(..., help="Employee number."),
    kind: str = typer.Option("quarantine", help="isolation or quarantine."),
    reason: str = typer.Option(
        ..., help="case, pool-positive, close-contact, zone-lock or declaration."
    ),
    start: str = typer.Option(..., help="First day away, YYYY-MM-DD."),
    end_rule: str = typer.Option("days:7", help="'days:N' or 'negative-tests:N'."),
    note: str = typer.Option("", help="Free text."),
    actor: str | None = ACTOR,
) -> None:
    """Isolate or quarantine one worker from a day, with the rule that ends it."""
    body = build(
        RestrictionIn,
        employee_no=employee_no,
        kind=kind,
        reason=reason,
        start_day=parse_day(start, "--start"),
        end_rule=end_rule,
        note=note,
    )
    r = write_as(enterprise, actor, restrictions.add_restriction, body)
    typer.echo(f"{r.kind} {r.id}: {employee_no} from {r.start_day} ({r.end_rule})")


@app.command("release")
def release(
    enterprise: str = ENTERPRISE,
    restriction_id: int = typer.Argument(..., help="Isolation/quarantine id."),
    last_day: str = typer.Option(..., help="Last day away, YYYY-MM-DD."),
    reason: str = typer.Option(..., help="Why it ends."),
    actor: str | None = ACTOR,
) -> None:
    """End an isolation or quarantine."""
    body = build(RestrictionEnd, end_day=parse_day(last_day, "--last-day"), reason=reason)
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        r = restrictions.end_restriction(session, scope, restriction_id, body)
    typer.echo(f"{r.kind} {r.id}: {r.employee_no} away until {r.end_day}")


@app.command("events")
def events(
    enterprise: str = ENTERPRISE,
    file: Path = typer.Argument(
        ...,
        help="Access-control export, CSV/Excel: employee_no, zone, time_in, time_out "
        "(ISO 8601; without an offset: plant-local time; a stay ≤ 24 h).",
    ),
    actor: str | None = ACTOR,
) -> None:
    """Import access events (all or nothing; repeated events change nothing)."""
    data = read_file(file)
    table = read_table(file.name, data)
    rep = write_as(enterprise, actor, access.import_events, table)
    typer.echo(
        f"{file.name}: {rep.rows} events, {rep.inserted} new, {rep.updated} updated, "
        f"{rep.unchanged} unchanged"
    )


@app.command("contacts")
def contacts(
    enterprise: str = ENTERPRISE,
    case_id: int = typer.Argument(..., help="Case id."),
    min_minutes: float = typer.Option(
        contact_tracing.DEFAULT_MIN_MINUTES, help="Least summed minutes in one zone with the case."
    ),
    quarantine: bool = typer.Option(False, help="Quarantine the contacts found by --how."),
    how: str = typer.Option(
        "access,team,dormitory",
        help="Which contacts to quarantine: access, team, dormitory, zone-shift (comma-separated).",
    ),
    days: int = typer.Option(
        contact_tracing.CONTACT_QUARANTINE_DAYS, help="Quarantine length, days."
    ),
    reason: str = typer.Option("", help="Why (kept in each quarantine's note)."),
    actor: str | None = ACTOR,
) -> None:
    """A case's contacts: roster (team, zone and shift, dormitory) and access events
    (time in the same zone within the infectious window)."""
    body = None
    if quarantine:
        body = build(
            QuarantineIn,
            how=[h.strip() for h in how.split(",") if h.strip()],
            days=days,
            min_minutes=min_minutes,
            reason=reason,
        )
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        found = contact_tracing.find_contacts(session, scope, case_id, min_minutes=min_minutes)
        done = []
        if body is not None:
            done = contact_tracing.quarantine_contacts(session, scope, case_id, body)
    t = Table(title=f"contacts of case {case_id}")
    for c in ("employee", "name", "team", "how", "minutes", "zones"):
        t.add_column(c)
    for c in found:
        zones = ", ".join(f"{z} {m:g}" for z, m in c.zones.items())
        t.add_row(c.employee_no, c.name, c.team, ", ".join(c.how), f"{c.minutes:g}", zones)
    stdout_console().print(t)
    if quarantine:
        typer.echo(f"quarantined {len(done)} for {days} days")


@app.command("zone")
def zone(
    enterprise: str = ENTERPRISE,
    zone_id: str = typer.Argument(..., help="Zone id."),
    state: str = typer.Argument(..., help="restricted, locked, disinfecting or reopened."),
    reason: str = typer.Option(..., help="Why."),
    closed_loop: bool = typer.Option(
        False, help="With 'locked': dormitory-housed workers keep working (closed loop)."
    ),
    actor: str | None = ACTOR,
) -> None:
    """Change a zone's state: open → restricted → locked → disinfecting → reopened."""
    if state not in {s.value for s in ZoneState}:
        known = ", ".join(z.value for z in ZoneState)
        raise InputError([f"state: unknown state {quote(state)} (one of {known})"])
    body = build(ZoneStateIn, state=state, reason=reason, closed_loop=closed_loop)
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        ch = zone_states.change_zone_state(session, scope, zone_id, body)
    typer.echo(f"{zone_id}: {ch.previous} → {ch.state} ({ch.day})")


@app.command("zones")
def zones(
    enterprise: str = ENTERPRISE, history: bool = typer.Option(False, help="Every change.")
) -> None:
    """Every zone's state (and, with --history, every change: who, when, why)."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        states = zone_states.zone_states(session, scope)
        hist = zone_states.zone_history(session, scope) if history else []
    t = Table(title=f"zones of {enterprise}")
    for c in ("zone", "state", "since", "by", "why"):
        t.add_column(c)
    for z, ch in states.items():
        if ch is None:
            t.add_row(z, "open", "", "", "")
        else:
            t.add_row(
                z,
                ch.state + (" (closed loop)" if ch.closed_loop else ""),
                str(ch.day),
                ch.by,
                ch.reason,
            )
    stdout_console().print(t)
    for ch in hist:
        typer.echo(
            f"{ch.at.isoformat()}\t{ch.zone_id}\t{ch.previous} → {ch.state}\t{ch.by}\t{ch.reason}"
        )


def availability_cmd(
    enterprise: str = ENTERPRISE,
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day (inclusive)."),
    csv: Path | None = typer.Option(
        None, help="Write date,zone,shift,skill,available CSV here (what 'plan --workforce' reads)."
    ),
) -> None:
    """Workers available per day × zone × shift (each counted once; the CSV has one
    column per skill), from the roster, declarations, isolations, quarantines and zone
    states."""
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    with session_scope() as session:
        rep = available(session, enterprise_scope(session, enterprise), first, last)
    wf = rep.workforce
    if csv:
        csv.write_text(to_csv(wf, rep.start), encoding="utf-8")
    t = Table(title=f"{enterprise}: workers available {first} to {last}")
    t.add_column("zone")
    t.add_column("shift")
    for d in range(wf.days):
        t.add_column((rep.start + dt.timedelta(days=d)).strftime("%m-%d"), justify="right")
    # People per zone-shift, each once: the CSV's skill columns count a worker with two
    # skills twice, so their largest is not the headcount (and would not add up).
    heads = rep.heads
    for z, zname in enumerate(wf.zones):
        for s, sname in enumerate(wf.shifts):
            if heads[:, z, s].any():
                t.add_row(zname, sname, *(f"{v:g}" for v in heads[:, z, s]))
    # The totals add up: at work + away = the active workers in the plant model.
    total = heads.sum(axis=(1, 2))
    counted = rep.workers - rep.uncounted
    t.add_section()
    t.add_row("at work", "", *(f"{v:g}" for v in total))
    t.add_row("away", "", *(f"{counted - v:g}" for v in total))
    t.add_row("active workers", "", *(f"{counted}" for _ in total))
    stdout_console().print(t)
    typer.echo(
        f"{rep.workers} active workers; {rep.away_worker_days} worker-days away"
        + (f"; {rep.uncounted} outside the plant model" if rep.uncounted else "")
        + (f"; wrote {csv}" if csv else "")
    )
