"""``keepline containment`` (cases, isolation, quarantine, access events, contact
tracing, zone states) and ``keepline availability``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from keepline.containment import service
from keepline.db import session_scope
from keepline.errors import InputError
from keepline.plant.service import get_enterprise
from keepline.tabular import read_table

app = typer.Typer(
    help="Cases, isolation and quarantine, access events, contact tracing, zone states.",
    no_args_is_help=True,
)
ENTERPRISE = typer.Argument(..., help="Enterprise id (a loaded plant).")
ACTOR = typer.Option("cli", help="Who does this, for the audit log.")
DAY = ["%Y-%m-%d"]


def _d(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@app.command("case")
def case(
    enterprise: str = ENTERPRISE,
    employee_no: str = typer.Argument(..., help="The infected worker's employee number."),
    confirmed: dt.datetime = typer.Option(..., formats=DAY, help="Day confirmed (isolated)."),
    sample_day: dt.datetime | None = typer.Option(None, formats=DAY, help="Day of the sample."),
    onset: dt.datetime | None = typer.Option(None, formats=DAY, help="Day symptoms began."),
    actor: str = ACTOR,
) -> None:
    """Record a confirmed case (isolated until two negative tests); the infectious
    window starts two days before the earlier of sample and onset."""
    with session_scope() as session:
        get_enterprise(session, enterprise)
        c = service.open_case(
            session,
            enterprise,
            actor,
            employee_no,
            confirmed_on=confirmed.date(),
            sample_day=_d(sample_day),
            onset_day=_d(onset),
        )
    typer.echo(f"case {c.id}: {employee_no}, infectious {c.infectious_from} to {c.infectious_to}")


@app.command("restrict")
def restrict(
    enterprise: str = ENTERPRISE,
    employee_no: str = typer.Argument(..., help="Employee number."),
    kind: str = typer.Option("quarantine", help="isolation or quarantine."),
    reason: str = typer.Option(
        ..., help="case, pool-positive, close-contact, zone-lock or declaration."
    ),
    start: dt.datetime = typer.Option(..., formats=DAY, help="First day away."),
    end_rule: str = typer.Option("days:7", help="'days:N' or 'negative-tests:N'."),
    note: str = typer.Option("", help="Free text."),
    actor: str = ACTOR,
) -> None:
    """Isolate or quarantine one worker from a day, with the rule that ends it."""
    with session_scope() as session:
        r = service.add_restriction(
            session,
            enterprise,
            actor,
            employee_no,
            kind=kind,
            reason=reason,
            start_day=start.date(),
            end_rule=end_rule,
            note=note,
        )
    typer.echo(f"{r.kind} {r.id}: {employee_no} from {r.start_day} ({r.end_rule})")


@app.command("release")
def release(
    enterprise: str = ENTERPRISE,
    restriction_id: int = typer.Argument(..., help="Isolation/quarantine id."),
    last_day: dt.datetime = typer.Option(..., formats=DAY, help="Last day away."),
    reason: str = typer.Option(..., help="Why it ends."),
    actor: str = ACTOR,
) -> None:
    """End an isolation or quarantine."""
    with session_scope() as session:
        r = service.end_restriction(
            session, enterprise, actor, restriction_id, last_day.date(), reason
        )
    typer.echo(f"{r.kind} {r.id}: {r.employee_no} away until {r.end_day}")


@app.command("events")
def events(
    enterprise: str = ENTERPRISE,
    file: Path = typer.Argument(
        ...,
        help="Access-control export, CSV/Excel: employee_no, zone, time_in, time_out "
        "(ISO 8601; without an offset: plant-local time; a stay ≤ 24 h).",
    ),
    actor: str = ACTOR,
) -> None:
    """Import access events (all or nothing; repeated events change nothing)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError([f"{file}: {exc.strerror}"]) from None
    items = service.events_from_table(read_table(file.name, data))
    with session_scope() as session:
        get_enterprise(session, enterprise)
        rep = service.save_events(session, enterprise, actor, items, file.name)
    typer.echo(
        f"{file.name}: {rep.rows} events, {rep.inserted} new, {rep.updated} updated, "
        f"{rep.unchanged} unchanged"
    )


