"""Flow: the enterprise's daily report, computed from the daily record by aggregate SQL.

It reads the tables of the roster (``people``), health declarations and clearances
(``health``), containment (restrictions, cases, zone states), screening, production
output, the stock ledger and the plant model's orders and rates — their MODELS, never
their services — grouped by enterprise, so one call computes the reports of one
enterprise or of a whole city in a fixed number of queries.

The figures of enterprise E on day D (``docs/government.md`` has them with examples):

* rostered: E's workers employed on D (active, or marked as left from a later day).
* away: an active worker is away on D when isolated or quarantined on D (a restriction
  with ``start_day ≤ D`` and no ``end_day`` before D), not cleared on D (a clearance
  flagged on or before D and not cleared by the end of D), or in a zone closed on D
  (its latest state on or before D is ``locked`` or ``disinfecting``; a closed-loop
  lock keeps the dormitory-housed and sends the commuters away). ``on_site`` =
  rostered − away; ``isolated``/``quarantined``: active workers under each kind.
* declared: active workers' declarations for D; missing = rostered − declared;
  flagged: those with a flag.
* screening: rounds planned for D; people sampled in them (present members of pooled
  and single samples); positives: individual samples (single, retest) with verdict
  positive in them; new cases confirmed on D; open cases confirmed on or before D.
* zones restricted / locked: zones whose latest state on or before D is ``restricted``
  / ``locked`` or ``disinfecting``.
* output: units made on D; per line, utilisation = Σ over its products of
  units ÷ the line's rate for the product; the enterprise's utilisation is the mean
  over its lines with a rate (``capacity_lines``), none when it has no such line.
* orders at risk: front-line and livelihood orders not fully dispatched whose due date
  has passed, or whose remainder needs more days at the full rate of every line able
  to make it than are left until the due date (D through due), or that the latest plan
  stored on or before D lists at risk.
* days of cover, per material the plant uses (in a BOM or consumed per worker):
  stock at the end of D (the ledger, opening from the plant file) ÷ use per day, use
  being the issues of the 7 days ending D ÷ 7 or, when none were recorded, the BOM's
  use at D's output plus the per-worker use at D's on-site headcount. The report keeps
  the smallest and counts materials under 7 days.
* emergency plans: activations open at the end of D (opened before it, not closed by
  then); tasks overdue then (deadline passed, not done by then). For today, "the end of
  D" is now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, union
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.models import Case, Restriction, ZoneStateChange
from keepline.difficulties.models import Difficulty, open_at
from keepline.government import registry, reports
from keepline.government.schemas import DailyReportOut, ReportSubmitIn
from keepline.health.models import Clearance, Declaration
from keepline.logistics.models import CustomerShipment
from keepline.materials.models import MovementKind, StockMovement
from keepline.people.models import Worker, employed_on
from keepline.plans.models import Activation, Task
from keepline.plant import models as pm
from keepline.production.models import OutputRecord, StoredPlan
from keepline.recordkit import bad
from keepline.scope import EnterpriseScope, JurisdictionScope
from keepline.screening.models import Round, Sample, SampleMember

CHUNK = 500
CLOSED = ("locked", "disinfecting")
AT_RISK_CLASSES = ("front-line", "livelihood")
COVER_WINDOW_DAYS = 7
SHORT_COVER_DAYS = 7.0


@dataclass
class Figures:
    """One enterprise's daily report figures (aggregates only)."""

    rostered: int = 0
    on_site: int = 0
    isolated: int = 0
    quarantined: int = 0
    not_cleared: int = 0
    declared: int = 0
    declarations_missing: int = 0
    declarations_flagged: int = 0
    screening_rounds: int = 0
    people_screened: int = 0
    positives: int = 0
    new_cases: int = 0
    open_cases: int = 0
    zones_restricted: int = 0
    zones_locked: int = 0
    output_units: float = 0.0
    capacity_lines: int = 0
    utilisation: float | None = None
    front_line_at_risk: int = 0
    livelihood_at_risk: int = 0
    min_days_of_cover: float | None = None
    materials_under_7d: int = 0
    open_activations: int = 0
    overdue_tasks: int = 0
    open_difficulties: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        return asdict(self)


