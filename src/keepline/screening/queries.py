"""The list queries of screening's API: statements the router pages and sorts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from keepline.db import columns
from keepline.scope import EnterpriseScope
from keepline.screening.models import Round, Sample, SampleMember
from keepline.screening.rounds import get_round

ROUND_SORTS = columns(Round, "day", "id")
SAMPLE_SORTS = columns(Sample, "id", "verdict", "kind")


def rounds(scope: EnterpriseScope) -> Select[tuple[Round]]:
    """The enterprise's rounds."""
    return select(Round).where(Round.enterprise_id == scope.enterprise_id)


def round_samples(
    session: Session,
    scope: EnterpriseScope,
    round_id: int,
    *,
    verdict: str | None = None,
    kind: str | None = None,
) -> Select[tuple[Sample]]:
    """A round's tubes (the round must be the enterprise's), filtered by verdict, kind."""
    get_round(session, scope, round_id)
    q = select(Sample).where(
        Sample.enterprise_id == scope.enterprise_id, Sample.round_id == round_id
    )
    if verdict:
        q = q.where(Sample.verdict == verdict)
    if kind:
        q = q.where(Sample.kind == kind)
    return q


def members_by_sample(
    session: Session, scope: EnterpriseScope, sample_ids: Sequence[str]
) -> dict[str, list[SampleMember]]:
    """Each tube's members in tube order (absent ones too)."""
    members: dict[str, list[SampleMember]] = {}
    if sample_ids:
        for m in session.scalars(
            select(SampleMember)
            .where(
                SampleMember.enterprise_id == scope.enterprise_id,
                SampleMember.sample_id.in_(list(sample_ids)),
            )
            .order_by(SampleMember.position)
        ):
            members.setdefault(m.sample_id, []).append(m)
    return members
