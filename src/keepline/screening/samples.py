"""Tubes: numbering and creating them (a round's own, retests, resamples), who gives a
swab into each, and their collection. Every write is audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import InputError, NotFound
from keepline.scope import EnterpriseScope
from keepline.screening.models import Round, Sample, SampleKind, SampleMember
from keepline.screening.schemas import CollectionIn

CHUNK = 2000
PREFIX = {
    SampleKind.pool: "P",
    SampleKind.single: "S",
    SampleKind.retest: "T",
    SampleKind.resample: "N",
}
Group = tuple[str | None, str, Sequence[str]]
"""A tube to create: its id (None: numbered), its collection point, its members."""
FollowUp = tuple[str, str, list[str]]
"""A tube taken again: the parent tube's id, its collection point, the members."""


def _count_of_kind(session: Session, scope: EnterpriseScope, round_id: int, prefix: str) -> int:
    """How many samples of this kind the round has, to number the next ones."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Sample)
            .where(
                Sample.enterprise_id == scope.enterprise_id,
                Sample.round_id == round_id,
                Sample.id.like(f"R{round_id}-{prefix}%"),
            )
        )
        or 0
    )


def add_samples(
    session: Session,
    scope: EnterpriseScope,
    rnd: Round,
    kind: SampleKind,
    groups: Sequence[Group],
    *,
    parents: Sequence[str | None] | None = None,
) -> list[str]:
    """Create samples (``(id or None, collection point, members)``); ids are
    ``R<round>-<P|S|T|N><number>`` unless given."""
    eid = scope.enterprise_id
    prefix = PREFIX[kind]
    n0 = _count_of_kind(session, scope, rnd.id, prefix)
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
            actor=scope.actor,
            table="screening_samples",
            changes=changes[i : i + CHUNK],
        )
    for i in range(0, len(members), CHUNK):
        session.execute(insert(SampleMember), members[i : i + CHUNK])
    return ids


def add_follow_ups(
    session: Session,
    scope: EnterpriseScope,
    rounds: Mapping[int, Round],
    kind: SampleKind,
    by_round: Mapping[int, Sequence[FollowUp]],
) -> int:
    """New tubes (retests or resamples) of earlier ones, round by round; how many."""
    made = 0
    for rid, items in by_round.items():
        add_samples(
            session,
            scope,
            rounds[rid],
            kind,
            [(None, point, who) for _, point, who in items],
            parents=[sid for sid, _, _ in items],
        )
        made += len(items)
    return made


def get_sample(session: Session, scope: EnterpriseScope, sample_id: str) -> Sample:
    s = session.get(Sample, (scope.enterprise_id, sample_id))
    if s is None:
        raise NotFound(f"sample '{sample_id}' not found")
    return s


def members_of(session: Session, scope: EnterpriseScope, sample_id: str) -> list[SampleMember]:
    return list(
        session.scalars(
            select(SampleMember)
            .where(
                SampleMember.enterprise_id == scope.enterprise_id,
                SampleMember.sample_id == sample_id,
            )
            .order_by(SampleMember.position)
        )
    )


def swabbed_members(
    session: Session, scope: EnterpriseScope, sample_ids: Sequence[str]
) -> dict[str, list[str]]:
    """The members who gave a swab (not absent) of each tube, in tube order."""
    members: dict[str, list[str]] = defaultdict(list)
    ids = list(sample_ids)
    for i in range(0, len(ids), 1000):
        for sid, no in session.execute(
            select(SampleMember.sample_id, SampleMember.employee_no)
            .where(
                SampleMember.enterprise_id == scope.enterprise_id,
                SampleMember.sample_id.in_(ids[i : i + 1000]),
                SampleMember.absent.is_(False),
            )
            .order_by(SampleMember.sample_id, SampleMember.position)
        ):
            members[sid].append(no)
    return members


def record_collection(
    session: Session, scope: EnterpriseScope, sample_id: str, body: CollectionIn
) -> Sample:
    """Mark a tube collected; ``absent`` lists members who gave no swab (they count as
    missed in the round's coverage)."""
    s = get_sample(session, scope, sample_id)
    absent = body.absent
    members = {
        m.employee_no: m
        for m in session.scalars(
            select(SampleMember).where(
                SampleMember.enterprise_id == scope.enterprise_id,
                SampleMember.sample_id == sample_id,
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
    s.collected_at = body.at or dt.datetime.now(dt.UTC)
    for no, m in members.items():
        m.absent = no in set(absent)
    audit.log(
        session,
        scope,
        "update",
        "screening_samples",
        sample_id,
        before=before,
        after=dict(collected_at=s.collected_at, absent=sorted(absent)),
    )
    return s
