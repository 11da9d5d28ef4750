"""Flow: days of cover, reorder suggestions and backup warnings for every material.

Reads across capabilities: the ledger and the prevention policy (``materials.service``),
who is on site (the roster and health clearances), planned production (the stored plan,
``production.service``), purchases due in and each material's supply options today
(``logistics``). Above all of them; nothing below imports it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.health.models import Clearance
from keepline.logistics import purchases
from keepline.materials import cover as cover_engine
from keepline.materials import reorder as reorder_engine
from keepline.materials import service as materials
from keepline.materials.supply_options import supply_options_on
from keepline.people.models import Worker, employed_on
from keepline.plant import models as pm
from keepline.production import service as production
from keepline.recordkit import bad, enterprise
from keepline.scope import EnterpriseScope


@dataclass(frozen=True)
class Headcount:
    people: int
    basis: str


def headcount_on_site(session: Session, scope: EnterpriseScope) -> Headcount:
    """Workers who may come to work: the roster's active workers not stopped by a health
    flag; the plant file's planned headcount when no roster has been loaded."""
    eid = scope.enterprise_id
    active = select(Worker.employee_no).where(
        Worker.enterprise_id == eid, employed_on(clock.today())
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
                    employed_on(clock.today()),
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


def _bom(session: Session, scope: EnterpriseScope) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(dict)
    bom = select(pm.BomItem).where(pm.BomItem.enterprise_id == scope.enterprise_id)
    for r in session.scalars(bom):
        out[r.product_id][r.material_id] = r.qty_per_unit
    return out


def production_series(
    session: Session, scope: EnterpriseScope, as_of: dt.date, horizon: int
) -> tuple[dict[str, np.ndarray], str]:
    """Planned production per product per day from ``as_of``: from the latest stored plan
    that covers ``as_of``, else every line at full rate (an upper bound on use)."""
    planned = production.latest_plan_production(session, scope, as_of, horizon)
    if planned is not None:
        series, plan_id = planned
        return series, f"plan #{plan_id}"
    rates: dict[str, dict[str, float]] = defaultdict(dict)
    line_rates = select(pm.LineRate).where(pm.LineRate.enterprise_id == scope.enterprise_id)
    for r in session.scalars(line_rates):
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


def expected_use(
    session: Session,
    scope: EnterpriseScope,
    as_of: dt.date,
    horizon: int,
    only: Collection[str] | None = None,
) -> UseBasis:
    """Use per day of every material (``only``: of these; the headcount and the planned
    production are read only when a material needing them is asked for)."""
    eid = scope.enterprise_id
    mats = [m for m in materials.materials(session, scope) if only is None or m.id in only]
    prevention = any(m.kind != "raw" for m in mats)
    head = headcount_on_site(session, scope) if prevention else Headcount(0, "")
    zones = (
        session.scalar(
            select(func.count()).select_from(pm.Zone).where(pm.Zone.enterprise_id == eid)
        )
        or 0
    )
    pol = materials.policy_on(session, scope, as_of)
    regime = cover_engine.ScreeningRegime(
        rounds_per_week=pol.rounds_per_week if pol else 0.0,
        pool_size=pol.pool_size if pol else 1,
        per_pool_materials=frozenset(pol.per_pool_materials if pol else ()),
    )
    zone_use = dict(pol.per_zone_day) if pol else {}
    planned, prod_basis = (
        production_series(session, scope, as_of, horizon)
        if any(m.kind == "raw" for m in mats)
        else ({}, "")
    )
    bom = _bom(session, scope) if planned else {}
    use: dict[str, np.ndarray] = {}
    basis: dict[str, str] = {}
    for m in mats:
        if m.kind == "raw":
            series = np.zeros(horizon)
            for product, per in bom.items():
                if m.id in per and product in planned:
                    series = series + planned[product][:horizon] * per[m.id]
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
    session: Session,
    scope: EnterpriseScope,
    as_of: dt.date,
    horizon: int = 60,
    review_days: int = 14,
) -> Outlook:
    """Days of cover, reorder suggestions and backup warnings for every material."""
    if horizon < 1 or horizon > 366:
        raise bad("horizon", f"expected 1 to 366 days, got {horizon}")
    enterprise(session, scope.enterprise_id)
    stock = materials.on_hand_all(session, scope, as_of)
    uses = expected_use(session, scope, as_of, horizon)
    receipts = purchases.scheduled_receipts(session, scope, as_of, horizon)
    options = supply_options_on(session, scope, as_of, horizon)
    mats = materials.materials(session, scope)
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