def _chunks(eids: Sequence[str]) -> Iterable[list[str]]:
    for i in range(0, len(eids), CHUNK):
        yield list(eids[i : i + CHUNK])


def _active(eids: list[str], day: dt.date) -> Any:
    return and_(Worker.enterprise_id.in_(eids), employed_on(day))


def zone_states(
    session: Session, eids: list[str], day: dt.date
) -> dict[str, dict[str, tuple[str, bool]]]:
    """Each zone's latest state on or before ``day``: enterprise → zone → (state, closed loop)."""
    out: dict[str, dict[str, tuple[str, bool]]] = defaultdict(dict)
    rows = session.execute(
        select(
            ZoneStateChange.enterprise_id,
            ZoneStateChange.zone_id,
            ZoneStateChange.state,
            ZoneStateChange.closed_loop,
        )
        .where(ZoneStateChange.enterprise_id.in_(eids), ZoneStateChange.day <= day)
        .order_by(ZoneStateChange.day, ZoneStateChange.at, ZoneStateChange.id)
    )
    for eid, zone, state, loop in rows:
        out[eid][zone] = (state, bool(loop))
    return out


def _people(session: Session, eids: list[str], day: dt.date, out: dict[str, Figures]) -> None:
    end_of_day = clock.from_epoch(clock.day_start(day + dt.timedelta(days=1))).astimezone(dt.UTC)
    restricted_on_day = and_(
        Restriction.enterprise_id.in_(eids),
        Restriction.start_day <= day,
        or_(Restriction.end_day.is_(None), Restriction.end_day >= day),
    )
    stopped_on_day = and_(
        Clearance.enterprise_id.in_(eids),
        Clearance.flagged_on.is_not(None),
        Clearance.flagged_on <= day,
        or_(Clearance.cleared.is_(False), Clearance.cleared_at >= end_of_day),
    )
    away = union(
        select(Restriction.enterprise_id, Restriction.employee_no).where(restricted_on_day),
        select(Clearance.enterprise_id, Clearance.employee_no).where(stopped_on_day),
    ).subquery()
    commuter = case((Worker.housing == "commuter", 1), else_=0)
    # Active workers per (enterprise, zone, commuter), and how many of them are away.
    by_zone = session.execute(
        select(
            Worker.enterprise_id,
            Worker.zone_id,
            commuter,
            func.count(),
            func.count(away.c.employee_no),
        )
        .select_from(Worker)
        .outerjoin(
            away,
            and_(
                away.c.enterprise_id == Worker.enterprise_id,
                away.c.employee_no == Worker.employee_no,
            ),
        )
        .where(_active(eids, day))
        .group_by(Worker.enterprise_id, Worker.zone_id, commuter)
    ).all()
    states = zone_states(session, eids, day)
    for eid, zone, is_commuter, n, n_away in by_zone:
        f = out[eid]
        f.rostered += n
        state, loop = states.get(eid, {}).get(zone, ("open", False))
        closed = state in CLOSED and (not loop or is_commuter)
        f.on_site += 0 if closed else n - n_away
    for eid, zones in states.items():
        f = out[eid]
        f.zones_restricted = sum(1 for s, _ in zones.values() if s == "restricted")
        f.zones_locked = sum(1 for s, _ in zones.values() if s in CLOSED)
    # Isolated / quarantined (active workers under each kind) and not cleared.
    for eid, kind, n in session.execute(
        select(
            Restriction.enterprise_id,
            Restriction.kind,
            func.count(func.distinct(Worker.employee_no)),
        )
        .join(
            Worker,
            and_(
                Worker.enterprise_id == Restriction.enterprise_id,
                Worker.employee_no == Restriction.employee_no,
            ),
        )
        .where(restricted_on_day, employed_on(day))
        .group_by(Restriction.enterprise_id, Restriction.kind)
    ):
        if kind == "isolation":
            out[eid].isolated = n
        else:
            out[eid].quarantined = n
    for eid, n in session.execute(
        select(Clearance.enterprise_id, func.count())
        .join(
            Worker,
            and_(
                Worker.enterprise_id == Clearance.enterprise_id,
                Worker.employee_no == Clearance.employee_no,
            ),
        )
        .where(stopped_on_day, employed_on(day))
        .group_by(Clearance.enterprise_id)
    ):
        out[eid].not_cleared = n
    # Declarations of active workers.
    for eid, n, flagged in session.execute(
        select(
            Declaration.enterprise_id,
            func.count(),
            func.coalesce(func.sum(case((Declaration.flagged.is_(True), 1), else_=0)), 0),
        )
        .join(
            Worker,
            and_(
                Worker.enterprise_id == Declaration.enterprise_id,
                Worker.employee_no == Declaration.employee_no,
            ),
        )
        .where(
            Declaration.enterprise_id.in_(eids),
            Declaration.day == day,
            employed_on(day),
        )
        .group_by(Declaration.enterprise_id)
    ):
        out[eid].declared = n
        out[eid].declarations_flagged = int(flagged)
    for f in out.values():
        f.declarations_missing = max(0, f.rostered - f.declared)


