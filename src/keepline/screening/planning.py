"""Flow: plan a screening round of the workers who may work that day.

A round screens the active workers of some zones and shifts, except those who may not
work on its day (:func:`keepline.fitness.fitness`: isolated, quarantined, held by a
health declaration, or in a locked zone): a confirmed case or a worker with a fever is
followed by the health officer, not pooled with healthy colleagues, whose tube their
swab would make positive. They are listed apart, with the reason, when the round is
planned and on its printed sampling list. A round ``in_place`` samples the workers of a
locked zone where they are: the lock keeps them from work, not from the round (the
emergency plan's screening of the zone it has just locked).

Above the screening services and containment's (who may work); neither imports the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from keepline.containment.workforce import WorkerPlace, reasons_on
from keepline.errors import InputError, msg
from keepline.fitness import Reason
from keepline.scope import EnterpriseScope
from keepline.screening import rounds
from keepline.screening.models import Round
from keepline.screening.poolsize import KitDilution
from keepline.screening.rounds import RosterRow
from keepline.screening.schemas import ExcludedOut, PoolRecommendationOut, RoundIn

MAX_LISTED = 20


@dataclass(frozen=True)
class PlannedRound:
    round: Round
    excluded: list[ExcludedOut]
    recommendation: PoolRecommendationOut | None = None  # None: not asked


def _excluded(
    session: Session, scope: EnterpriseScope, day: dt.date, workers: Sequence[RosterRow]
) -> list[ExcludedOut]:
    """Those of ``workers`` who may not work on ``day``, with why."""
    why = reasons_on(
        session, scope, day, [WorkerPlace(w.employee_no, w.zone, w.housing) for w in workers]
    )
    return [
        ExcludedOut(
            employee_no=w.employee_no,
            name=w.name,
            zone=w.zone,
            shift=w.shift,
            team=w.team,
            reasons=[r.value for r in why[w.employee_no]],
        )
        for w in workers
        if w.employee_no in why
    ]


def _listed(items: Sequence[str]) -> list[str]:
    """At most ``MAX_LISTED`` items, then how many more."""
    more = len(items) - MAX_LISTED
    return list(items[:MAX_LISTED]) + ([f"(and {more} more)"] if more > 0 else [])


def plan_round(session: Session, scope: EnterpriseScope, body: RoundIn) -> PlannedRound:
    """Plan a round for the active workers of ``body.zones`` × ``body.shifts`` (every
    shift when None) who may work on ``body.day``; the others are returned as
    ``excluded`` with their reasons. The lab's ``pools``, if given, may not hold any of
    them."""
    rounds.check_round(body)
    shifts = rounds.zones_and_shifts(session, scope, body.zones, body.shifts)
    workers = rounds.round_roster(session, scope, body.zones, shifts, body.day)
    excluded = _excluded(session, scope, body.day, workers)
    if body.in_place:  # a locked zone keeps them from work, not from the round
        excluded = [e for e in excluded if e.reasons != [Reason.zone_locked.value]]
    out = {e.employee_no: e for e in excluded}
    if body.pools is not None:
        bad = [
            msg(
                "pool %(n)s ('%(pool)s'), member %(no)s: may not work on %(day)s (%(why)s); "
                "leave them out of the round",
                n=n,
                pool=p.pool_id,
                no=k,
                day=body.day,
                why=", ".join(out[k].reasons),
            )
            for n, p in enumerate(body.pools, start=1)
            for k in p.members
            if k in out
        ]
        if bad:
            raise InputError(_listed(bad))
    screened = [w for w in workers if w.employee_no not in out]
    if not screened:
        who = "; ".join(_listed([f"{e.employee_no} ({', '.join(e.reasons)})" for e in excluded]))
        raise InputError(
            [
                msg(
                    "zones: nobody in these zones and shifts may work on %(day)s: %(who)s",
                    day=body.day,
                    who=who,
                )
            ]
        )
    rnd = rounds.create_round(session, scope, body, shifts, screened)
    return PlannedRound(rnd, excluded, recommendation_for(session, scope, rnd))


def recommendation_for(
    session: Session, scope: EnterpriseScope, rnd: Round
) -> PoolRecommendationOut:
    """The pool size the recent positivity of a round's zones recommends, shown beside
    the size chosen (the kit's cut-off from the round's rule; no result yet: no size)."""
    cutoff = float(rnd.assay.get("positive_max_ct", KitDilution().cutoff_cq))
    return rounds.recommend_pool(
        session, scope, rnd.zones, rnd.day, kit=KitDilution(cutoff_cq=cutoff), required=False
    )


def excluded_from(session: Session, scope: EnterpriseScope, rnd: Round) -> list[ExcludedOut]:
    """The workers of a round's zones and shifts in none of its tubes who may not work
    on its day, with why (for its sampling list: the record as it stands now)."""
    workers = rounds.round_roster(session, scope, rnd.zones, rnd.shifts, rnd.day, required=False)
    members = rounds.round_members(session, scope, rnd.id)
    return _excluded(session, scope, rnd.day, [w for w in workers if w.employee_no not in members])