@app.command("contacts")
def contacts(
    enterprise: str = ENTERPRISE,
    case_id: int = typer.Argument(..., help="Case id."),
    min_minutes: float = typer.Option(
        service.DEFAULT_MIN_MINUTES, help="Least summed minutes in one zone with the case."
    ),
    quarantine: bool = typer.Option(False, help="Quarantine the contacts found by --how."),
    how: str = typer.Option(
        "access,team,dormitory",
        help="Which contacts to quarantine: access, team, dormitory, zone-shift (comma-separated).",
    ),
    days: int = typer.Option(service.CONTACT_QUARANTINE_DAYS, help="Quarantine length, days."),
    actor: str = ACTOR,
) -> None:
    """A case's contacts: roster (team, zone and shift, dormitory) and access events
    (time in the same zone within the infectious window)."""
    with session_scope() as session:
        found = service.contacts(session, enterprise, case_id, min_minutes=min_minutes)
        done = []
        if quarantine:
            done = service.quarantine_contacts(
                session,
                enterprise,
                actor,
                case_id,
                how=[h.strip() for h in how.split(",") if h.strip()],
                days=days,
                min_minutes=min_minutes,
            )
    t = Table(title=f"contacts of case {case_id}")
    for c in ("employee", "name", "team", "how", "minutes", "zones"):
        t.add_column(c)
    for c in found:
        zones = ", ".join(f"{z} {m:g}" for z, m in c.zones.items())
        t.add_row(c.employee_no, c.name, c.team, ", ".join(c.how), f"{c.minutes:g}", zones)
    Console().print(t)
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
    actor: str = ACTOR,
) -> None:
    """Change a zone's state: open → restricted → locked → disinfecting → reopened."""
    with session_scope() as session:
        ch = service.change_zone_state(
            session, enterprise, actor, zone_id, state, reason, closed_loop=closed_loop
        )
    typer.echo(f"{zone_id}: {ch.previous} → {ch.state} ({ch.day})")


@app.command("zones")
def zones(
    enterprise: str = ENTERPRISE, history: bool = typer.Option(False, help="Every change.")
) -> None:
    """Every zone's state (and, with --history, every change: who, when, why)."""
    with session_scope() as session:
        get_enterprise(session, enterprise)
        states = service.zone_states(session, enterprise)
        hist = service.zone_history(session, enterprise) if history else []
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
    Console().print(t)
    for ch in hist:
        typer.echo(
            f"{ch.at.isoformat()}\t{ch.zone_id}\t{ch.previous} → {ch.state}\t{ch.by}\t{ch.reason}"
        )


def availability_cmd(
    enterprise: str = ENTERPRISE,
    start: dt.datetime = typer.Option(..., "--from", formats=DAY, help="First day."),
    end: dt.datetime = typer.Option(..., "--to", formats=DAY, help="Last day (inclusive)."),
    csv: Path | None = typer.Option(
        None, help="Write date,zone,shift,skill,available CSV here (what 'plan --workforce' reads)."
    ),
) -> None:
    """Workers available per day × zone × shift × skill, from the roster, declarations,
    isolations, quarantines and zone states."""
    from keepline.workforce import to_csv

    with session_scope() as session:
        get_enterprise(session, enterprise)
        rep = service.workforce(session, enterprise, start.date(), end.date())
    wf = rep.workforce
    if csv:
        csv.write_text(to_csv(wf, rep.start), encoding="utf-8")
    t = Table(title=f"{enterprise}: workers available {start.date()} to {end.date()}")
    t.add_column("zone")
    t.add_column("shift")
    for d in range(wf.days):
        t.add_column((rep.start + dt.timedelta(days=d)).strftime("%m-%d"), justify="right")
    # Heads per zone-shift: the largest skill column (a worker counts under each skill).
    for z, zname in enumerate(wf.zones):
        for s, sname in enumerate(wf.shifts):
            col = wf.available[:, z, s, :].max(axis=1)
            if col.any():
                t.add_row(zname, sname, *(f"{v:g}" for v in col))
    Console().print(t)
    typer.echo(
        f"{rep.workers} active workers; {rep.away_worker_days} worker-days away"
        + (f"; {rep.uncounted} outside the plant model" if rep.uncounted else "")
        + (f"; wrote {csv}" if csv else "")
    )
