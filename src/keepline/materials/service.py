"""The stock ledger, the prevention policy, days of cover and reorder outlook.

Functions take a session and the caller's enterprise id; every query is scoped to it.
The caller owns the transaction: an error leaves nothing written once it rolls back.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit import service as audit
from keepline.materials import cover as cover_engine
from keepline.materials import reorder as reorder_engine
from keepline.materials.models import MovementKind, PreventionPolicy, StockMovement
from keepline.plant import models as pm
from keepline.recordkit import bad, enterprise, now, plant_row

EPS = 1e-9


# -- the ledger ---------------------------------------------------------------------


def material(session: Session, eid: str, material_id: str, *, body: bool = True) -> pm.Material:
    return plant_row(session, pm.Material, eid, material_id, "material_id", "material", body=body)


def _movements(session: Session, eid: str, material_id: str) -> list[StockMovement]:
    q = (
        select(StockMovement)
        .where(StockMovement.enterprise_id == eid, StockMovement.material_id == material_id)
        .order_by(StockMovement.day, StockMovement.id)
    )
    return list(session.scalars(q))


def _opening_row(
    session: Session, eid: str, mat: pm.Material, actor: str, opening_day: dt.date
) -> None:
    """Record the plant file's on-hand as the opening movement, once, on first write."""
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
    audit.add_row(
        session,
        mv,
        enterprise_id=eid,
        actor=actor,
        table="stock_movements",
        values=lambda r: r.values(),
        reason=mv.reason,
    )


def on_hand(session: Session, eid: str, material_id: str, as_of: dt.date) -> float:
    """Stock at the end of ``as_of``: the sum of its movements up to that day."""
    ent = enterprise(session, eid)
    mat = material(session, eid, material_id, body=False)
    return on_hand_all(session, eid, as_of, _ent=ent).get(mat.id, 0.0)


def on_hand_all(
    session: Session, eid: str, as_of: dt.date, *, _ent: pm.Enterprise | None = None
) -> dict[str, float]:
    """Every material's stock at the end of ``as_of`` (one grouped query)."""
    ent = _ent or enterprise(session, eid)
    mats = session.scalars(
        select(pm.Material).where(pm.Material.enterprise_id == eid).order_by(pm.Material.position)
    ).all()
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
    eid: str,
    material_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[StockMovement]:
    material(session, eid, material_id, body=False)
    rows = _movements(session, eid, material_id)
    return [r for r in rows if (start is None or r.day >= start) and (end is None or r.day <= end)]


@dataclass(frozen=True)
class MovementIn:
    material_id: str
    kind: MovementKind
    day: dt.date
    qty: float  # receipt/issue: > 0; adjustment: signed; count: the counted stock
    unit: str
    reason: str = ""
    ref: str | None = None


def _check_balance(
    balance: float, day: dt.date, kind: MovementKind, delta: float, mat: pm.Material
) -> None:
    if balance < -EPS:
        raise bad(
            "qty",
            f"{kind.value} of {abs(delta):g} {mat.unit} would leave {mat.id} at "
            f"{balance:g} {mat.unit} on {day.isoformat()}",
        )


