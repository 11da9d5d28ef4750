"""The stock ledger and the prevention policy.

Functions take ``(session, scope)``; every query is scoped to ``scope.enterprise_id`` and
the audit log records ``scope.actor``. The caller owns the transaction: an error leaves
nothing written once it rolls back. Days of cover and reorder, which read other
capabilities too, are the flow in ``materials.outlook``.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.errors import msg
from keepline.materials.models import MovementKind, PreventionPolicy, StockMovement
from keepline.materials.schemas import MovementIn, PolicyIn
from keepline.plant import models as pm
from keepline.plant.service import in_file_order
from keepline.recordkit import bad, enterprise, now, plant_row
from keepline.scope import EnterpriseScope

EPS = 1e-9


# -- the ledger ---------------------------------------------------------------------


def material(
    session: Session, scope: EnterpriseScope, material_id: str, *, body: bool = True
) -> pm.Material:
    return plant_row(
        session, pm.Material, scope.enterprise_id, material_id, "material_id", "material", body=body
    )


def materials(session: Session, scope: EnterpriseScope) -> list[pm.Material]:
    """The enterprise's materials in the plant file's order."""
    return in_file_order(session, pm.Material, scope.enterprise_id)


def _movements(session: Session, scope: EnterpriseScope, material_id: str) -> list[StockMovement]:
    q = (
        select(StockMovement)
        .where(
            StockMovement.enterprise_id == scope.enterprise_id,
            StockMovement.material_id == material_id,
        )
        .order_by(StockMovement.day, StockMovement.id)
    )
    return list(session.scalars(q))


def _opening_row(
    session: Session, scope: EnterpriseScope, mat: pm.Material, opening_day: dt.date
) -> None:
    """Record the plant file's on-hand as the opening movement, once, on first write."""
    eid, actor = scope.enterprise_id, scope.actor
    exists = session.scalar(
        select(StockMovement.id).where(
            StockMovement.enterprise_id == eid,
            StockMovement.material_id == mat.id,
            StockMovement.kind == MovementKind.opening.value,
        )
    )
    if exists is not None:
        return
    mv = StockMovement(
        enterprise_id=eid,
        material_id=mat.id,
        day=opening_day,
        kind=MovementKind.opening.value,
        qty=float(mat.on_hand),
        counted_qty=None,
        unit=mat.unit,
        reason="opening stock from the plant file",
        ref=None,
        actor=actor,
        recorded_at=now(),
    )
    audit.add(session, scope, mv, "stock_movements", reason=mv.reason)


def on_hand(session: Session, scope: EnterpriseScope, material_id: str, as_of: dt.date) -> float:
    """Stock at the end of ``as_of``: the sum of its movements up to that day."""
    ent = enterprise(session, scope.enterprise_id)
    mat = material(session, scope, material_id, body=False)
    return on_hand_all(session, scope, as_of, _ent=ent).get(mat.id, 0.0)


def on_hand_all(
    session: Session, scope: EnterpriseScope, as_of: dt.date, *, _ent: pm.Enterprise | None = None
) -> dict[str, float]:
    """Every material's stock at the end of ``as_of`` (one grouped query)."""
    eid = scope.enterprise_id
    ent = _ent or enterprise(session, eid)
    mats = materials(session, scope)
    sums = dict(
        session.execute(
            select(StockMovement.material_id, func.sum(StockMovement.qty))
            .where(StockMovement.enterprise_id == eid, StockMovement.day <= as_of)
            .group_by(StockMovement.material_id)
        ).all()
    )
    opened = set(
        session.scalars(
            select(StockMovement.material_id).where(
                StockMovement.enterprise_id == eid,
                StockMovement.kind == MovementKind.opening.value,
            )
        )
    )
    out = {}
    for m in mats:
        base = 0.0 if m.id in opened or as_of < ent.horizon_start else float(m.on_hand)
        out[m.id] = base + float(sums.get(m.id) or 0.0)
    return out


