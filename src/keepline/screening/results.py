"""The results import: read a lab file, check every reading against the round's kit
rule, interpret each tube and store the Ct values and verdicts, audited; all or
nothing (the caller owns the transaction). Acting on the verdicts (isolations, cases,
retests) is :mod:`keepline.screening.positives`.

The same file twice changes nothing (its SHA-256 is kept, with the plate map's when one
is given). A sample that already has a result keeps it when the file agrees and is an
error when it does not (a repeat test is a retest sample with its own id).

Wells are linked to tubes by :mod:`keepline.screening.platemap`; several wells of one
tube and target are combined by the kit's replicate rule; the plate's controls are
checked by the kit's rules first, and a failed control refuses the whole plate.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.errors import InputError, msg
from keepline.scope import EnterpriseScope
from keepline.screening.assay import (
    CONTROL_TYPES,
    AssayRule,
    ControlCheck,
    ControlWell,
    Interpretation,
    check_controls,
    combine_replicates,
    interpret,
)
from keepline.screening.files import (
    MAX_LISTED,
    PlateMap,
    Reading,
    read_lab_file,
    read_plate_map,
)
from keepline.screening.models import Measurement, ResultsImport, Round, Sample
from keepline.screening.platemap import Linked, MatchBy, link_wells
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
    controls_checked: int = 0  # control reactions (ntc, pos, std) checked by the kit
    linked_by: str = ""  # how wells were linked to tubes (sample-id, description, …)
    controls: list[ControlCheck] = field(default_factory=list)


@dataclass
class Resulted:
    """The tubes a file gave a result for the first time: the tubes, their verdicts
    and their rounds."""

    samples: dict[str, Sample] = field(default_factory=dict)
    verdicts: dict[str, Interpretation] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)


def record_results(
    session: Session,
    scope: EnterpriseScope,
    filename: str,
    data: bytes,
    *,
    plate_map: tuple[str, bytes] | None = None,
    by: MatchBy | None = None,
) -> tuple[ImportReport, Resulted]:
    """Import a lab file (with its plate map, ``(filename, bytes)``, when the file does
    not name our tubes): its report, and what it resulted for the first time."""
    lab = read_lab_file(filename, data)
    plate = read_plate_map(*plate_map) if plate_map else None
    digest_src = hashlib.sha256(data)
    if plate_map:
        digest_src.update(b"\0plate-map\0" + plate_map[1])
    digest = digest_src.hexdigest()
    readings = _typed_by_plate(lab.readings, plate)
    tubes_read = [r for r in readings if not r.is_control]
    control_reads = [r for r in readings if r.is_control]
    report = ImportReport(
        filename, lab.format, readings=len(tubes_read), controls_checked=len(control_reads)
    )
    if _already_imported(session, scope, digest):
        report.already_imported = True
        return report, Resulted()
    if not tubes_read:
        raise InputError([msg("%(file)s: no results in the file", file=filename)])
    candidates = {r.sample_id for r in tubes_read} | {r.name for r in tubes_read if r.name}
    if plate is not None:
        candidates |= {e.sample_id for e in plate.entries}
    samples = _tubes_read(session, scope, candidates)
    linked_by, linked = link_wells(filename, tubes_read, plate, set(samples), by)
    report.linked_by = linked_by.value
    rounds = _rounds_of(session, samples.values())
    rules = {rid: AssayRule.from_dict(r.assay) for rid, r in rounds.items()}
    used = {samples[tube].round_id for _, tube in linked}
    report.controls = check_plate(filename, control_reads, [rules[rid] for rid in sorted(used)])
    by_tube = check_readings(linked, samples, rules)
    verdicts = interpret_tubes(by_tube, samples, rules)
    fresh = new_verdicts(verdicts, samples, by_tube, report)
    how = dict(plate_map=plate_map[0] if plate_map else None, linked_by=linked_by.value)
    imp = _record_import(session, scope, filename, digest, lab.format, len(fresh), how)
    if not fresh:
        return report, Resulted()
    _store_results(session, scope, imp, fresh, by_tube)
    _audit_results(session, scope, imp, fresh, filename)
    report.samples = len(fresh)
    for v in fresh.values():
        report.verdicts[v.verdict.value] = report.verdicts.get(v.verdict.value, 0) + 1
    return report, Resulted({sid: samples[sid] for sid in fresh}, fresh, rounds)


def _typed_by_plate(readings: Sequence[Reading], plate: PlateMap | None) -> list[Reading]:
    """The readings, with the wells the plate map marks as controls marked so."""
    if plate is None:
        return list(readings)
    typed = {e.well: e.sample_type for e in plate.entries if e.sample_type not in ("", "unkn")}
    if not typed:
        return list(readings)
    return [
        dataclasses.replace(r, sample_type=typed[r.well]) if r.well in typed else r
        for r in readings
    ]


def check_plate(
    filename: str, controls: Sequence[Reading], rules: Sequence[AssayRule]
) -> list[ControlCheck]:
    """The plate's controls checked by each kit its tubes were planned with; a failed
    control refuses the plate (every failure named, up to the usual limit)."""
    out: list[ControlCheck] = []
    problems: list[str] = []
    # One check per distinct kit (a rule holds dicts: keyed by its JSON form).
    for rule in {json.dumps(r.to_dict(), sort_keys=True): r for r in rules}.values():
        wells = []
        for r in controls:
            kind = CONTROL_TYPES.get(r.sample_type)
            if kind is None or rule.ignored(r.target):
                continue  # an optical calibrator or the like: nothing to judge
            read = _kit_reading(rule, r, problems, "control ")
            if read is not None:
                wells.append(ControlWell(kind, r.place, *read, r.quantity))
        checks = check_controls(rule, wells)
        out += checks
        problems += [
            f"{c.place}: plate invalid: {c.kind} control {c.target}: {c.note}"
            for c in checks
            if not c.ok
        ]
    if problems:
        raise InputError(problems[: MAX_LISTED * 5])
    return out


def _already_imported(session: Session, scope: EnterpriseScope, digest: str) -> bool:
    return bool(
        session.scalar(
            select(ResultsImport.id).where(
                ResultsImport.enterprise_id == scope.enterprise_id, ResultsImport.sha256 == digest
            )
        )
    )


def _tubes_read(
    session: Session, scope: EnterpriseScope, names: Iterable[str]
) -> dict[str, Sample]:
    """The enterprise's tubes among ``names`` (unknown ids are left out)."""
    ids = sorted(set(names))
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


