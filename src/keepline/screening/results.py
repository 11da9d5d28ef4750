"""The results import: read a lab file, check every reading against the round's kit
rule, interpret each tube and store the Ct values and verdicts, audited; all or
nothing (the caller owns the transaction). Acting on the verdicts (isolations, cases,
retests) is :mod:`keepline.screening.positives`.

The same file twice changes nothing (its SHA-256 is kept). A sample that already has a
result keeps it when the file agrees and is an error when it does not (a repeat test is
a retest sample with its own id).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import InputError
from keepline.scope import EnterpriseScope
from keepline.screening.assay import AssayRule, Interpretation, interpret
from keepline.screening.files import Reading, read_readings
from keepline.screening.models import Measurement, ResultsImport, Round, Sample
from keepline.screening.samples import CHUNK

# Per tube, per target of its kit: (Ct or None = not detected, where in the file).
ByTube = dict[str, dict[str, tuple[float | None, str]]]


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


@dataclass
class Resulted:
    """The tubes a file gave a result for the first time: the tubes, their verdicts
    and their rounds."""

    samples: dict[str, Sample] = field(default_factory=dict)
    verdicts: dict[str, Interpretation] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)


def record_results(
    session: Session, scope: EnterpriseScope, filename: str, data: bytes
) -> tuple[ImportReport, Resulted]:
    """Import a lab file: its report, and what it resulted for the first time."""
    digest = hashlib.sha256(data).hexdigest()
    fmt, readings, controls = read_readings(filename, data)
    report = ImportReport(filename, fmt, skipped_controls=controls, readings=len(readings))
    if _already_imported(session, scope, digest):
        report.already_imported = True
        return report, Resulted()
    if not readings:
        raise InputError([f"{filename}: no results in the file"])
    samples = _tubes_read(session, scope, readings)
    rounds = _rounds_of(session, samples.values())
    rules = {rid: AssayRule.from_dict(r.assay) for rid, r in rounds.items()}
    by_tube = check_readings(readings, samples, rules)
    verdicts = interpret_tubes(by_tube, samples, rules)
    fresh = new_verdicts(verdicts, samples, by_tube, report)
    imp = _record_import(session, scope, filename, digest, fmt, len(fresh))
    if not fresh:
        return report, Resulted()
    _store_results(session, scope, imp, fresh, by_tube)
    _audit_results(session, scope, imp, fresh, filename)
    report.samples = len(fresh)
    for v in fresh.values():
        report.verdicts[v.verdict.value] = report.verdicts.get(v.verdict.value, 0) + 1
    return report, Resulted({sid: samples[sid] for sid in fresh}, fresh, rounds)


def _already_imported(session: Session, scope: EnterpriseScope, digest: str) -> bool:
    return bool(
        session.scalar(
            select(ResultsImport.id).where(
                ResultsImport.enterprise_id == scope.enterprise_id, ResultsImport.sha256 == digest
            )
        )
    )


def _tubes_read(
    session: Session, scope: EnterpriseScope, readings: Sequence[Reading]
) -> dict[str, Sample]:
    """The enterprise's tubes the readings name (unknown ids are left out)."""
    ids = sorted({r.sample_id for r in readings})
    samples: dict[str, Sample] = {}
    for i in range(0, len(ids), 1000):
        for s in session.scalars(
            select(Sample).where(
                Sample.enterprise_id == scope.enterprise_id, Sample.id.in_(ids[i : i + 1000])
            )
        ):
            samples[s.id] = s
    return samples


def _rounds_of(session: Session, samples: Iterable[Sample]) -> dict[int, Round]:
    round_ids = {s.round_id for s in samples}
    return {r.id: r for r in session.scalars(select(Round).where(Round.id.in_(round_ids)))}