def people_sampled(key: Any, rounds: Any) -> Select[Any]:
    """(``key``, people sampled) over ``rounds`` (ids, or a select of them): the present
    members of their pooled and single samples, each person once."""
    return (
        select(key, func.count(func.distinct(SampleMember.employee_no)))
        .select_from(SampleMember)
        .join(
            Sample,
            and_(
                Sample.enterprise_id == SampleMember.enterprise_id,
                Sample.id == SampleMember.sample_id,
            ),
        )
        .where(
            Sample.round_id.in_(rounds),
            Sample.kind.in_(("pool", "single")),
            SampleMember.absent.is_(False),
        )
        .group_by(key)
    )


def positive_samples(key: Any, rounds: Any) -> Select[Any]:
    """(``key``, positives) over ``rounds``: individual samples (single, retest) positive."""
    return (
        select(key, func.count())
        .where(
            Sample.round_id.in_(rounds),
            Sample.kind.in_(("single", "retest")),
            Sample.verdict == "positive",
        )
        .group_by(key)
    )


def _screening(session: Session, eids: list[str], day: dt.date, out: dict[str, Figures]) -> None:
    for eid, n in session.execute(
        select(Round.enterprise_id, func.count())
        .where(Round.enterprise_id.in_(eids), Round.day == day)
        .group_by(Round.enterprise_id)
    ):
        out[eid].screening_rounds = n
    day_rounds = select(Round.id).where(Round.enterprise_id.in_(eids), Round.day == day)
    for eid, n in session.execute(people_sampled(SampleMember.enterprise_id, day_rounds)):
        out[eid].people_screened = n
    for eid, n in session.execute(positive_samples(Sample.enterprise_id, day_rounds)):
        out[eid].positives = n
    for eid, new, open_ in session.execute(
        select(
            Case.enterprise_id,
            func.coalesce(func.sum(case((Case.confirmed_on == day, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Case.status == "open", 1), else_=0)), 0),
        )
        .where(Case.enterprise_id.in_(eids), Case.confirmed_on <= day)
        .group_by(Case.enterprise_id)
    ):
        out[eid].new_cases = int(new)
        out[eid].open_cases = int(open_)


def _rates(session: Session, eids: list[str]) -> dict[str, dict[tuple[str, str], float]]:
    rates: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for eid, line, product, r in session.execute(
        select(
            pm.LineRate.enterprise_id,
            pm.LineRate.line_id,
            pm.LineRate.product_id,
            pm.LineRate.units_per_day,
        ).where(pm.LineRate.enterprise_id.in_(eids))
    ):
        if r > 0:
            rates[eid][(line, product)] = float(r)
    return rates


