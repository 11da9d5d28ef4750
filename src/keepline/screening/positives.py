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
from keepline.containment import service as containment
from keepline.containment.models import Reason, RestrictionKind
from keepline.scope import EnterpriseScope
from keepline.screening.assay import Verdict
from keepline.screening.models import Round, Sample, SampleKind
from keepline.screening.results import ImportReport, Resulted, record_results
from keepline.screening.samples import FollowUp, add_follow_ups, swabbed_members

# A pool-positive member is isolated until one negative individual test.
POOL_POSITIVE_END_RULE = "negative-tests:1"


@dataclass(frozen=True)
class PoolIsolation:
    """A member of a positive (or one-target) pool, isolated until retested."""

    employee_no: str
    sample_id: str
    note: str


@dataclass(frozen=True)
class NewCase:
    """A positive individual: a confirmed case."""

    employee_no: str
    sample_id: str
    sample_day: dt.date


@dataclass
class Actions:
    """What new verdicts call for, in the order they are carried out."""

    containment: list[PoolIsolation | NewCase] = field(default_factory=list)
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
) -> ImportReport:
    """Import a lab file, interpret each sample and act on it; all or nothing (the
    caller owns the transaction). The same file twice changes nothing."""
    today = today or clock.today()
    report, resulted = record_results(session, scope, filename, data)
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
                out.containment.append(PoolIsolation(no, sid, f"pool {sid}: {v.reason}"))
                out.retests[s.round_id].append((sid, s.collection_point, [no]))
        elif v.verdict is Verdict.retest:
            out.retests[s.round_id].append((sid, s.collection_point, who))
        else:  # an individual positive: a confirmed case
            out.containment += [NewCase(no, sid, taken_on(s, rnd, today)) for no in who]
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
    eid, actor = scope.enterprise_id, scope.actor
    for step in actions.containment:
        if isinstance(step, PoolIsolation):
            containment.add_restriction(
                session,
                eid,
                actor,
                step.employee_no,
                kind=RestrictionKind.isolation,
                reason=Reason.pool_positive,
                start_day=today,
                end_rule=POOL_POSITIVE_END_RULE,
                sample_id=step.sample_id,
                note=step.note,
            )
            report.isolated += 1
        else:
            containment.open_case(
                session,
                eid,
                actor,
                step.employee_no,
                confirmed_on=today,
                sample_day=step.sample_day,
                sample_id=step.sample_id,
            )
            report.cases += 1
    report.cleared += actions.cleared
    report.retests += add_follow_ups(
        session, scope, resulted.rounds, SampleKind.retest, actions.retests
    )
    report.resamples += add_follow_ups(
        session, scope, resulted.rounds, SampleKind.resample, actions.resamples
    )
    if actions.negatives:
        containment.record_negative_tests(session, eid, actor, actions.negatives)