def ledger(
    session: Session,
    scope: EnterpriseScope,
    material_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[StockMovement]:
    material(session, scope, material_id, body=False)
    rows = _movements(session, scope, material_id)
    return [r for r in rows if (start is None or r.day >= start) and (end is None or r.day <= end)]


def _check_balance(
    balance: float, day: dt.date, kind: MovementKind, delta: float, mat: pm.Material
) -> None:
    if balance < -EPS:
        raise bad(
            "qty",
            msg(
                "%(kind)s of %(qty)s %(unit)s would leave %(material)s at %(balance)s %(unit)s "
                "on %(day)s",
                kind=kind.value,
                qty=format(abs(delta), "g"),
                unit=mat.unit,
                material=mat.id,
                balance=format(balance, "g"),
                day=day.isoformat(),
            ),
        )


def record_movement(session: Session, scope: EnterpriseScope, m: MovementIn) -> StockMovement:
    """Append one movement after checking it; audited. Raises naming the bad field.

    ``m.qty``: receipt/issue > 0; adjustment: signed; count: the counted stock."""
    eid, actor = scope.enterprise_id, scope.actor
    ent = enterprise(session, eid)
    mat = material(session, scope, m.material_id)
    kind = MovementKind(m.kind)
    if kind == MovementKind.opening:
        raise bad(
            "kind", msg("the opening stock comes from the plant file; record a count instead")
        )
    if not math.isfinite(m.qty):
        raise bad("qty", msg("must be a finite number"))
    if m.unit != mat.unit:
        raise bad(
            "unit",
            msg(
                "'%(unit)s' does not match %(material)s's unit '%(expected)s'",
                unit=m.unit,
                material=mat.id,
                expected=mat.unit,
            ),
        )
    if m.day < ent.horizon_start:
        raise bad(
            "day",
            msg(
                "%(day)s is before the opening stock on %(start)s",
                day=m.day.isoformat(),
                start=ent.horizon_start.isoformat(),
            ),
        )
    mine = (StockMovement.enterprise_id == eid, StockMovement.material_id == mat.id)
    last_count = session.scalar(
        select(func.max(StockMovement.day)).where(
            *mine, StockMovement.kind == MovementKind.count.value
        )
    )
    if last_count is not None and m.day < last_count:
        raise bad(
            "day",
            msg(
                "%(day)s is before the last count of %(material)s on %(count)s; date it on or "
                "after the count",
                day=m.day.isoformat(),
                material=mat.id,
                count=last_count.isoformat(),
            ),
        )
    opened = session.scalar(
        select(StockMovement.id).where(*mine, StockMovement.kind == MovementKind.opening.value)
    )
    opening = 0.0 if opened is not None else float(mat.on_hand)
    book = opening + float(
        session.scalar(
            select(func.coalesce(func.sum(StockMovement.qty), 0.0)).where(
                *mine, StockMovement.day <= m.day
            )
        )
        or 0.0
    )
    # Per-day sums after this day: usually none or a few (back-dated entries are rare).
    later = session.execute(
        select(StockMovement.day, func.sum(StockMovement.qty))
        .where(*mine, StockMovement.day > m.day)
        .group_by(StockMovement.day)
        .order_by(StockMovement.day)
    ).all()
    if kind in (MovementKind.receipt, MovementKind.issue):
        if m.qty <= 0:
            raise bad(
                "qty",
                msg(
                    "a %(kind)s needs a quantity > 0, got %(qty)s",
                    kind=kind.value,
                    qty=format(m.qty, "g"),
                ),
            )
        delta = m.qty if kind == MovementKind.receipt else -m.qty
    elif kind == MovementKind.adjustment:
        if abs(m.qty) <= EPS:
            raise bad("qty", msg("an adjustment needs a non-zero quantity"))
        if not m.reason.strip():
            raise bad("reason", msg("an adjustment needs a reason"))
        delta = m.qty
    else:  # count
        if m.qty < 0:
            raise bad("qty", msg("a count cannot be negative, got %(qty)s", qty=format(m.qty, "g")))
        delta = m.qty - book
    # The stock must stay ≥ 0 at the end of this day and of every later day in the ledger.
    _check_balance(book + delta, m.day, kind, delta, mat)
    running = book
    for day, qty in later:
        running += float(qty)
        _check_balance(running + delta, day, kind, delta, mat)
    _opening_row(session, scope, mat, ent.horizon_start)
    mv = StockMovement(
        enterprise_id=eid,
        material_id=mat.id,
        day=m.day,
        kind=kind.value,
        qty=float(delta),
        counted_qty=float(m.qty) if kind == MovementKind.count else None,
        unit=mat.unit,
        reason=m.reason.strip(),
        ref=m.ref,
        actor=actor,
        recorded_at=now(),
    )
    audit.add(session, scope, mv, "stock_movements", reason=mv.reason or None)
    return mv


# -- the prevention policy --------------------------------------------------------


def set_policy(session: Session, scope: EnterpriseScope, p: PolicyIn) -> PreventionPolicy:
    eid, actor = scope.enterprise_id, scope.actor
    enterprise(session, eid)
    if not (0 <= p.rounds_per_week <= 14):
        raise bad("rounds_per_week", f"expected 0 to 14 rounds a week, got {p.rounds_per_week:g}")
    if p.pool_size < 1 or p.pool_size > 50:
        raise bad("pool_size", f"expected 1 to 50 samples per pool, got {p.pool_size}")
    for mid in p.per_pool_materials:
        plant_row(session, pm.Material, eid, mid, "per_pool_materials", "material")
    zone_use = dict(p.per_zone_day or {})
    for mid, qty in zone_use.items():
        plant_row(session, pm.Material, eid, mid, "per_zone_day", "material")
        if not (math.isfinite(qty) and qty >= 0):
            raise bad("per_zone_day", f"{mid}: expected a use per zone-day ≥ 0, got {qty}")
    row = PreventionPolicy(
        enterprise_id=eid,
        effective_from=p.effective_from,
        rounds_per_week=float(p.rounds_per_week),
        pool_size=int(p.pool_size),
        per_pool_materials=sorted(p.per_pool_materials),
        per_zone_day={k: float(v) for k, v in sorted(zone_use.items())},
        actor=actor,
        recorded_at=now(),
    )
    audit.add(session, scope, row, "prevention_policies")
    return row


def policy_on(session: Session, scope: EnterpriseScope, day: dt.date) -> PreventionPolicy | None:
    """The policy in force on ``day``: the latest taking effect on or before it."""
    return session.scalars(
        select(PreventionPolicy)
        .where(
            PreventionPolicy.enterprise_id == scope.enterprise_id,
            PreventionPolicy.effective_from <= day,
        )
        .order_by(PreventionPolicy.effective_from.desc(), PreventionPolicy.id.desc())
        .limit(1)
    ).first()
