"""Screening rounds: plan them (pools by team), list who to sample where, record the
collection, import the lab's results (CSV/Excel or RDML), interpret them by the round's
kit rule, and act on them (a positive pool isolates its members and asks for
individual retests; a confirmed positive becomes a case). Functions take a session and
the caller's enterprise; every write is audited; the caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.containment import cases as containment_cases
from keepline.containment import restrictions as containment_restrictions
from keepline.containment.models import Reason, RestrictionKind
from keepline.containment.schemas import CaseIn, RestrictionIn
from keepline.errors import InputError, NotFound
from keepline.people.models import EmploymentStatus, Worker
from keepline.plant import models as pm
from keepline.scope import EnterpriseScope
from keepline.screening import pools as pooling
from keepline.screening.assay import AssayRule, Verdict, interpret
from keepline.screening.models import (
    Measurement,
    ResultsImport,
    Round,
    Sample,
    SampleKind,
    SampleMember,
    TestType,
)
from keepline.screening.rdml import read_rdml
from keepline.tabular import read_table, require_columns

CHUNK = 2000
# A pool-positive member is isolated until one negative individual test.
POOL_POSITIVE_END_RULE = "negative-tests:1"
PREFIX = {
    SampleKind.pool: "P",
    SampleKind.single: "S",
    SampleKind.retest: "T",
    SampleKind.resample: "N",
}
# Plate controls in RDML files are the lab's, not samples of ours.
CONTROL_SAMPLE_TYPES = {"ntc", "nac", "ntp", "nrt", "pos", "ptc", "std", "opt"}
NOT_DETECTED = {"", "-", "n/a", "na", "nd", "undetermined", "undet", "no ct", "no cq", "none"}


def round_values(r: Round) -> dict[str, Any]:
    return dict(
        day=r.day,
        test_type=r.test_type,
        pool_size=r.pool_size,
        zones=r.zones,
        shifts=r.shifts,
        kit=r.assay.get("kit", "default"),
    )


def get_round(session: Session, eid: str, round_id: int) -> Round:
    r = session.get(Round, round_id)
    if r is None or r.enterprise_id != eid:
        raise NotFound(f"screening round {round_id} not found")
    return r


def list_rounds(session: Session, eid: str) -> list[Round]:
    return list(
        session.scalars(
            select(Round).where(Round.enterprise_id == eid).order_by(Round.day.desc(), Round.id)
        )
    )


def _next_numbers(session: Session, eid: str, round_id: int, prefix: str) -> int:
    """How many samples of this kind the round has, to number the next ones."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Sample)
            .where(
                Sample.enterprise_id == eid,
                Sample.round_id == round_id,
                Sample.id.like(f"R{round_id}-{prefix}%"),
            )
        )
        or 0
    )


def _add_samples(
    session: Session,
    eid: str,
    actor: str,
    rnd: Round,
    kind: SampleKind,
    groups: Sequence[tuple[str | None, str, Sequence[str]]],
    *,
    parents: Sequence[str | None] | None = None,
) -> list[str]:
    """Create samples (``(id or None, collection point, members)``); ids are
    ``R<round>-<P|S|T|N><number>`` unless given."""
    prefix = PREFIX[kind]
    n0 = _next_numbers(session, eid, rnd.id, prefix)
    samples, members, changes, ids = [], [], [], []
    for i, (given, point, keys) in enumerate(groups):
        sid = given or f"R{rnd.id}-{prefix}{n0 + i + 1:05d}"
        parent = parents[i] if parents else None
        ids.append(sid)
        samples.append(
            dict(
                enterprise_id=eid,
                id=sid,
                round_id=rnd.id,
                kind=kind.value,
                parent_id=parent,
                collection_point=point,
            )
        )
        members += [
            dict(enterprise_id=eid, sample_id=sid, employee_no=k, position=p, absent=False)
            for p, k in enumerate(keys, start=1)
        ]
        changes.append(
            audit.Change(
                "insert",
                sid,
                None,
                dict(round_id=rnd.id, kind=kind.value, parent_id=parent, members=list(keys)),
            )
        )
    for i in range(0, len(samples), CHUNK):
        session.execute(insert(Sample), samples[i : i + CHUNK])
        audit.record_many(
            session,
            enterprise_id=eid,
            actor=actor,
            table="screening_samples",
            changes=changes[i : i + CHUNK],
        )
    for i in range(0, len(members), CHUNK):
        session.execute(insert(SampleMember), members[i : i + CHUNK])
    return ids