def check_readings(
    readings: Sequence[Reading], samples: Mapping[str, Sample], rules: Mapping[int, AssayRule]
) -> ByTube:
    """Each tube's Ct per target of its kit; refuses an unknown tube or target, a Ct out
    of range and a target given twice, naming the place in the file (every one of them)."""
    by_tube: ByTube = defaultdict(dict)
    problems: list[str] = []
    for r in readings:
        s = samples.get(r.sample_id)
        if s is None:
            problems.append(f"{r.place}: unknown sample '{r.sample_id}'")
            continue
        rule = rules[s.round_id]
        target = rule.canonical(r.target)
        if target is None:
            problems.append(
                f"{r.place}: target '{r.target}' unknown to kit '{rule.kit}' "
                f"(known: {', '.join(rule.all_targets)})"
            )
            continue
        try:
            ct = rule.check_ct(r.ct, r.place)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if target in by_tube[s.id]:
            problems.append(
                f"{r.place}: duplicated result for sample '{s.id}' target {target} "
                f"(first at {by_tube[s.id][target][1]})"
            )
            continue
        by_tube[s.id][target] = (ct, r.place)
    if problems:
        raise InputError(problems)
    return by_tube


def interpret_tubes(
    by_tube: ByTube, samples: Mapping[str, Sample], rules: Mapping[int, AssayRule]
) -> dict[str, Interpretation]:
    """Each tube's verdict by its round's kit rule (a missing target names the tube)."""
    verdicts = {}
    problems: list[str] = []
    for sid, found in by_tube.items():
        rule = rules[samples[sid].round_id]
        cts = {t: v[0] for t, v in found.items()}
        try:
            verdicts[sid] = interpret(rule, cts)
        except InputError as exc:
            first = min((v[1] for v in found.values()), key=len)
            problems.extend(f"{first}: sample '{sid}': {p}" for p in exc.problems)
    if problems:
        raise InputError(problems)
    return verdicts


def new_verdicts(
    verdicts: Mapping[str, Interpretation],
    samples: Mapping[str, Sample],
    by_tube: ByTube,
    report: ImportReport,
) -> dict[str, Interpretation]:
    """The verdicts of tubes without a result yet; a tube whose result agrees counts as
    unchanged, one whose result differs is refused."""
    fresh = {}
    problems: list[str] = []
    for sid, v in verdicts.items():
        s = samples[sid]
        if s.verdict is None:
            fresh[sid] = v
        elif s.cts == v.cts:
            report.unchanged += 1
        else:
            problems.append(
                f"{next(iter(by_tube[sid].values()))[1]}: sample '{sid}' already has a "
                f"result ({s.verdict}) that differs; a repeat test needs a retest sample"
            )
    if problems:
        raise InputError(problems)
    return fresh


def _record_import(
    session: Session,
    scope: EnterpriseScope,
    filename: str,
    digest: str,
    fmt: str,
    samples: int,
) -> ResultsImport:
    imp = ResultsImport(
        enterprise_id=scope.enterprise_id,
        sha256=digest,
        filename=filename[:255],
        format=fmt,
        samples=samples,
        imported_by=scope.actor,
        imported_at=dt.datetime.now(dt.UTC),
    )
    audit.add(
        session,
        scope,
        imp,
        "screening_imports",
        values=lambda _r: dict(filename=filename, sha256=digest, format=fmt, samples=samples),
    )
    return imp


def _store_results(
    session: Session,
    scope: EnterpriseScope,
    imp: ResultsImport,
    fresh: Mapping[str, Interpretation],
    by_tube: ByTube,
) -> None:
    """Bulk-insert the measurements and set the tubes' verdicts."""
    eid = scope.enterprise_id
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
        for t, (ct, place) in by_tube[sid].items()
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


def _audit_results(
    session: Session,
    scope: EnterpriseScope,
    imp: ResultsImport,
    fresh: Mapping[str, Interpretation],
    filename: str,
) -> None:
    audit.record_many(
        session,
        enterprise_id=scope.enterprise_id,
        actor=scope.actor,
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