def _output(
    session: Session,
    eids: list[str],
    day: dt.date,
    rates: dict[str, dict[tuple[str, str], float]],
    out: dict[str, Figures],
) -> dict[str, dict[str, float]]:
    """Per line output and utilisation; returns units made per enterprise and product."""
    made: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    per_line: dict[str, dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0])
    )
    for eid, line, product, qty in session.execute(
        select(
            OutputRecord.enterprise_id,
            OutputRecord.line_id,
            OutputRecord.product_id,
            func.sum(OutputRecord.qty),
        )
        .where(OutputRecord.enterprise_id.in_(eids), OutputRecord.day == day)
        .group_by(OutputRecord.enterprise_id, OutputRecord.line_id, OutputRecord.product_id)
    ):
        qty = float(qty or 0.0)
        made[eid][product] += qty
        cell = per_line[eid][line]
        cell[0] += qty
        rate = rates.get(eid, {}).get((line, product))
        if rate:
            cell[1] += qty / rate
    for eid in eids:
        lines = sorted({ln for ln, _ in rates.get(eid, {})})
        f = out[eid]
        f.output_units = round(sum(c[0] for c in per_line[eid].values()), 6)
        f.capacity_lines = len(lines)
        f.utilisation = (
            round(sum(per_line[eid][ln][1] for ln in lines) / len(lines), 6) if lines else None
        )
        f.detail["lines"] = [
            {
                "line": ln,
                "output_units": round(per_line[eid][ln][0], 6),
                "full_rate_units": max(r for (x, _), r in rates[eid].items() if x == ln),
                "utilisation": round(per_line[eid][ln][1], 6),
            }
            for ln in lines
        ]
    return made


def _orders(
    session: Session,
    eids: list[str],
    day: dt.date,
    rates: dict[str, dict[tuple[str, str], float]],
    out: dict[str, Figures],
) -> None:
    shipped: dict[tuple[str, str], float] = {
        (eid, oid): float(q or 0.0)
        for eid, oid, q in session.execute(
            select(
                CustomerShipment.enterprise_id,
                CustomerShipment.order_id,
                func.sum(CustomerShipment.qty),
            )
            .where(
                CustomerShipment.enterprise_id.in_(eids),
                CustomerShipment.status.in_(("dispatched", "held", "delivered")),
            )
            .group_by(CustomerShipment.enterprise_id, CustomerShipment.order_id)
        )
    }
    latest: dict[str, int] = {}
    for pid, eid in session.execute(
        select(StoredPlan.id, StoredPlan.enterprise_id)
        .where(StoredPlan.enterprise_id.in_(eids), StoredPlan.as_of <= day)
        .order_by(StoredPlan.as_of, StoredPlan.created_at, StoredPlan.id)
    ):
        latest[eid] = pid
    planned_risk: dict[str, set[str]] = {}
    if latest:
        for eid, result in session.execute(
            select(StoredPlan.enterprise_id, StoredPlan.result).where(
                StoredPlan.id.in_(latest.values())
            )
        ):
            planned_risk[eid] = set((result or {}).get("orders_at_risk", []))
    full_rate: dict[tuple[str, str], float] = defaultdict(float)
    for eid, r in rates.items():
        for (_line, product), v in r.items():
            full_rate[(eid, product)] += v
    risky: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for eid, oid, product, qty, due, priority in session.execute(
        select(
            pm.Order.enterprise_id,
            pm.Order.id,
            pm.Order.product_id,
            pm.Order.qty,
            pm.Order.due,
            pm.Order.priority,
        )
        .where(pm.Order.enterprise_id.in_(eids), pm.Order.priority.in_(AT_RISK_CLASSES))
        .order_by(pm.Order.enterprise_id, pm.Order.position)
    ):
        remaining = max(0.0, float(qty) - shipped.get((eid, oid), 0.0))
        if remaining <= 1e-9:
            continue
        why = None
        if due < day:
            why = "overdue"
        else:
            rate = full_rate.get((eid, product), 0.0)
            days_left = (due - day).days + 1
            if rate <= 0 or remaining / rate > days_left:
                why = "beyond full-rate capacity before due"
            elif oid in planned_risk.get(eid, ()):
                why = "late in the latest plan"
        if why:
            risky[eid].append(
                {
                    "order": oid,
                    "priority": priority,
                    "due": due.isoformat(),
                    "remaining": remaining,
                    "why": why,
                }
            )
            if priority == "front-line":
                out[eid].front_line_at_risk += 1
            else:
                out[eid].livelihood_at_risk += 1
    for eid in eids:
        out[eid].detail["orders_at_risk"] = risky.get(eid, [])


