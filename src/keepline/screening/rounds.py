"""Screening rounds: the active workers of some zones and shifts, a round made of those
to screen (pooled by team, or in the lab's pools), and reading a round and its tubes.
Who may be screened on the day (not isolated, quarantined or held by a declaration) is
the flow :mod:`keepline.screening.planning`'s to decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import InputError, NotFound, msg
from keepline.people.models import Worker, employed_on
from keepline.plant import models as pm
from keepline.recordkit import owned
from keepline.scope import EnterpriseScope
from keepline.screening import pools as pooling
from keepline.screening.assay import AssayRule, Verdict
from keepline.screening.models import Round, Sample, SampleKind, SampleMember, TestType
from keepline.screening.poolsize import KitDilution, recommend
from keepline.screening.samples import Group, add_samples
from keepline.screening.schemas import (
    PoolIn,
    PoolOptionOut,
    PoolRecommendationOut,
    RoundIn,
)

POSITIVITY_DAYS = 14  # the window of "recent positivity" a recommendation reads


class RosterRow(NamedTuple):
    """A worker of a round's zones and shifts."""

    employee_no: str
    team: str
    zone: str
    housing: str
    name: str
    shift: str


def round_values(r: Round) -> dict[str, Any]:
    return dict(
        day=r.day,
        test_type=r.test_type,
        pool_size=r.pool_size,
        zones=r.zones,
        shifts=r.shifts,
        kit=r.assay.get("kit", "default"),
    )


def get_round(session: Session, scope: EnterpriseScope, round_id: int) -> Round:
    return owned(session, scope, Round, round_id, f"screening round {round_id} not found")


def sample_results(session: Session, scope: EnterpriseScope, round_id: int) -> list[Sample]:
    """The round's tubes (its own, retests and resamples) with their results, by id."""
    get_round(session, scope, round_id)
    return list(
        session.scalars(
            select(Sample)
            .where(Sample.enterprise_id == scope.enterprise_id, Sample.round_id == round_id)
            .order_by(Sample.id)
        )
    )


def plant_zones(session: Session, scope: EnterpriseScope) -> list[str]:
    """The ids of the plant's zones, sorted."""
    return sorted(
        session.scalars(select(pm.Zone.id).where(pm.Zone.enterprise_id == scope.enterprise_id))
    )


def zones_and_shifts(
    session: Session, scope: EnterpriseScope, zones: Sequence[str], shifts: Sequence[str] | None
) -> list[str]:
    """Check the zones and shifts against the plant; the shifts (all when none given)."""
    eid = scope.enterprise_id
    plant_zones = set(session.scalars(select(pm.Zone.id).where(pm.Zone.enterprise_id == eid)))
    plant_shifts = set(session.scalars(select(pm.Shift.id).where(pm.Shift.enterprise_id == eid)))
    if not plant_zones:
        raise NotFound(f"enterprise '{eid}' has no plant model")
    if not zones:
        raise InputError([msg("zones: name at least one zone")])
    for z in zones:
        if z not in plant_zones:
            raise InputError(
                [
                    msg(
                        "zones: unknown zone '%(zone)s' (known: %(known)s)",
                        zone=z,
                        known=", ".join(sorted(plant_zones)),
                    )
                ]
            )
    chosen = list(shifts) if shifts else sorted(plant_shifts)
    for s in chosen:
        if s not in plant_shifts:
            raise InputError(
                [
                    msg(
                        "shifts: unknown shift '%(shift)s' (known: %(known)s)",
                        shift=s,
                        known=", ".join(sorted(plant_shifts)),
                    )
                ]
            )
    return chosen


def round_roster(
    session: Session,
    scope: EnterpriseScope,
    zones: Sequence[str],
    shifts: Sequence[str],
    day: dt.date,
    *,
    required: bool = True,
) -> list[RosterRow]:
    """The workers of ``zones`` × ``shifts`` employed on ``day``, by employee number
    (none: an error, unless not ``required``)."""
    workers = [
        RosterRow(*row)
        for row in session.execute(
            select(
                Worker.employee_no,
                Worker.team_id,
                Worker.zone_id,
                Worker.housing,
                Worker.name,
                Worker.shift_id,
            )
            .where(
                Worker.enterprise_id == scope.enterprise_id,
                Worker.zone_id.in_(list(zones)),
                Worker.shift_id.in_(list(shifts)),
                employed_on(day),
            )
            .order_by(Worker.employee_no)
        )
    ]
    if not workers and required:
        raise InputError([msg("zones: no active worker on the roster in these zones and shifts")])
    return workers


