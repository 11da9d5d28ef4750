"""Flow: an admin erases a worker and every record of theirs, each deleted row audited.

Workers who leave are marked as left (``people.service.mark_left``) and keep their
records; erasure is for a record that should never have been kept (a wrong person, a
request to erase under PIPL art. 47). The database's cascades never fire: every table
that refers to the worker (``CHILDREN``; a test checks the list against the schema) is
emptied here first, row by row in the audit log. A worker whose case or isolation is
still open is refused: the case still needs the records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.console.models import DeclarationLink
from keepline.containment import queries as containment
from keepline.containment.models import AccessEvent, Case, Restriction
from keepline.errors import InputError
from keepline.health.models import Clearance, Declaration
from keepline.people import service
from keepline.scope import EnterpriseScope
from keepline.screening.models import SampleMember

REASON = "worker erased"

# Every table with a foreign key to workers, in the order they are emptied (restrictions
# before the cases they name).
CHILDREN: tuple[tuple[type[Any], Any], ...] = (
    (Declaration, lambda r: f"{r.employee_no}/{r.day.isoformat()}"),
    (Clearance, lambda r: r.employee_no),
    (AccessEvent, lambda r: f"{r.employee_no}/{r.zone_id}/{r.t_in}"),
    (SampleMember, lambda r: f"{r.sample_id}/{r.employee_no}"),
    (Restriction, lambda r: str(r.id)),
    (Case, lambda r: str(r.id)),
    (DeclarationLink, lambda r: r.employee_no),
)


def _values(r: Row[Any]) -> dict[str, Any]:
    return {k: v for k, v in r._mapping.items() if k != "enterprise_id"}


def delete_worker(session: Session, scope: EnterpriseScope, employee_no: str) -> dict[str, int]:
    """Erase the worker and their records (declarations, clearance, access events, pool
    memberships, restrictions, cases), each row audited as a delete with its values.
    Returns the rows deleted per table."""
    w = service.get_worker(session, scope, employee_no)
    eid = scope.enterprise_id
    today = clock.today()
    running = session.scalar(
        select(Restriction.id).where(
            Restriction.enterprise_id == eid,
            Restriction.employee_no == employee_no,
            (Restriction.end_day.is_(None)) | (Restriction.end_day >= today),
        )
    )
    discharged = containment.case_discharges(session, scope)
    own_cases = list(
        session.scalars(
            select(Case.id).where(Case.enterprise_id == eid, Case.employee_no == employee_no)
        )
    )
    open_case = next(
        (c for c in own_cases if discharged.get(c) is None or discharged[c] >= today), None
    )
    if open_case is not None or running is not None:
        what = f"case {open_case}" if open_case is not None else f"restriction {running}"
        raise InputError(
            [
                f"employee_no: '{employee_no}' has an open {what}; end it first, "
                "or mark the worker as left (POST /workers/{employee_no}/leave)"
            ]
        )
    # Other workers' quarantines traced from this worker's cases lose the link (the
    # foreign key would set it to null silently): audited as updates.
    if own_cases:
        linked = session.execute(
            select(Restriction.id, Restriction.case_id).where(
                Restriction.enterprise_id == eid,
                Restriction.case_id.in_(own_cases),
                Restriction.employee_no != employee_no,
            )
        ).all()
        if linked:
            session.execute(
                update(Restriction)
                .where(Restriction.id.in_([r.id for r in linked]))
                .values(case_id=None)
            )
            audit.record_many(
                session,
                enterprise_id=eid,
                actor=scope.actor,
                table="restrictions",
                changes=[
                    audit.Change("update", str(r.id), {"case_id": r.case_id}, {"case_id": None})
                    for r in linked
                ],
                reason=REASON,
            )
    deleted: dict[str, int] = {}
    for model, key in CHILDREN:
        deleted[model.__tablename__] = audit.delete_rows(
            session,
            model,
            [model.enterprise_id == eid, model.employee_no == employee_no],
            enterprise_id=eid,
            actor=scope.actor,
            key=key,
            values=_values,
            reason=REASON,
        )
    audit.log(
        session,
        scope,
        "delete",
        "workers",
        employee_no,
        before=service.worker_values(w),
        reason=REASON,
    )
    session.delete(w)
    session.flush()
    deleted["workers"] = 1
    return deleted
