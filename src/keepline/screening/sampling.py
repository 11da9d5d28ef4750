"""The sampling list: who gives a swab into which tube, per collection point."""

from __future__ import annotations

from sqlalchemy.orm import Session

from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from keepline.screening.models import Sample, SampleMember
from keepline.screening.rounds import get_round, round_people
from keepline.screening.schemas import ListRowOut


def sampling_list(
    session: Session,
    scope: EnterpriseScope,
    round_id: int,
    collection_point: str | None = None,
) -> list[ListRowOut]:
    """Who gives a swab into which tube, per collection point, in tube order. Samples
    already resulted are left out (a retest list shows only what is still to take)."""
    get_round(session, scope, round_id)
    q = (
        round_people(scope, Sample, SampleMember, Worker, round_id=round_id)
        .where(Sample.verdict.is_(None))
        .order_by(Sample.collection_point, Sample.id, SampleMember.position)
    )
    if collection_point:
        q = q.where(Sample.collection_point == collection_point)
    return [
        ListRowOut(
            collection_point=s.collection_point,
            sample_id=s.id,
            kind=s.kind,
            position=m.position,
            employee_no=w.employee_no,
            name=w.name,
            team=w.team_id,
            shift=w.shift_id,
        )
        for s, m, w in session.execute(q)
    ]
