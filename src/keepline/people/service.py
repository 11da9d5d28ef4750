"""The roster: check worker rows against the plant model, create, update, import, summarise.

Functions take a session and the caller's scope (its enterprise and actor); the caller
owns the transaction, so a bulk import is one transaction: all of it is written or none
of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from keepline import clock, db
from keepline.audit import service as audit
from keepline.errors import InputError, NotFound, msg, quote
from keepline.health.models import Clearance
from keepline.people import idnumber
from keepline.people.models import WORKER_FIELDS, EmploymentStatus, Worker, employed_on
from keepline.people.schemas import LeaveIn, WorkerIn, WorkerUpdate
from keepline.plant import models as pm
from keepline.plant.schema import COMMUTER
from keepline.plant.service import in_file_order
from keepline.recordkit import WriteCounts
from keepline.scope import EnterpriseScope
from keepline.tabular import RowProblem, RowsError, Table, canonical, require_columns
from keepline.vocabulary import COMMUTER_WORDS, SHIFT_WORDS, Names, known, model_headers

# The roster file's columns, in order. Only these three are required.
COLUMNS = (
    "employee_no",
    "name",
    "phone",
    "id_number",
    "zone",
    "shift",
    "team",
    "skills",
    "housing",
    "employment_status",
    "left_on",
)
REQUIRED = ("employee_no", "name", "team")
# Each column's other names (Chinese and English), from WorkerIn's fields.
HEADERS = model_headers(WorkerIn, only=COLUMNS)
CHUNK = 1000

_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_PHONE = re.compile(r"^1[3-9][0-9]{9}$")
_SKILL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_LIST_SPLIT = re.compile(r"[;,|]")


@dataclass(frozen=True)
class PlantIndex:
    """What a roster row is checked against: the enterprise's plant model."""

    zones: dict[str, str]  # id → kind
    shifts: frozenset[str]
    teams: dict[str, pm.Team]
    team_names: Names  # a team by its id, display name or Chinese name
    zone_names: Names  # a zone by its id, display name or Chinese name
    shift_names: Names  # a shift by its id or a word for it (夜班)
    dorm_names: Names  # housing: a dormitory zone, or 'commuter' (走读)


def plant_index(session: Session, scope: EnterpriseScope) -> PlantIndex:
    enterprise_id = scope.enterprise_id
    zones: dict[str, str] = {}
    zone_names: dict[str, tuple[str | None, ...]] = {}
    for zid, kind, name, name_zh in session.execute(
        select(pm.Zone.id, pm.Zone.kind, pm.Zone.name, pm.Zone.name_zh)
        .where(pm.Zone.enterprise_id == enterprise_id)
        .order_by(pm.Zone.position)
    ):
        zones[zid] = kind
        zone_names[zid] = (name, name_zh)
    shifts = list(
        session.scalars(
            select(pm.Shift.id)
            .where(pm.Shift.enterprise_id == enterprise_id)
            .order_by(pm.Shift.position)
        )
    )
    teams = {
        t.id: t
        for t in session.scalars(select(pm.Team).where(pm.Team.enterprise_id == enterprise_id))
    }
    dorms = {z: w for z, w in zone_names.items() if zones[z] == "dormitory"}
    return PlantIndex(
        zones,
        frozenset(shifts),
        teams,
        Names({t.id: (t.name, t.name_zh) for t in teams.values()}),
        Names(zone_names),
        Names({sid: SHIFT_WORDS.get(sid, ()) for sid in shifts}),
        Names({COMMUTER: COMMUTER_WORDS, **dorms}),
    )