def plan_round(
    session: Session,
    eid: str,
    actor: str,
    *,
    day: dt.date,
    zones: Sequence[str],
    shifts: Sequence[str] | None = None,
    pool_size: int = 1,
    test_type: TestType | str = TestType.pcr,
    assay: dict[str, Any] | None = None,
    pools: Sequence[tuple[str, Sequence[str]]] | None = None,
) -> Round:
    """Plan a round for the active workers of ``zones`` × ``shifts`` (all shifts when
    None). Pools are formed by team (:func:`keepline.screening.pools.form_pools`)
    unless ``pools`` gives them (``(pool id, employee numbers)``, e.g. from the lab);
    given pools must not share a member and must hold only workers of the round."""
    test_type = TestType(test_type)
    pooling.check_pool_size(pool_size)
    if test_type is TestType.antigen and pool_size != 1:
        raise InputError(["pool_size: antigen tests are individual; use pool size 1"])
    rule = AssayRule.from_dict(assay)
    plant_zones = set(session.scalars(select(pm.Zone.id).where(pm.Zone.enterprise_id == eid)))
    plant_shifts = set(session.scalars(select(pm.Shift.id).where(pm.Shift.enterprise_id == eid)))
    if not plant_zones:
        raise NotFound(f"enterprise '{eid}' has no plant model")
    if not zones:
        raise InputError(["zones: name at least one zone"])
    for z in zones:
        if z not in plant_zones:
            raise InputError(
                [f"zones: unknown zone '{z}' (known: {', '.join(sorted(plant_zones))})"]
            )
    shifts = list(shifts) if shifts else sorted(plant_shifts)
    for s in shifts:
        if s not in plant_shifts:
            raise InputError(
                [f"shifts: unknown shift '{s}' (known: {', '.join(sorted(plant_shifts))})"]
            )
    workers = list(
        session.execute(
            select(Worker.employee_no, Worker.team_id, Worker.zone_id).where(
                Worker.enterprise_id == eid,
                Worker.zone_id.in_(list(zones)),
                Worker.shift_id.in_(shifts),
                Worker.employment_status == EmploymentStatus.active.value,
            )
        )
    )
    if not workers:
        raise InputError(["zones: no active worker on the roster in these zones and shifts"])
    kind = SampleKind.single if pool_size == 1 else SampleKind.pool
    if pools is not None:
        pooling.check_memberships(pools)
        zone_of = {w[0]: w[2] for w in workers}
        groups: list[tuple[str | None, str, Sequence[str]]] = []
        for n, (pid, keys) in enumerate(pools, start=1):
            outside = [k for k in keys if k not in zone_of]
            if outside:
                raise InputError(
                    [f"pool {n} ('{pid}'), member {outside[0]}: not a worker of this round"]
                )
            if len(keys) > pool_size:
                raise InputError(
                    [f"pool {n} ('{pid}'): {len(keys)} members, more than pool size {pool_size}"]
                )
            groups.append((pid, zone_of[keys[0]], list(keys)))
        taken = session.scalars(
            select(Sample.id).where(
                Sample.enterprise_id == eid, Sample.id.in_([g[0] for g in groups])
            )
        ).first()
        if taken:
            raise InputError([f"pool '{taken}': this sample id is already used"])
    else:
        formed = pooling.form_pools(
            [pooling.Member(no, team, zone) for no, team, zone in workers], pool_size
        )
        groups = [(None, p[0].collection_point, [m.key for m in p]) for p in formed]
    rnd = Round(
        enterprise_id=eid,
        day=day,
        test_type=test_type.value,
        pool_size=pool_size,
        zones=list(zones),
        shifts=shifts,
        assay=rule.to_dict(),
        created_by=actor,
        created_at=dt.datetime.now(dt.UTC),
    )
    audit.add_row(
        session,
        rnd,
        enterprise_id=eid,
        actor=actor,
        table="screening_rounds",
        values=round_values,
    )
    _add_samples(session, eid, actor, rnd, kind, groups)
    return rnd