def record_movement(session: Session, eid: str, actor: str, m: MovementIn) -> StockMovement:
    """Append one movement after checking it; audited. Raises naming the bad field."""
    ent = enterprise(session, eid)
    mat = material(session, eid, m.material_id)
    kind = MovementKind(m.kind)
    if kind == MovementKind.opening:
        raise bad("kind", "the opening stock comes from the plant file; record a count instead")
    if not math.isfinite(m.qty):
        raise bad("qty", "must be a finite number")
    if m.unit != mat.unit:
        raise bad("unit", f"'{m.unit}' does not match {mat.id}'s unit '{mat.unit}'")
    if m.day < ent.horizon_start:
        raise bad(
            "day",
            f"{m.day.isoformat()} is before the opening stock on {ent.horizon_start.isoformat()}",
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
            f"{m.day.isoformat()} is before the last count of {mat.id} on "
            f"{last_count.isoformat()}; date it on or after the count",
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
            raise bad("qty", f"a {kind.value} needs a quantity > 0, got {m.qty:g}")
        delta = m.qty if kind == MovementKind.receipt else -m.qty
    elif kind == MovementKind.adjustment:
        if abs(m.qty) <= EPS:
            raise bad("qty", "an adjustment needs a non-zero quantity")
        if not m.reason.strip():
            raise bad("reason", "an adjustment needs a reason")
        delta = m.qty
    else:  # count
        if m.qty < 0:
            raise bad("qty", f"a count cannot be negative, got {m.qty:g}")
        delta = m.qty - book
    # The stock must stay ≥ 0 at the end of this day and of every later day in the ledger.
    _check_balance(book + delta, m.day, kind, delta, mat)
    running = book
    for day, qty in later:
        running += float(qty)
        _check_balance(running + delta, day, kind, delta, mat)
    _opening_row(session, eid, mat, actor, ent.horizon_start)
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
    audit.add_row(
        session,
        mv,
        enterprise_id=eid,
        actor=actor,
        table="stock_movements",
        values=lambda r: r.values(),
        reason=mv.reason or None,
    )
    return mv


# -- the prevention policy --------------------------------------------------------


@dataclass(frozen=True)
class PolicyIn:
    effective_from: dt.date
    rounds_per_week: float = 0.0
    pool_size: int = 1
    per_pool_materials: tuple[str, ...] = ()
    per_zone_day: dict[str, float] | None = None


def set_policy(session: Session, eid: str, actor: str, p: PolicyIn) -> PreventionPolicy:
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
    audit.add_row(
        session,
        row,
        enterprise_id=eid,
        actor=actor,
        table="prevention_policies",
        values=lambda r: r.values(),
    )
    return row


def policy_on(session: Session, eid: str, day: dt.date) -> PreventionPolicy | None:
    """The policy in force on ``day``: the latest taking effect on or before it."""
    return session.scalars(
        select(PreventionPolicy)
        .where(PreventionPolicy.enterprise_id == eid, PreventionPolicy.effective_from <= day)
        .order_by(PreventionPolicy.effective_from.desc(), PreventionPolicy.id.desc())
        .limit(1)
    ).first()


# -- who is on site -------------------------------------------------------------------


@dataclass(frozen=True)
class Headcount:
    people: int
    basis: str


def headcount_on_site(session: Session, eid: str) -> Headcount:
    """Workers who may come to work: the roster's active workers not stopped by a health
    flag; the plant file's planned headcount when no roster has been loaded."""
    from keepline.health.models import Clearance
    from keepline.people.models import EmploymentStatus, Worker

    active = select(Worker.employee_no).where(
        Worker.enterprise_id == eid, Worker.employment_status == EmploymentStatus.active.value
    )
    rostered = session.scalar(select(func.count()).select_from(active.subquery())) or 0
    if rostered:
        stopped = (
            session.scalar(
                select(func.count())
                .select_from(Clearance)
                .join(
                    Worker,
                    (Worker.enterprise_id == Clearance.enterprise_id)
                    & (Worker.employee_no == Clearance.employee_no),
                )
                .where(
                    Clearance.enterprise_id == eid,
                    Clearance.cleared.is_(False),
                    Worker.employment_status == EmploymentStatus.active.value,
                )
            )
            or 0
        )
        return Headcount(rostered - stopped, f"roster: {rostered} active, {stopped} not cleared")
    planned = session.scalar(
        select(func.coalesce(func.sum(pm.Team.headcount), 0)).where(pm.Team.enterprise_id == eid)
    )
    return Headcount(int(planned or 0), "planned headcount (no roster loaded)")


# -- use per day -------------------------------------------------------------------------


def _bom(session: Session, eid: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for r in session.scalars(select(pm.BomItem).where(pm.BomItem.enterprise_id == eid)):
        out[r.product_id][r.material_id] = r.qty_per_unit
    return out


def production_series(
    session: Session, eid: str, as_of: dt.date, horizon: int
) -> tuple[dict[str, np.ndarray], str]:
    """Planned production per product per day from ``as_of``: from the latest stored plan
    that covers ``as_of``, else every line at full rate (an upper bound on use)."""
    from keepline.production.service import latest_plan_production

    planned = latest_plan_production(session, eid, as_of, horizon)
    if planned is not None:
        series, plan_id = planned
        return series, f"plan #{plan_id}"
    rates: dict[str, dict[str, float]] = defaultdict(dict)
    for r in session.scalars(select(pm.LineRate).where(pm.LineRate.enterprise_id == eid)):
        rates[r.line_id][r.product_id] = r.units_per_day
    out: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(horizon))
    for products in rates.values():
        # A line making several products shares its days evenly among them.
        for product, rate in products.items():
            out[product] = out[product] + rate / len(products)
    return dict(out), "all lines at full rate (no stored plan)"


@dataclass(frozen=True)
class UseBasis:
    use: dict[str, np.ndarray]  # material -> per day from as_of
    basis: dict[str, str]


def expected_use(session: Session, eid: str, as_of: dt.date, horizon: int) -> UseBasis:
    mats = session.scalars(
        select(pm.Material).where(pm.Material.enterprise_id == eid).order_by(pm.Material.position)
    ).all()
    head = headcount_on_site(session, eid)
    zones = (
        session.scalar(
            select(func.count()).select_from(pm.Zone).where(pm.Zone.enterprise_id == eid)
        )
        or 0
    )
    pol = policy_on(session, eid, as_of)
    regime = cover_engine.ScreeningRegime(
        rounds_per_week=pol.rounds_per_week if pol else 0.0,
        pool_size=pol.pool_size if pol else 1,
        per_pool_materials=frozenset(pol.per_pool_materials if pol else ()),
    )
    zone_use = dict(pol.per_zone_day) if pol else {}
    production, prod_basis = production_series(session, eid, as_of, horizon)
    bom = _bom(session, eid)
    use: dict[str, np.ndarray] = {}
    basis: dict[str, str] = {}
    for m in mats:
        if m.kind == "raw":
            series = np.zeros(horizon)
            for product, per in bom.items():
                if m.id in per and product in production:
                    series = series + production[product][:horizon] * per[m.id]
            use[m.id] = series
            basis[m.id] = f"BOM use, {prod_basis}"
        else:
            pu = cover_engine.PreventionUse(
                m.id, m.consumption_per_worker_day, m.consumption_per_test, zone_use.get(m.id, 0.0)
            )
            daily = cover_engine.prevention_daily_use(pu, head.people, zones, regime)
            use[m.id] = np.full(horizon, daily)
            parts = [f"{head.people} on site ({head.basis})"]
            if pol:
                parts.append(
                    f"policy from {pol.effective_from.isoformat()}: "
                    f"{pol.rounds_per_week:g} rounds/week, pools of {pol.pool_size}"
                )
            basis[m.id] = "; ".join(parts)
    return UseBasis(use, basis)


# -- cover and reorder --------------------------------------------------------------------


@dataclass(frozen=True)
class CoverRow:
    material_id: str
    name: str
    kind: str
    unit: str
    on_hand: float
    safety_stock: float
    use_today: float
    days_of_cover: float
    runs_out_on: dt.date | None
    below_safety_on: dt.date | None
    basis: str


@dataclass(frozen=True)
class Outlook:
    as_of: dt.date
    horizon_days: int
    cover: list[CoverRow]
    suggestions: list[reorder_engine.Suggestion]
    warnings: list[reorder_engine.BackupWarning]


def _date(as_of: dt.date, day: int | None) -> dt.date | None:
    return None if day is None else as_of + dt.timedelta(days=day)


def outlook(
    session: Session, eid: str, as_of: dt.date, horizon: int = 60, review_days: int = 14
) -> Outlook:
    """Days of cover, reorder suggestions and backup warnings for every material."""
    from keepline.logistics import service as logistics

    if horizon < 1 or horizon > 366:
        raise bad("horizon", f"expected 1 to 366 days, got {horizon}")
    enterprise(session, eid)
    stock = on_hand_all(session, eid, as_of)
    uses = expected_use(session, eid, as_of, horizon)
    receipts = logistics.scheduled_receipts(session, eid, as_of, horizon)
    options = logistics.supply_options_on(session, eid, as_of, horizon)
    mats = session.scalars(
        select(pm.Material).where(pm.Material.enterprise_id == eid).order_by(pm.Material.position)
    ).all()
    rows, suggestions, warnings = [], [], []
    for m in mats:
        state = reorder_engine.MaterialState(
            material=m.id,
            unit=m.unit,
            on_hand=stock[m.id],
            safety_stock=m.safety_stock,
            use=uses.use[m.id],
            receipts=receipts.get(m.id, np.zeros(horizon)),
            options=tuple(options.get(m.id, ())),
        )
        out = reorder_engine.outlook(state, review_days)
        rows.append(
            CoverRow(
                material_id=m.id,
                name=m.name,
                kind=m.kind,
                unit=m.unit,
                on_hand=stock[m.id],
                safety_stock=m.safety_stock,
                use_today=float(uses.use[m.id][0]),
                days_of_cover=cover_engine.days_of_cover(stock[m.id], uses.use[m.id]),
                runs_out_on=_date(as_of, out.runs_out_day),
                below_safety_on=_date(as_of, out.below_safety_day),
                basis=uses.basis[m.id],
            )
        )
        if out.suggestion:
            suggestions.append(out.suggestion)
        if out.warning:
            warnings.append(out.warning)
    return Outlook(as_of, horizon, rows, suggestions, warnings)


_DAY = re.compile(r"\bday (-?\d+)\b")


def dated(text: str, as_of: dt.date) -> str:
    """An engine message with its day numbers (0 = ``as_of``) written as dates."""
    return _DAY.sub(lambda m: (as_of + dt.timedelta(days=int(m.group(1)))).isoformat(), text)