def _cover(
    session: Session,
    eids: list[str],
    day: dt.date,
    made: dict[str, dict[str, float]],
    out: dict[str, Figures],
) -> None:
    window_start = day - dt.timedelta(days=COVER_WINDOW_DAYS - 1)
    sums: dict[tuple[str, str], float] = {}
    issued: dict[tuple[str, str], float] = {}
    opened: set[tuple[str, str]] = set()
    for eid, mid, total, issues, openings in session.execute(
        select(
            StockMovement.enterprise_id,
            StockMovement.material_id,
            func.sum(StockMovement.qty),
            func.coalesce(
                func.sum(
                    case(
                        (
                            and_(
                                StockMovement.kind == MovementKind.issue.value,
                                StockMovement.day >= window_start,
                            ),
                            -StockMovement.qty,
                        ),
                        else_=literal(0.0),
                    )
                ),
                0.0,
            ),
            func.coalesce(
                func.sum(case((StockMovement.kind == MovementKind.opening.value, 1), else_=0)), 0
            ),
        )
        .where(StockMovement.enterprise_id.in_(eids), StockMovement.day <= day)
        .group_by(StockMovement.enterprise_id, StockMovement.material_id)
    ):
        sums[(eid, mid)] = float(total or 0.0)
        issued[(eid, mid)] = float(issues or 0.0)
        if openings:
            opened.add((eid, mid))
    # Openings recorded after D still mean the plant file's figure is not the opening.
    for eid, mid in session.execute(
        select(StockMovement.enterprise_id, StockMovement.material_id)
        .where(
            StockMovement.enterprise_id.in_(eids), StockMovement.kind == MovementKind.opening.value
        )
        .distinct()
    ):
        opened.add((eid, mid))
    starts = dict(
        session.execute(
            select(pm.Enterprise.id, pm.Enterprise.horizon_start).where(pm.Enterprise.id.in_(eids))
        ).all()
    )
    bom: dict[tuple[str, str], float] = defaultdict(float)
    for eid, product, mid, q in session.execute(
        select(
            pm.BomItem.enterprise_id,
            pm.BomItem.product_id,
            pm.BomItem.material_id,
            pm.BomItem.qty_per_unit,
        ).where(pm.BomItem.enterprise_id.in_(eids))
    ):
        bom[(eid, mid)] += made.get(eid, {}).get(product, 0.0) * float(q)
    in_bom = set(
        session.execute(
            select(pm.BomItem.enterprise_id, pm.BomItem.material_id).where(
                pm.BomItem.enterprise_id.in_(eids)
            )
        ).all()
    )
    materials: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for eid, mid, on_hand, per_worker in session.execute(
        select(
            pm.Material.enterprise_id,
            pm.Material.id,
            pm.Material.on_hand,
            pm.Material.consumption_per_worker_day,
        )
        .where(pm.Material.enterprise_id.in_(eids))
        .order_by(pm.Material.enterprise_id, pm.Material.position)
    ):
        key = (eid, mid)
        if key not in in_bom and not per_worker:
            continue
        start = starts.get(eid)
        base = 0.0 if key in opened or (start is not None and day < start) else float(on_hand)
        stock = base + sums.get(key, 0.0)
        use = issued.get(key, 0.0) / COVER_WINDOW_DAYS
        if use <= 0:
            use = bom.get(key, 0.0) + float(per_worker or 0.0) * out[eid].on_site
        days = round(max(stock, 0.0) / use, 3) if use > 0 else None
        materials[eid].append(
            {
                "material": mid,
                "stock": round(stock, 6),
                "use_per_day": round(use, 6),
                "days_of_cover": days,
            }
        )
    for eid in eids:
        f = out[eid]
        rows = materials.get(eid, [])
        f.detail["materials"] = rows
        covered = [m["days_of_cover"] for m in rows if m["days_of_cover"] is not None]
        f.min_days_of_cover = min(covered) if covered else None
        f.materials_under_7d = sum(1 for d in covered if d < SHORT_COVER_DAYS)


def _report_end(day: dt.date) -> dt.datetime:
    """The end of ``day`` (plant time), or now if that is sooner: in UTC, as stored
    (SQLite compares timestamps as text)."""
    end_of_day = clock.from_epoch(clock.day_start(day + dt.timedelta(days=1))).astimezone(dt.UTC)
    return min(end_of_day, clock.now().astimezone(dt.UTC))