# -- sampling lists and collection -----------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    collection_point: str
    sample_id: str
    kind: str
    position: int
    employee_no: str
    name: str
    team: str
    shift: str


def sampling_list(
    session: Session, eid: str, round_id: int, collection_point: str | None = None
) -> list[ListRow]:
    """Who gives a swab into which tube, per collection point, in tube order. Samples
    already resulted are left out (a retest list shows only what is still to take)."""
    get_round(session, eid, round_id)
    q = (
        select(Sample, SampleMember, Worker)
        .join(
            SampleMember,
            (SampleMember.enterprise_id == Sample.enterprise_id)
            & (SampleMember.sample_id == Sample.id),
        )
        .join(
            Worker,
            (Worker.enterprise_id == SampleMember.enterprise_id)
            & (Worker.employee_no == SampleMember.employee_no),
        )
        .where(Sample.enterprise_id == eid, Sample.round_id == round_id, Sample.verdict.is_(None))
        .order_by(Sample.collection_point, Sample.id, SampleMember.position)
    )
    if collection_point:
        q = q.where(Sample.collection_point == collection_point)
    return [
        ListRow(
            s.collection_point,
            s.id,
            s.kind,
            m.position,
            w.employee_no,
            w.name,
            w.team_id,
            w.shift_id,
        )
        for s, m, w in session.execute(q)
    ]


LIST_COLUMNS = (
    "collection_point",
    "sample_id",
    "kind",
    "position",
    "employee_no",
    "name",
    "team",
    "shift",
)


def sampling_list_csv(rows: Sequence[ListRow]) -> str:
    from keepline.tabular import write_csv

    return write_csv(LIST_COLUMNS, [r.__dict__ for r in rows])


