"""Flow: a result acts. Import a lab file (:mod:`keepline.screening.results`), then act
on each new verdict: a positive pool isolates its members (containment) and asks for
individual retests, an invalid tube is taken again, a positive individual opens a case
(containment), and negative individual tests count towards ending isolations.

Above the screening services and containment's; neither imports the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.cases import open_case
from keepline.containment.models import Reason, RestrictionKind
from keepline.containment.restrictions import add_restriction, record_negative_tests
from keepline.containment.schemas import CaseIn, RestrictionIn
from keepline.scope import EnterpriseScope
from keepline.screening.assay import Verdict
from keepline.screening.models import Round, Sample, SampleKind
from keepline.screening.platemap import MatchBy
from keepline.screening.results import ImportReport, Resulted, record_results
from keepline.screening.samples import FollowUp, add_follow_ups, swabbed_members

# A pool-positive member is isolated until one negative individual test.
POOL_POSITIVE_END_RULE = "negative-tests:1"


@dataclass(frozen=True)
class Containment:
    """An isolation of a positive (or one-target) pool's member until retested, or a
    confirmed case of a positive individual; ``sample_id`` is the tube that caused it."""

    body: RestrictionIn | CaseIn
    sample_id: str


@dataclass
class Actions:
    """What new verdicts call for, in the order they are carried out."""

    containment: list[Containment] = field(default_factory=list)
    retests: dict[int, list[FollowUp]] = field(default_factory=lambda: defaultdict(list))
    resamples: dict[int, list[FollowUp]] = field(default_factory=lambda: defaultdict(list))
    # (worker, day the tube was taken, tube) of negative individual tests.
    negatives: list[tuple[str, dt.date, str]] = field(default_factory=list)
    cleared: int = 0


def import_results(
    session: Session,
    scope: EnterpriseScope,
    filename: str,
    data: bytes,
    *,
    today: dt.date | None = None,
    plate_map: tuple[str, bytes] | None = None,
    by: MatchBy | None = None,
) -> ImportReport:
    """Import a lab file (with its plate map, if any), interpret each sample and act on
    it; all or nothing (the caller owns the transaction). The same file twice changes
    nothing."""
    today = today or clock.today()
    report, resulted = record_results(session, scope, filename, data, plate_map=plate_map, by=by)
    if resulted.verdicts:
        act_on_results(session, scope, resulted, today, report)
    return report


def taken_on(s: Sample, rnd: Round, today: dt.date) -> dt.date:
    """The day a tube was taken: its collection, else the round's day for the round's
    own tubes, else (a retest never marked collected) the day of the result."""
    if s.collected_at is not None:
        return clock.local_day(s.collected_at)
    return rnd.day if s.kind in (SampleKind.single, SampleKind.pool) else today


def plan_actions(
    resulted: Resulted, members: Mapping[str, Sequence[str]], today: dt.date
) -> Actions:
    """Isolate and retest the members of positive pools, resample invalid tubes, open
    cases for individual positives and count individual negatives towards ending
    isolations. Pure: ``members`` are each tube's swabbed members."""
    out = Actions()
    for sid, v in resulted.verdicts.items():
        s = resulted.samples[sid]
        who = list(members.get(sid, []))
        rnd = resulted.rounds[s.round_id]
        pooled = len(who) > 1
        if v.verdict is Verdict.resample:
            out.resamples[s.round_id].append((sid, s.collection_point, who))
        elif v.verdict is Verdict.negative:
            if not pooled:
                out.negatives += [(no, taken_on(s, rnd, today), sid) for no in who]
            out.cleared += len(who)
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
                out.containment.append(Containment(isolation, sid))
                out.retests[s.round_id].append((sid, s.collection_point, [no]))
        elif v.verdict is Verdict.retest:
            out.retests[s.round_id].append((sid, s.collection_point, who))
        else:  # an individual positive: a confirmed case
            day = taken_on(s, rnd, today)
            out.containment += [
                Containment(CaseIn(employee_no=no, confirmed_on=today, sample_day=day), sid)
                for no in who
            ]
    return out


def act_on_results(
    session: Session,
    scope: EnterpriseScope,
    resulted: Resulted,
    today: dt.date,
    report: ImportReport,
) -> None:
    """Carry out :func:`plan_actions` for the new verdicts and count them in ``report``."""
    members = swabbed_members(session, scope, list(resulted.samples))
    actions = plan_actions(resulted, members, today)
    for step in actions.containment:
        if isinstance(step.body, RestrictionIn):
            add_restriction(session, scope, step.body, sample_id=step.sample_id)
            report.isolated += 1
        else:
            open_case(session, scope, step.body, sample_id=step.sample_id)
            report.cases += 1
    report.cleared += actions.cleared
    report.retests += add_follow_ups(
        session, scope, resulted.rounds, SampleKind.retest, actions.retests
    )
    report.resamples += add_follow_ups(
        session, scope, resulted.rounds, SampleKind.resample, actions.resamples
    )
    if actions.negatives:
        record_negative_tests(session, scope, actions.negatives)