def check_row(
    raw: Mapping[str, Any], plant: PlantIndex
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A roster row (file columns, text) as table values, and its problems (field, message)."""
    problems: list[tuple[str, str]] = []

    def text(name: str) -> str:
        v = raw.get(name)
        return "" if v is None else str(v).strip()

    no = text("employee_no")
    if not no:
        problems.append(("employee_no", msg("required")))
    elif not _EMPLOYEE_NO.match(no):
        problems.append(
            (
                "employee_no",
                msg("%(no)s: letters, digits, '.', '_' or '-', at most 32", no=quote(no)),
            )
        )
    name = text("name")
    if not name:
        problems.append(("name", msg("required")))
    elif len(name) > 100:
        problems.append(("name", msg("at most 100 characters")))
    phone = text("phone").replace(" ", "").replace("-", "").removeprefix("+86")
    if phone and not _PHONE.match(phone):
        problems.append(
            (
                "phone",
                msg(
                    "%(phone)s is not a mainland mobile number (11 digits, 1…)",
                    phone=quote(text("phone")),
                ),
            )
        )
    id_number = text("id_number").upper()
    if id_number and (why := idnumber.problem(id_number)):
        problems.append(("id_number", why))

    team_id = text("team")
    team_id = (plant.team_names.get(team_id) or team_id) if team_id else ""
    team = plant.teams.get(team_id)
    if not team_id:
        problems.append(("team", msg("required")))
    elif team is None:
        problems.append(
            (
                "team",
                msg(
                    "unknown team %(team)s %(known)s",
                    team=quote(team_id),
                    known=known(sorted(plant.teams)),
                ),
            )
        )
    zone = text("zone")
    zone = (plant.zone_names.get(zone) or zone) if zone else (team.zone_id if team else "")
    shift = text("shift")
    shift = (plant.shift_names.get(shift) or shift) if shift else (team.shift_id if team else "")
    if zone and zone not in plant.zones:
        problems.append(
            (
                "zone",
                msg(
                    "unknown zone %(zone)s %(known)s",
                    zone=quote(zone),
                    known=known(plant.zone_names.ids),
                ),
            )
        )
    elif team is not None and zone != team.zone_id:
        problems.append(
            (
                "zone",
                msg(
                    "team %(team)s works in zone %(its)s, not %(zone)s",
                    team=quote(team_id),
                    its=quote(team.zone_id),
                    zone=quote(zone),
                ),
            )
        )
    if shift and shift not in plant.shifts:
        problems.append(
            (
                "shift",
                msg(
                    "unknown shift %(shift)s %(known)s",
                    shift=quote(shift),
                    known=known(plant.shift_names.ids),
                ),
            )
        )
    elif team is not None and shift != team.shift_id:
        problems.append(
            (
                "shift",
                msg(
                    "team %(team)s works the %(its)s shift, not %(shift)s",
                    team=quote(team_id),
                    its=quote(team.shift_id),
                    shift=quote(shift),
                ),
            )
        )

    skills_raw = raw.get("skills")
    if isinstance(skills_raw, list):
        skills = [str(s).strip() for s in skills_raw if str(s).strip()]
    else:
        skills = [s.strip() for s in _LIST_SPLIT.split(text("skills")) if s.strip()]
    if not skills and team is not None:
        skills = list(team.skills)
    bad = [s for s in skills if not _SKILL.match(s)]
    if bad:
        listed = ", ".join(f"'{s}'" for s in bad)
        problems.append(
            ("skills", msg("%(listed)s: not skill ids (lower-case slugs)", listed=listed))
        )
    housing = text("housing")
    housing = (plant.dorm_names.get(housing) or housing) if housing else ""
    housing = housing or (team.housing if team else COMMUTER)
    if housing != COMMUTER and plant.zones.get(housing) != "dormitory":
        problems.append(
            (
                "housing",
                msg(
                    "%(housing)s is neither 'commuter' nor a dormitory zone %(known)s",
                    housing=quote(housing),
                    known=known(plant.dorm_names.ids),
                ),
            )
        )
    left_on, why = _day(raw.get("left_on"))
    if why:
        problems.append(("left_on", why))
    # A day left implies the status; 'left' without a day means from today.
    given = text("employment_status")
    if given:
        found = EmploymentStatus.from_text(given)
    else:
        found = EmploymentStatus.left if left_on else EmploymentStatus.active
    status = found.value if found else given
    if found is None:
        problems.append(
            (
                "employment_status",
                msg(
                    "%(given)s is not one of %(allowed)s",
                    given=quote(given),
                    allowed=EmploymentStatus.described(),
                ),
            )
        )
    elif found is EmploymentStatus.left:
        left_on = left_on or clock.today()
    elif left_on is not None:
        problems.append(
            (
                "left_on",
                msg("a day left for a worker who is %(status)s, not 'left'", status=quote(status)),
            )
        )
    values = dict(
        employee_no=no,
        name=name,
        phone=phone or None,
        id_number=id_number or None,
        zone_id=zone,
        shift_id=shift,
        team_id=team_id,
        skills=skills,
        housing=housing,
        employment_status=status,
        left_on=left_on,
    )
    return values, problems


def _day(v: Any) -> tuple[dt.date | None, str | None]:
    """A day from a file cell or JSON: a date, or text in any form ``clock.parse_date``
    takes (the one date parser of files and options)."""
    if v is None or v == "":
        return None, None
    if isinstance(v, dt.datetime):
        return v.date(), None
    if isinstance(v, dt.date):
        return v, None
    try:
        return clock.parse_date(str(v)), None
    except ValueError as exc:
        return None, str(exc)


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in WORKER_FIELDS}


def worker_values(w: Worker) -> dict[str, Any]:
    return {"employee_no": w.employee_no, **{k: getattr(w, k) for k in WORKER_FIELDS}}


def _raise_row(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise RowsError("request", [RowProblem(0, f, msg) for f, msg in problems])


def get_worker(session: Session, scope: EnterpriseScope, employee_no: str) -> Worker:
    w = session.get(Worker, (scope.enterprise_id, employee_no))
    if w is None:
        raise NotFound(msg("no worker %(no)s", no=quote(employee_no)), field="employee_no")
    return w


def create_worker(session: Session, scope: EnterpriseScope, body: WorkerIn) -> Worker:
    """Add one worker; zone, shift, skills and housing default to the team's."""
    values, problems = check_row(body.model_dump(mode="json"), plant_index(session, scope))
    _raise_row(problems)
    if session.get(Worker, (scope.enterprise_id, values["employee_no"])) is not None:
        raise InputError([f"employee_no: worker '{values['employee_no']}' already exists"])
    w = Worker(enterprise_id=scope.enterprise_id, updated_at=dt.datetime.now(dt.UTC), **values)
    session.add(w)
    audit.log(session, scope, "insert", "workers", w.employee_no, after=values)
    session.flush()
    return w


def update_worker(
    session: Session, scope: EnterpriseScope, employee_no: str, body: WorkerUpdate
) -> Worker:
    """Change the fields ``body`` sets; the others stay as they are."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    w = get_worker(session, scope, employee_no)
    before = worker_values(w)
    raw: dict[str, Any] = {
        "employee_no": w.employee_no,
        "name": w.name,
        "phone": w.phone,
        "id_number": w.id_number,
        "team": w.team_id,
        "skills": w.skills,
        "housing": w.housing,
        "employment_status": w.employment_status,
        "left_on": w.left_on,
    }
    if "team" not in changes:  # a new team brings its own zone and shift by default
        raw.update(zone=w.zone_id, shift=w.shift_id)
    raw.update({k: v for k, v in changes.items()})
    if (
        changes.get("employment_status") not in (None, EmploymentStatus.left.value)
        and "left_on" not in changes
    ):
        raw["left_on"] = None  # back at work: no longer left
    values, problems = check_row(raw, plant_index(session, scope))
    _raise_row(problems)
    if _fields(values) != _fields(before):
        for k in WORKER_FIELDS:
            setattr(w, k, values[k])
        w.updated_at = dt.datetime.now(dt.UTC)
        audit.log(session, scope, "update", "workers", employee_no, before=before, after=values)
    session.flush()
    return w


def mark_left(session: Session, scope: EnterpriseScope, employee_no: str, body: LeaveIn) -> Worker:
    """The worker leaves from ``body.left_on`` (default today): status 'left', off the
    roster, availability and screening from that day, their records kept."""
    left_on = body.left_on or clock.today()
    return update_worker(
        session,
        scope,
        employee_no,
        WorkerUpdate(employment_status=EmploymentStatus.left, left_on=left_on),
    )


@dataclass
class ImportReport(WriteCounts):
    """The roster rows' counts, and the rows refused with why."""

    rejected: list[RowProblem] = field(default_factory=list)


Progress = Callable[[int, int], None]
CHECK_EVERY = 500


def import_roster(
    session: Session,
    scope: EnterpriseScope,
    table: Table,
    *,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
    checked: Progress | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Insert new workers and update changed ones, keyed by employee number.

    Every row is checked first. With any bad row nothing is written (``RowsError``
    lists them all) unless ``valid_rows_only``, which writes the good rows and returns
    the bad. Workers missing from the file stay as they are. ``checked(rows checked,
    rows in all)`` reports the check (every ``CHECK_EVERY`` rows, and at its end, before
    anything is written); ``progress(rows written, rows to write)`` the writes;
    ``dry_run`` returns the report as the import would make it and writes nothing.
    """
    table = canonical(table, HEADERS)
    require_columns(table, REQUIRED)
    unknown = [c for c in table.columns if c not in COLUMNS]
    if unknown:
        raise RowsError(
            table.filename,
            [
                RowProblem(
                    1,
                    c,
                    msg(
                        "unknown column %(column)s (columns: %(columns)s; their Chinese names "
                        "are in docs/import-files.md)",
                        column=quote(c),
                        columns=", ".join(COLUMNS),
                    ),
                )
                for c in unknown
            ],
        )
    enterprise_id = scope.enterprise_id
    plant = plant_index(session, scope)
    if not plant.teams:
        raise NotFound(f"enterprise '{enterprise_id}' has no plant model with teams")
    report = ImportReport(rows=len(table.rows))
    good: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for i, (rownum, raw) in enumerate(table.rows):
        if checked and i % CHECK_EVERY == 0:
            checked(i, len(table.rows))
        values, problems = check_row(raw, plant)
        no = values["employee_no"]
        if no and no in first_row:
            problems.append(
                (
                    "employee_no",
                    msg("%(no)s is also on row %(row)s", no=quote(no), row=first_row[no]),
                )
            )
        elif no:
            first_row[no] = rownum
        if problems:
            report.rejected.extend(RowProblem(rownum, f, msg) for f, msg in problems)
        else:
            good.append(values)
    if report.rejected and not valid_rows_only:
        raise RowsError(table.filename, report.rejected)
    if checked:
        checked(len(table.rows), len(table.rows))

    existing = {
        w.employee_no: worker_values(w)
        for w in session.scalars(select(Worker).where(Worker.enterprise_id == enterprise_id))
    }
    now = dt.datetime.now(dt.UTC)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[audit.Change] = []
    has_left_on = "left_on" in table.columns
    has_status = "employment_status" in table.columns
    for values in good:
        old = existing.get(values["employee_no"])
        if not has_status and not has_left_on and old is not None:
            # a roster without the status columns says nothing about who has left or is on
            # leave: the record keeps what it knows (a leaver is not brought back as active)
            values["employment_status"] = old["employment_status"]
            values["left_on"] = old["left_on"]
        if (
            not has_left_on
            and old is not None
            and old["left_on"] is not None
            and values["employment_status"] == EmploymentStatus.left.value
        ):
            values["left_on"] = old["left_on"]  # a file without the column keeps the day
        row = {"enterprise_id": enterprise_id, "updated_at": now, **values}
        if old is None:
            inserts.append(row)
            changes.append(audit.Change("insert", values["employee_no"], None, values))
        elif _fields(old) != _fields(values):
            updates.append(row)
            changes.append(audit.Change("update", values["employee_no"], old, values))
        else:
            report.unchanged += 1
    report.inserted, report.updated = len(inserts), len(updates)
    if dry_run:
        return report
    total = len(inserts) + len(updates)
    done = 0
    for batch, stmt in ((inserts, insert(Worker)), (updates, update(Worker))):
        for i in range(0, len(batch), CHUNK):
            chunk = batch[i : i + CHUNK]
            session.execute(stmt, chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    for i in range(0, len(changes), CHUNK):
        audit.record_many(
            session,
            enterprise_id=enterprise_id,
            actor=scope.actor,
            table="workers",
            changes=changes[i : i + CHUNK],
        )
    session.flush()
    db.analyze_after_bulk(session, total, "workers")
    return report


def summary(session: Session, scope: EnterpriseScope) -> dict[str, Any]:
    """Planned (plant model) against rostered headcount, per team."""
    enterprise_id = scope.enterprise_id
    counts: dict[tuple[str, str], int] = {}
    # Someone marked as left from a later day still counts as active today.
    status_today = case(
        (employed_on(clock.today()), EmploymentStatus.active.value),
        else_=Worker.employment_status,
    )
    for team, status, n in session.execute(
        select(Worker.team_id, status_today, func.count())
        .where(Worker.enterprise_id == enterprise_id)
        .group_by(Worker.team_id, status_today)
    ):
        counts[(team, status)] = n
    # Driven from the (few) uncleared clearances, each looking up its worker's team: a
    # join lets the planner walk all the workers and probe clearances for each instead.
    team_of = (
        select(Worker.team_id)
        .where(
            Worker.enterprise_id == Clearance.enterprise_id,
            Worker.employee_no == Clearance.employee_no,
        )
        .scalar_subquery()
    )
    uncleared = (
        select(team_of.label("team"))
        .where(Clearance.enterprise_id == enterprise_id, Clearance.cleared.is_(False))
        .subquery()
    )
    not_cleared = {
        team: n
        for team, n in session.execute(
            select(uncleared.c.team, func.count()).group_by(uncleared.c.team)
        )
    }
    teams: list[pm.Team] = in_file_order(session, pm.Team, enterprise_id)
    rows: list[dict[str, Any]] = []
    known = set()
    for t in teams:
        known.add(t.id)
        rostered = counts.get((t.id, EmploymentStatus.active.value), 0)
        rows.append(
            dict(
                team=t.id,
                zone=t.zone_id,
                shift=t.shift_id,
                planned=t.headcount,
                rostered=rostered,
                on_leave=counts.get((t.id, EmploymentStatus.on_leave.value), 0),
                difference=rostered - t.headcount,
                not_cleared=not_cleared.get(t.id, 0),
            )
        )
    # Workers of a team the plant model no longer has still count, against a plan of 0.
    for team in sorted({t for t, _ in counts} - known):
        rostered = counts.get((team, EmploymentStatus.active.value), 0)
        rows.append(
            dict(
                team=team,
                zone="",
                shift="",
                planned=0,
                rostered=rostered,
                on_leave=counts.get((team, EmploymentStatus.on_leave.value), 0),
                difference=rostered,
                not_cleared=not_cleared.get(team, 0),
            )
        )
    return dict(
        planned=sum(r["planned"] for r in rows),
        rostered=sum(r["rostered"] for r in rows),
        teams=rows,
    )


def roster_columns() -> Sequence[str]:
    return COLUMNS