def _difficulties(session: Session, eids: list[str], day: dt.date, out: dict[str, Figures]) -> None:
    """Difficulties submitted and not closed at the end of the day (or now)."""
    for eid, n in session.execute(
        select(Difficulty.enterprise_id, func.count())
        .where(Difficulty.enterprise_id.in_(eids), open_at(_report_end(day)))
        .group_by(Difficulty.enterprise_id)
    ):
        out[eid].open_difficulties = int(n)


def _plans(session: Session, eids: list[str], day: dt.date, out: dict[str, Figures]) -> None:
    end = _report_end(day)
    still_open = and_(
        Activation.opened_at <= end,
        or_(Activation.closed_at.is_(None), Activation.closed_at > end),
    )
    for eid, n in session.execute(
        select(Activation.enterprise_id, func.count())
        .where(Activation.enterprise_id.in_(eids), still_open)
        .group_by(Activation.enterprise_id)
    ):
        out[eid].open_activations = int(n)
    # A task of an activation stood down is no longer anyone's to do.
    for eid, n in session.execute(
        select(Task.enterprise_id, func.count())
        .join(Activation, Activation.id == Task.activation_id)
        .where(
            Task.enterprise_id.in_(eids),
            still_open,
            Task.deadline < end,
            or_(Task.done_at.is_(None), Task.done_at > end),
        )
        .group_by(Task.enterprise_id)
    ):
        out[eid].overdue_tasks = int(n)


def compute(session: Session, enterprise_ids: Sequence[str], day: dt.date) -> dict[str, Figures]:
    """The daily-report figures of every enterprise in ``enterprise_ids`` on ``day``."""
    out: dict[str, Figures] = {}
    for eids in _chunks(list(enterprise_ids)):
        part = {e: Figures() for e in eids}
        _people(session, eids, day, part)
        _screening(session, eids, day, part)
        rates = _rates(session, eids)
        made = _output(session, eids, day, rates, part)
        _orders(session, eids, day, rates, part)
        _cover(session, eids, day, made, part)
        _plans(session, eids, day, part)
        _difficulties(session, eids, day, part)
        out.update(part)
    return out


# -- the flow: compute, show and submit -----------------------------------------------------


def draft(session: Session, scope: EnterpriseScope, day: dt.date) -> DailyReportOut:
    """The enterprise's report of ``day``: as submitted, or computed now (a draft)."""
    registry.own(session, scope)
    reports.check_day(day)
    row = reports.stored(session, scope.enterprise_id, day)
    if row is not None:
        return reports.stored_out(row)
    figures = compute(session, [scope.enterprise_id], day)[scope.enterprise_id]
    return reports.out(scope.enterprise_id, day, figures.values(), None)


def submit(session: Session, scope: EnterpriseScope, body: ReportSubmitIn) -> DailyReportOut:
    """Compute and freeze the enterprise's report of ``day`` (once; not in the future)."""
    reg = registry.own(session, scope)
    reports.check_day(body.day)
    if reports.stored(session, scope.enterprise_id, body.day) is not None:
        raise bad("day", f"the report for {body.day.isoformat()} was already submitted")
    figures = compute(session, [scope.enterprise_id], body.day)[scope.enterprise_id]
    reports.store(
        session,
        {scope.enterprise_id: figures.values()},
        body.day,
        scope.actor,
        reg.jurisdiction_id,
    )
    row = reports.stored(session, scope.enterprise_id, body.day)
    assert row is not None
    return reports.stored_out(row)


def send_due(
    session: Session, scope: JurisdictionScope, day: dt.date, jurisdiction: str | None = None
) -> int:
    """Send automatically the reports of ``day`` that the enterprises under the
    jurisdiction have not submitted (run at the set time, e.g. from cron)."""
    reports.check_day(day)
    _done, missing_ids = reports.for_day(session, scope, day, jurisdiction)
    figures = compute(session, missing_ids, day)
    return reports.store(
        session,
        {e: f.values() for e, f in figures.items()},
        day,
        scope.actor,
        jurisdiction or scope.jurisdiction,
        automatic=True,
    )