def _given_pools(
    session: Session,
    scope: EnterpriseScope,
    pools: Sequence[PoolIn],
    workers: Sequence[RosterRow],
    pool_size: int,
) -> list[Group]:
    """The lab's pools as tubes, checked: no member twice, only workers of the round, no
    more than the pool size, no sample id already used."""
    pooling.check_memberships([(p.pool_id, p.members) for p in pools])
    zone_of = {w.employee_no: w.zone for w in workers}
    groups: list[Group] = []
    for n, p in enumerate(pools, start=1):
        pid, keys = p.pool_id, p.members
        outside = [k for k in keys if k not in zone_of]
        if outside:
            raise InputError(
                [
                    msg(
                        "pool %(n)s ('%(pool)s'), member %(no)s: not a worker of this round",
                        n=n,
                        pool=pid,
                        no=outside[0],
                    )
                ]
            )
        if len(keys) > pool_size:
            raise InputError(
                [
                    msg(
                        "pool %(n)s ('%(pool)s'): %(count)s members, more than pool size %(size)s",
                        n=n,
                        pool=pid,
                        count=len(keys),
                        size=pool_size,
                    )
                ]
            )
        groups.append((pid, zone_of[keys[0]], list(keys)))
    taken = session.scalars(
        select(Sample.id).where(
            Sample.enterprise_id == scope.enterprise_id, Sample.id.in_([g[0] for g in groups])
        )
    ).first()
    if taken:
        raise InputError([msg("pool '%(pool)s': this sample id is already used", pool=taken)])
    return groups


def _formed_pools(workers: Sequence[RosterRow], pool_size: int) -> list[Group]:
    formed = pooling.form_pools(
        [pooling.Member(w.employee_no, w.team, w.zone) for w in workers], pool_size
    )
    return [(None, p[0].collection_point, [m.key for m in p]) for p in formed]


def check_round(body: RoundIn) -> tuple[TestType, AssayRule]:
    """The round's test type and kit rule, checked against its pool size."""
    test_type = TestType(body.test_type)
    pooling.check_pool_size(body.pool_size)
    if test_type is TestType.antigen and body.pool_size != 1:
        raise InputError([msg("pool_size: antigen tests are individual; use pool size 1")])
    return test_type, AssayRule.from_dict(body.assay)


def create_round(
    session: Session,
    scope: EnterpriseScope,
    body: RoundIn,
    shifts: Sequence[str],
    workers: Sequence[RosterRow],
) -> Round:
    """A round of ``workers`` (those of ``body.zones`` × ``shifts`` to screen). Pools
    are formed by team (:func:`keepline.screening.pools.form_pools`) unless
    ``body.pools`` gives them (e.g. from the lab); given pools must not share a member
    and must hold only ``workers``."""
    test_type, rule = check_round(body)
    pool_size = body.pool_size
    kind = SampleKind.single if pool_size == 1 else SampleKind.pool
    if body.pools is not None:
        groups = _given_pools(session, scope, body.pools, workers, pool_size)
    else:
        groups = _formed_pools(workers, pool_size)
    rnd = Round(
        enterprise_id=scope.enterprise_id,
        day=body.day,
        test_type=test_type.value,
        pool_size=pool_size,
        zones=list(body.zones),
        shifts=list(shifts),
        assay=rule.to_dict(),
        created_by=scope.actor,
        created_at=dt.datetime.now(dt.UTC),
    )
    audit.add(session, scope, rnd, "screening_rounds", values=round_values)
    add_samples(session, scope, rnd, kind, groups)
    return rnd


