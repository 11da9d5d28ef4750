"""Flow: the writes to the daily record that the emergency plans read, each followed in
the same transaction by the evaluation of the rules reading what it changed.

One function per write, which the API's routes, the commands and the console's pages all
call, so that the two steps cannot come apart: the console's phone declaration and its
clearance once wrote without the second, and the plans did not see them until the
server's next full evaluation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment import cases
from keepline.containment.models import Case
from keepline.containment.schemas import CaseIn
from keepline.health import service as health
from keepline.health.models import Clearance
from keepline.health.schemas import ClearIn, DeclarationIn
from keepline.logistics import status
from keepline.logistics.models import NodeStatus
from keepline.logistics.schemas import StatusIn
from keepline.materials import service as materials
from keepline.materials.models import StockMovement
from keepline.materials.schemas import MovementIn
from keepline.plans.activations import after_write
from keepline.plans.engine import Fact, declared
from keepline.scope import EnterpriseScope
from keepline.screening import positives
from keepline.screening.platemap import MatchBy
from keepline.screening.results import ImportReport


def declare(
    session: Session, scope: EnterpriseScope, body: DeclarationIn, *, source: str = "request"
) -> health.SaveReport:
    """One declaration (a second for the same worker and day replaces it)."""
    report = health.save_declarations(session, scope, [(1, body)], source=source)
    after_write(session, scope, body.day, declared(report.flagged))
    return report


def clear(session: Session, scope: EnterpriseScope, employee_no: str, body: ClearIn) -> Clearance:
    """A flagged worker let work again: one more on site uses more prevention materials,
    whose days of cover may fall."""
    row = health.clear_worker(session, scope, employee_no, body)
    after_write(session, scope, clock.today(), {Fact.clearance})
    return row


def record_movement(session: Session, scope: EnterpriseScope, body: MovementIn) -> StockMovement:
    mv = materials.record_movement(session, scope, body)
    after_write(session, scope, body.day, {Fact.stock})
    return mv


def set_status(session: Session, scope: EnterpriseScope, body: StatusIn) -> NodeStatus:
    """A supplier's or region's state over dates, evaluated from today or its start."""
    row = status.set_status(session, scope, body)
    after_write(session, scope, max(body.start, clock.today()), {Fact.statuses})
    return row


def open_case(session: Session, scope: EnterpriseScope, body: CaseIn) -> Case:
    case = cases.open_case(session, scope, body)
    after_write(session, scope, body.confirmed_on, {Fact.positives})
    return case


def import_results(
    session: Session,
    scope: EnterpriseScope,
    filename: str,
    data: bytes,
    *,
    plate_map: tuple[str, bytes] | None = None,
    by: MatchBy | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """A lab's results (positives open isolations, retests and cases), evaluated today."""
    rep = positives.import_results(
        session, scope, filename, data, plate_map=plate_map, by=by, today=today
    )
    after_write(session, scope, today or clock.today(), {Fact.positives})
    return rep
