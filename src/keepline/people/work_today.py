"""Flow: the roster as it stands today, with whether each worker may work.

The roster is the people capability's; who may work is judged from the daily record
(isolations, quarantines, declarations' clearance, zone states) by containment's
:func:`keepline.containment.workforce.record_fitness` with the one rule,
:func:`keepline.fitness.fitness`. Screening and availability ask the same rule, so the
roster's ``cleared`` never says a worker in open isolation may work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.workforce import WorkerPlace, reasons_on, unfit_where
from keepline.health import queries as health_queries
from keepline.people import queries
from keepline.people.models import Worker
from keepline.people.schemas import WorkerView
from keepline.scope import EnterpriseScope


def reasons_today(
    session: Session,
    scope: EnterpriseScope,
    workers: Sequence[Worker | Any],
    day: dt.date | None = None,
) -> dict[str, list[str]]:
    """Why those of ``workers`` (ORM objects or roster rows) who may not work today may
    not, by employee number."""
    places = [WorkerPlace(w.employee_no, w.zone_id, w.housing) for w in workers]
    found = reasons_on(session, scope, day or clock.today(), places)
    return {no: [r.value for r in why] for no, why in found.items()}


def unfit_today(session: Session, scope: EnterpriseScope) -> ColumnElement[bool]:
    """A condition over ``Worker`` rows: the worker may not work today (the one rule, as
    SQL: the roster's ``cleared`` filter and Today's counts)."""
    return unfit_where(session, scope, clock.today())


def day_counts(session: Session, scope: EnterpriseScope) -> list[Any]:
    """Today by zone and shift: (zone, shift, active, declared, unfit) rows."""
    day = clock.today()
    return list(
        session.execute(
            health_queries.declared_counts(scope, day, unfit_where(session, scope, day))
        )
    )


def worker_today(session: Session, scope: EnterpriseScope, worker: Worker) -> WorkerView:
    """``worker`` (of the scope's enterprise) with their clearance and whether they may
    work today, as the scope may see them."""
    c = queries.clearance_of(session, scope, worker.employee_no)
    why = reasons_today(session, scope, [worker]).get(worker.employee_no, [])
    return queries.worker_view(worker, c, scope.sees_personal_data, why)


def roster_page_today(
    session: Session, scope: EnterpriseScope, rows: list[Any]
) -> list[WorkerView]:
    """A page of the roster's rows as the scope may see them, with today's verdicts."""
    return queries.roster_page_views(rows, scope, reasons_today(session, scope, rows))