def round_members(session: Session, scope: EnterpriseScope, round_id: int) -> set[str]:
    """Everyone in any of the round's tubes."""
    return set(
        session.scalars(
            select(SampleMember.employee_no)
            .join(
                Sample,
                (Sample.enterprise_id == SampleMember.enterprise_id)
                & (Sample.id == SampleMember.sample_id),
            )
            .where(Sample.enterprise_id == scope.enterprise_id, Sample.round_id == round_id)
        )
    )


def round_people(scope: EnterpriseScope, *cols: Any, round_id: int) -> Select[Any]:
    """``cols`` of each tube of the enterprise's round ``round_id``, the person in it
    (``SampleMember``) and that person's roster row (``Worker``)."""
    return (
        select(*cols)
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
        .where(Sample.enterprise_id == scope.enterprise_id, Sample.round_id == round_id)
    )


def zone_positivity(
    session: Session, scope: EnterpriseScope, zones: Sequence[str], day: dt.date, days: int
) -> tuple[int, int]:
    """(people tested, people positive) at the collection points ``zones`` in the rounds
    of the ``days`` days up to ``day``: the people swabbed (not absent) into a first tube
    (a pool or a single swab) with a result, and those of them with a positive individual
    result (a single swab or a retest)."""
    first = (day - dt.timedelta(days=days - 1), day)
    base = (
        select(SampleMember.employee_no)
        .distinct()
        .join(
            Sample,
            (Sample.enterprise_id == SampleMember.enterprise_id)
            & (Sample.id == SampleMember.sample_id),
        )
        .join(Round, (Round.enterprise_id == Sample.enterprise_id) & (Round.id == Sample.round_id))
        .where(
            Sample.enterprise_id == scope.enterprise_id,
            Sample.collection_point.in_(list(zones)),
            Round.day.between(*first),
            Sample.verdict.is_not(None),
            SampleMember.absent.is_(False),
        )
    )
    tested = set(session.scalars(base.where(Sample.kind.in_([SampleKind.pool, SampleKind.single]))))
    positive = set(
        session.scalars(
            base.where(
                Sample.kind.in_([SampleKind.single, SampleKind.retest]),
                Sample.verdict == Verdict.positive,
            )
        )
    )
    return len(tested), len(positive & tested)


def recommend_pool(
    session: Session,
    scope: EnterpriseScope,
    zones: Sequence[str],
    day: dt.date,
    *,
    prevalence: float | None = None,
    days: int = POSITIVITY_DAYS,
    kit: KitDilution | None = None,
    required: bool = True,
) -> PoolRecommendationOut:
    """The pool size for a round of ``zones`` on ``day``: at ``prevalence`` if given,
    else at the positivity of the record's last ``days`` days there
    (:func:`zone_positivity`). No result in the window: an error, or (not ``required``:
    a round planned before any result) an answer without a size that says so."""
    kit = kit or KitDilution()
    if not 1 <= days <= 365:
        raise InputError([msg("days: expected 1..365, got %(days)s", days=days)])
    zones_and_shifts(session, scope, zones, None)  # unknown zones: one line naming them
    tested = positives = window = None
    none = f"no screening result in {', '.join(zones)} in the {days} days up to {day}"
    none += "; enter a prevalence"
    if prevalence is not None:
        if not 0 <= prevalence <= 1:
            raise InputError([f"prevalence: expected a share in [0, 1], got {prevalence:g}"])
        source = "entered"
    else:
        tested, positives = zone_positivity(session, scope, zones, day, days)
        window = days
        source = f"record: {positives} positive of {tested} people tested in {days} days"
        if tested:
            prevalence = positives / tested
        elif required:
            raise InputError([f"zones: {none}"])
    rec = None if prevalence is None else recommend(prevalence, kit=kit)
    return PoolRecommendationOut(
        zones=list(zones),
        prevalence=prevalence,
        source=source,
        tested=tested,
        positives=positives,
        days=window,
        size=rec.size if rec else None,
        reason=rec.reason if rec else none,
        min_sensitivity=rec.min_sensitivity if rec else 0.0,
        cq_shift_per_doubling=kit.cq_shift_per_doubling,
        cutoff_cq=kit.cutoff_cq,
        options=[PoolOptionOut(**vars(o)) for o in rec.options] if rec else [],
    )