_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>Sampling list · round {{ rnd.id }} · {{ rnd.day }}</title>
<style>
body { font: 11pt sans-serif; margin: 1.5cm; }
h1 { font-size: 14pt; } h2 { font-size: 12pt; page-break-before: always; }
h2:first-of-type { page-break-before: avoid; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; }
td.tick { width: 2.5cm; }
tr.first td { border-top: 2px solid #000; }
</style></head><body>
<h1>Sampling list 采样清单 — {{ enterprise }} · round {{ rnd.id }} · {{ rnd.day }} ·
{{ rnd.test_type|upper }}{% if rnd.pool_size > 1 %} · {{ rnd.pool_size }}-in-1 pools{% endif %}</h1>
{% for point, items in groups %}
<h2>Collection point 采样点: {{ point }} ({{ items|length }} people)</h2>
<table><thead><tr><th>Tube 管号</th><th>#</th><th>Employee no. 工号</th><th>Name 姓名</th>
<th>Team 班组</th><th>Shift 班次</th><th class="tick">Sampled 已采</th></tr></thead><tbody>
{% for r in items %}<tr{% if r.position == 1 %} class="first"{% endif %}><td>{{ r.sample_id }}</td>
<td>{{ r.position }}</td><td>{{ r.employee_no }}</td><td>{{ r.name }}</td><td>{{ r.team }}</td>
<td>{{ r.shift }}</td><td class="tick"></td></tr>
{% endfor %}</tbody></table>
{% endfor %}
</body></html>
"""


def sampling_list_html(rnd: Round, enterprise: str, rows: Sequence[ListRow]) -> str:
    from itertools import groupby

    from jinja2 import Environment

    env = Environment(autoescape=True)
    groups = [(k, list(g)) for k, g in groupby(rows, key=lambda r: r.collection_point)]
    return env.from_string(_HTML).render(rnd=rnd, enterprise=enterprise, groups=groups)


def get_sample(session: Session, eid: str, sample_id: str) -> Sample:
    s = session.get(Sample, (eid, sample_id))
    if s is None:
        raise NotFound(f"sample '{sample_id}' not found")
    return s


def record_collection(
    session: Session,
    eid: str,
    actor: str,
    sample_id: str,
    *,
    absent: Sequence[str] = (),
    at: dt.datetime | None = None,
) -> Sample:
    """Mark a tube collected; ``absent`` lists members who gave no swab (they count as
    missed in the round's coverage)."""
    s = get_sample(session, eid, sample_id)
    members = {
        m.employee_no: m
        for m in session.scalars(
            select(SampleMember).where(
                SampleMember.enterprise_id == eid, SampleMember.sample_id == sample_id
            )
        )
    }
    for no in absent:
        if no not in members:
            raise InputError([f"absent: {no} is not in sample '{sample_id}'"])
    if len(set(absent)) == len(members):
        raise InputError(["absent: everyone is absent; leave the tube uncollected instead"])
    before = dict(
        collected_at=s.collected_at, absent=sorted(k for k, m in members.items() if m.absent)
    )
    s.collected_at = at or dt.datetime.now(dt.UTC)
    for no, m in members.items():
        m.absent = no in set(absent)
    audit.record(
        session,
        enterprise_id=eid,
        actor=actor,
        action="update",
        table="screening_samples",
        key=sample_id,
        before=before,
        after=dict(collected_at=s.collected_at, absent=sorted(absent)),
    )
    return s


@dataclass
class Coverage:
    zone: str
    shift: str
    expected: int = 0
    sampled: int = 0
    resulted: int = 0
    missed: int = 0
    missed_workers: list[dict[str, str]] = field(default_factory=list)


def coverage(session: Session, eid: str, round_id: int) -> list[Coverage]:
    """Per zone and shift: the round's people (expected), those swabbed (sampled: in a
    collected or resulted tube and not absent), those with a result, and the missed."""
    get_round(session, eid, round_id)
    rows = session.execute(
        select(
            Worker.zone_id,
            Worker.shift_id,
            Worker.employee_no,
            Worker.name,
            Sample.collected_at,
            Sample.verdict,
            SampleMember.absent,
        )
        .join(
            SampleMember,
            (SampleMember.enterprise_id == Sample.enterprise_id)
            & (SampleMember.sample_id == Sample.id),
        )
        .join(
            Worker,
            (Worker.enterprise_id == SampleMember.enterprise_id)
            & (Worker.employee_no == SampleMember.employee_no),
        )
        .where(Sample.enterprise_id == eid, Sample.round_id == round_id)
    ).all()
    # The first sample taken of each person decides sampled/missed; any result counts.
    people: dict[str, dict[str, Any]] = {}
    for zone, shift, no, name, collected, verdict, absent in rows:
        p = people.setdefault(
            no, dict(zone=zone, shift=shift, name=name, sampled=False, resulted=False)
        )
        took = not absent and (collected is not None or verdict is not None)
        p["sampled"] |= took
        p["resulted"] |= took and verdict is not None
    out: dict[tuple[str, str], Coverage] = {}
    for no in sorted(people):
        p = people[no]
        c = out.setdefault((p["zone"], p["shift"]), Coverage(p["zone"], p["shift"]))
        c.expected += 1
        c.sampled += p["sampled"]
        c.resulted += p["resulted"]
        if not p["sampled"]:
            c.missed += 1
            c.missed_workers.append(dict(employee_no=no, name=p["name"]))
    return [out[k] for k in sorted(out)]


# -- results import --------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One target's Ct for one sample, and where in the file it came from."""

    place: str  # "row 7" or "line 812, run 'x' well A1 target 'N'"
    sample_id: str
    target: str
    ct: float | None


@dataclass
class ImportReport:
    filename: str
    format: str
    already_imported: bool = False
    readings: int = 0
    samples: int = 0
    unchanged: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    isolated: int = 0
    retests: int = 0
    resamples: int = 0
    cases: int = 0
    cleared: int = 0
    skipped_controls: int = 0


def is_rdml(filename: str, data: bytes) -> bool:
    if filename.lower().endswith(".rdml"):
        return True
    if data[:2] == b"PK":
        import io
        import zipfile

        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return False
        return not any(n.startswith("xl/") for n in names)
    head = data[:512].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rdml")


def _parse_ct(text: str, place: str) -> float | None:
    t = text.strip()
    if t.lower() in NOT_DETECTED:
        return None
    try:
        return float(t)
    except ValueError:
        raise InputError([f"{place}, field ct: not a number: {t!r}"]) from None


def read_readings(filename: str, data: bytes) -> tuple[str, list[Reading], int]:
    """The file's readings, its format ('rdml' or 'table') and how many plate-control
    reactions were skipped."""
    if is_rdml(filename, data):
        doc = read_rdml(filename, data)
        out, controls = [], 0
        for r in doc.reactions:
            if r.sample_type in CONTROL_SAMPLE_TYPES:
                controls += 1
                continue
            out.append(Reading(f"{filename} line {r.line}, {r.place}", r.sample, r.target, r.cq))
        return "rdml", out, controls
    table = read_table(filename, data)
    cols = set(table.columns)
    sample_col = next((c for c in ("sample_id", "sample", "pool_id") if c in cols), "sample_id")
    ct_col = next((c for c in ("ct", "cq") if c in cols), "ct")
    require_columns(table, (sample_col, "target", ct_col))
    out = []
    for row, r in table.rows:
        place = f"{filename} row {row}"
        out.append(Reading(place, r[sample_col].strip(), r["target"], _parse_ct(r[ct_col], place)))
    return "table", out, 0


def import_results(
    session: Session,
    eid: str,
    actor: str,
    filename: str,
    data: bytes,
    *,
    today: dt.date | None = None,
) -> ImportReport:
    """Import a lab file, interpret each sample and act on it; all or nothing.

    The same file twice changes nothing (its SHA-256 is kept). A sample that already
    has a result keeps it when the file agrees and is an error when it does not (a
    repeat test is a retest sample with its own id).
    """
    today = today or clock.today()
    digest = hashlib.sha256(data).hexdigest()
    fmt, readings, controls = read_readings(filename, data)
    report = ImportReport(filename, fmt, skipped_controls=controls, readings=len(readings))
    if session.scalar(
        select(ResultsImport.id).where(
            ResultsImport.enterprise_id == eid, ResultsImport.sha256 == digest
        )
    ):
        report.already_imported = True
        return report
    if not readings:
        raise InputError([f"{filename}: no results in the file"])
    ids = sorted({r.sample_id for r in readings})
    samples: dict[str, Sample] = {}
    for i in range(0, len(ids), 1000):
        for s in session.scalars(
            select(Sample).where(Sample.enterprise_id == eid, Sample.id.in_(ids[i : i + 1000]))
        ):
            samples[s.id] = s
    rounds = {
        r.id: r
        for r in session.scalars(
            select(Round).where(Round.id.in_({s.round_id for s in samples.values()}))
        )
    }
    rules = {rid: AssayRule.from_dict(r.assay) for rid, r in rounds.items()}
    by_sample: dict[str, dict[str, tuple[float | None, str]]] = defaultdict(dict)
    for r in readings:
        s = samples.get(r.sample_id)
        if s is None:
            raise InputError([f"{r.place}: unknown sample '{r.sample_id}'"])
        rule = rules[s.round_id]
        target = rule.canonical(r.target)
        if target is None:
            raise InputError(
                [
                    f"{r.place}: target '{r.target}' unknown to kit '{rule.kit}' "
                    f"(known: {', '.join(rule.all_targets)})"
                ]
            )
        ct = rule.check_ct(r.ct, r.place)
        if target in by_sample[s.id]:
            raise InputError(
                [
                    f"{r.place}: duplicated result for sample '{s.id}' target {target} "
                    f"(first at {by_sample[s.id][target][1]})"
                ]
            )
        by_sample[s.id][target] = (ct, r.place)
    verdicts = {}
    for sid, found in by_sample.items():
        rule = rules[samples[sid].round_id]
        cts = {t: v[0] for t, v in found.items()}
        try:
            verdicts[sid] = interpret(rule, cts)
        except InputError as exc:
            first = min((v[1] for v in found.values()), key=len)
            raise InputError([f"{first}: sample '{sid}': {exc.message}"]) from None
    fresh = {}
    for sid, v in verdicts.items():
        s = samples[sid]
        if s.verdict is None:
            fresh[sid] = v
        elif s.cts == v.cts:
            report.unchanged += 1
        else:
            raise InputError(
                [
                    f"{next(iter(by_sample[sid].values()))[1]}: sample '{sid}' already has a "
                    f"result ({s.verdict}) that differs; a repeat test needs a retest sample"
                ]
            )
    imp = ResultsImport(
        enterprise_id=eid,
        sha256=digest,
        filename=filename[:255],
        format=fmt,
        samples=len(fresh),
        imported_by=actor,
        imported_at=dt.datetime.now(dt.UTC),
    )
    audit.add_row(
        session,
        imp,
        enterprise_id=eid,
        actor=actor,
        table="screening_imports",
        values=lambda _r: dict(filename=filename, sha256=digest, format=fmt, samples=len(fresh)),
    )
    if not fresh:
        return report
    now = dt.datetime.now(dt.UTC)
    meas = [
        dict(
            enterprise_id=eid,
            sample_id=sid,
            target=t,
            ct=ct,
            well=place[-80:],
            import_id=imp.id,
        )
        for sid in fresh
        for t, (ct, place) in by_sample[sid].items()
    ]
    for i in range(0, len(meas), CHUNK):
        session.connection().execute(Measurement.__table__.insert(), meas[i : i + CHUNK])
    # Core executemany (one round trip per batch with psycopg's pipeline); the ORM's
    # bulk UPDATE by primary key issues one statement per row here.
    st = Sample.__table__
    stmt = (
        st.update()
        .where(st.c.enterprise_id == bindparam("b_eid"), st.c.id == bindparam("b_id"))
        .values(
            verdict=bindparam("verdict"),
            reason=bindparam("reason"),
            cts=bindparam("cts"),
            resulted_at=bindparam("resulted_at"),
            import_id=bindparam("import_id"),
        )
    )
    updates = [
        dict(
            b_eid=eid,
            b_id=sid,
            verdict=v.verdict.value,
            reason=v.reason[:200],
            cts=v.cts,
            resulted_at=now,
            import_id=imp.id,
        )
        for sid, v in fresh.items()
    ]
    for i in range(0, len(updates), CHUNK):
        session.connection().execute(stmt, updates[i : i + CHUNK])
    audit.record_many(
        session,
        enterprise_id=eid,
        actor=actor,
        table="screening_samples",
        changes=[
            audit.Change(
                "update",
                sid,
                dict(verdict=None),
                dict(verdict=v.verdict.value, reason=v.reason, cts=v.cts, import_id=imp.id),
            )
            for sid, v in fresh.items()
        ],
        reason=f"results from {filename}",
    )
    report.samples = len(fresh)
    for v in fresh.values():
        report.verdicts[v.verdict.value] = report.verdicts.get(v.verdict.value, 0) + 1
    _act_on_results(
        session, eid, actor, {sid: samples[sid] for sid in fresh}, fresh, rounds, today, report
    )
    return report


def _taken_on(s: Sample, rnd: Round, today: dt.date) -> dt.date:
    """The day a tube was taken: its collection, else the round's day for the round's
    own tubes, else (a retest never marked collected) the day of the result."""
    if s.collected_at is not None:
        return clock.local_day(s.collected_at)
    return rnd.day if s.kind in (SampleKind.single, SampleKind.pool) else today


def _act_on_results(
    session: Session,
    eid: str,
    actor: str,
    samples: dict[str, Sample],
    verdicts: dict[str, Any],
    rounds: dict[int, Round],
    today: dt.date,
    report: ImportReport,
) -> None:
    """Isolate and retest the members of positive pools, resample invalid tubes, open
    cases for individual positives and count individual negatives towards ending
    isolations."""
    members: dict[str, list[str]] = defaultdict(list)
    ids = list(samples)
    for i in range(0, len(ids), 1000):
        for sid, no in session.execute(
            select(SampleMember.sample_id, SampleMember.employee_no)
            .where(
                SampleMember.enterprise_id == eid,
                SampleMember.sample_id.in_(ids[i : i + 1000]),
                SampleMember.absent.is_(False),
            )
            .order_by(SampleMember.sample_id, SampleMember.position)
        ):
            members[sid].append(no)
    retest: dict[int, list[tuple[str, str, list[str]]]] = defaultdict(list)
    resample: dict[int, list[tuple[str, str, list[str]]]] = defaultdict(list)
    negatives: list[tuple[str, dt.date, str]] = []
    for sid, v in verdicts.items():
        s = samples[sid]
        who = members[sid]
        rnd = rounds[s.round_id]
        pooled = len(who) > 1
        if v.verdict is Verdict.resample:
            resample[s.round_id].append((sid, s.collection_point, who))
        elif v.verdict is Verdict.negative:
            if not pooled:
                negatives += [(no, _taken_on(s, rnd, today), sid) for no in who]
            report.cleared += len(who)
        elif pooled:
            # Positive or one-target pool: everyone in it is isolated and retested alone.
            for no in who:
                isolation = RestrictionIn(
                    employee_no=no,
                    kind=RestrictionKind.isolation,
                    reason=Reason.pool_positive,
                    start_day=today,
                    end_rule=POOL_POSITIVE_END_RULE,
                    note=f"pool {sid}: {v.reason}",
                )
                containment_restrictions.add_restriction(
                    session, EnterpriseScope(eid, actor), isolation, sample_id=sid
                )
                report.isolated += 1
                retest[s.round_id].append((sid, s.collection_point, [no]))
        elif v.verdict is Verdict.retest:
            retest[s.round_id].append((sid, s.collection_point, who))
        else:  # an individual positive: a confirmed case
            for no in who:
                case = CaseIn(
                    employee_no=no, confirmed_on=today, sample_day=_taken_on(s, rnd, today)
                )
                containment_cases.open_case(
                    session, EnterpriseScope(eid, actor), case, sample_id=sid
                )
                report.cases += 1
    for rid, items in retest.items():
        _add_samples(
            session,
            eid,
            actor,
            rounds[rid],
            SampleKind.retest,
            [(None, point, who) for _, point, who in items],
            parents=[sid for sid, _, _ in items],
        )
        report.retests += len(items)
    for rid, items in resample.items():
        _add_samples(
            session,
            eid,
            actor,
            rounds[rid],
            SampleKind.resample,
            [(None, point, who) for _, point, who in items],
            parents=[sid for sid, _, _ in items],
        )
        report.resamples += len(items)
    if negatives:
        containment_restrictions.record_negative_tests(
            session, EnterpriseScope(eid, actor), negatives
        )


def sample_results(session: Session, eid: str, round_id: int) -> list[Sample]:
    get_round(session, eid, round_id)
    return list(
        session.scalars(
            select(Sample)
            .where(Sample.enterprise_id == eid, Sample.round_id == round_id)
            .order_by(Sample.id)
        )
    )


def members_of(session: Session, eid: str, sample_id: str) -> list[SampleMember]:
    return list(
        session.scalars(
            select(SampleMember)
            .where(SampleMember.enterprise_id == eid, SampleMember.sample_id == sample_id)
            .order_by(SampleMember.position)
        )
    )