def _kit_reading(
    rule: AssayRule, r: Reading, problems: list[str], what: str = ""
) -> tuple[str, float | None] | None:
    """The kit's name for the reading's target and its checked Ct, or None with the
    problem added (a target the kit does not know, a Ct out of range)."""
    target = rule.canonical(r.target)
    if target is None:
        problems.append(
            msg(
                "%(place)s: %(what)starget '%(target)s' unknown to kit '%(kit)s' "
                "(known: %(known)s)",
                place=r.place,
                what=what,
                target=r.target,
                kit=rule.kit,
                known=", ".join(rule.all_targets),
            )
        )
        return None
    try:
        return target, rule.check_ct(r.ct, r.place)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def check_readings(
    linked: Linked, samples: Mapping[str, Sample], rules: Mapping[int, AssayRule]
) -> ByTube:
    """Each tube's Ct per target of its kit, its wells combined by the kit's replicate
    rule; refuses a target unknown to the kit, a Ct out of range and a second well where
    the kit reads one, naming the place in the file (every one of them)."""
    wells: dict[str, dict[str, list[tuple[float | None, str]]]] = defaultdict(dict)
    problems: list[str] = []
    for r, tube in linked:
        s = samples[tube]
        rule = rules[s.round_id]
        if rule.ignored(r.target):
            continue
        read = _kit_reading(rule, r, problems)
        if read is None:
            continue
        target, ct = read
        got = wells[tube].setdefault(target, [])
        if got and rule.replicates == "single":
            problems.append(
                msg(
                    "%(place)s: duplicated result for sample '%(tube)s' target %(target)s "
                    "(first at %(first)s)",
                    place=r.place,
                    tube=tube,
                    target=target,
                    first=got[0][1],
                )
            )
            continue
        got.append((ct, r.place))
    by_tube: ByTube = defaultdict(dict)
    for tube, targets in wells.items():
        rule = rules[samples[tube].round_id]
        for target, found in targets.items():
            place = found[0][1]
            if len(found) > 1:
                place = f"{place} (+{len(found) - 1} wells)"
            try:
                ct = combine_replicates(rule, target, [c for c, _ in found], f"{place}: '{tube}'")
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            by_tube[tube][target] = (ct, place)
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
                msg(
                    "%(place)s: sample '%(sid)s' already has a result (%(verdict)s) that "
                    "differs; a repeat test needs a retest sample",
                    place=next(iter(by_tube[sid].values()))[1],
                    sid=sid,
                    verdict=s.verdict,
                )
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
    how: dict[str, object],
) -> ResultsImport:
    """The import's record (its SHA-256 makes a second import a no-op), audited with
    how its wells were linked and the plate map it came with."""
    imp = ResultsImport(
        enterprise_id=scope.enterprise_id,
        sha256=digest,
        filename=filename[:255],
        format=fmt,
        samples=samples,
        imported_by=scope.actor,
        imported_at=clock.now(),
    )
    audit.add(
        session,
        scope,
        imp,
        "screening_imports",
        values=lambda _r: dict(
            filename=filename, sha256=digest, format=fmt, samples=samples, **how
        ),
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
    now = clock.now()
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
