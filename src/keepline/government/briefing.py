"""Flow: the briefing pack of a visit — one page answering the questions the mayor asked
in the founding documents, from the enterprise's latest data, read only.

The figures are of ``as_of``: the visit's day, or today when the visit is still to come.
Every figure is an aggregate (a count, a sum, days of cover); nothing here reads or
returns a worker's name, number, phone or ID number, so a pack may go to any officer.

* prevention: the daily report's figures of ``as_of`` (:mod:`daily_report`: rostered,
  declarations, not cleared, isolations, cases, zones) and the last three screening
  rounds on or before it (people screened, positives);
* resumption: the registry's work-resumption state and its latest change;
* capacity: units made on ``as_of`` and in the 7 days ending it, utilisation, every order
  with what has left (dispatched, held or delivered shipments) and why it is at risk (the
  daily report's rule), and the orders the latest stored plan lists at risk;
* raw materials: days of cover of each material the plant uses (the daily report's), open
  purchase shipments and those at risk, open customer shipments and those held at a
  checkpoint, regions locked down or restricted on ``as_of``;
* backup suppliers: per material used, its supply options in the plant file (priority 1
  the primary, 2 and up backups) with each supplier's state on ``as_of`` (the worse of its
  own and its region's, as :mod:`logistics.status` has it);
* living: dormitory residents and commuters among the rostered (from the roster's
  housing), the plant's dormitory zones and zones in closed-loop lockdown; "not recorded"
  when there is no roster;
* difficulties (诉求) raised, open and past a time limit, by category;
* rectification tasks of the enterprise not yet verified, and how many are overdue.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.difficulties.models import Difficulty, open_at, overdue_at
from keepline.difficulties.queries import category_zh, day_start_utc
from keepline.government import daily_report, registry, visits
from keepline.government.models import ResumptionChange
from keepline.government.schemas import (
    BriefingBackup,
    BriefingCapacity,
    BriefingDifficulties,
    BriefingDifficultyCategory,
    BriefingLiving,
    BriefingMaterial,
    BriefingMaterials,
    BriefingOrder,
    BriefingOut,
    BriefingPrevention,
    BriefingResumption,
    BriefingRound,
    BriefingSupplier,
)
from keepline.logistics.models import (
    OPEN,
    CustomerShipment,
    NodeState,
    NodeStatus,
    PurchaseShipment,
    ShipmentStatus,
)
from keepline.logistics.status import SEVERITY, state_on
from keepline.people.models import Worker, employed_on
from keepline.plant import models as pm
from keepline.plant.schema import COMMUTER
from keepline.production.models import OutputRecord, StoredPlan
from keepline.scope import JurisdictionScope
from keepline.screening.models import Round, Sample

LAST_ROUNDS = 3
OUTPUT_WINDOW_DAYS = 7
LEFT = (ShipmentStatus.dispatched.value, ShipmentStatus.held.value, ShipmentStatus.delivered.value)


def _rounds(session: Session, eid: str, day: dt.date) -> list[BriefingRound]:
    rounds = session.execute(
        select(Round.id, Round.day, Round.test_type)
        .where(Round.enterprise_id == eid, Round.day <= day)
        .order_by(Round.day.desc(), Round.id.desc())
        .limit(LAST_ROUNDS)
    ).all()
    ids = [r.id for r in rounds]
    screened = dict(session.execute(daily_report.people_sampled(Sample.round_id, ids)).all())
    positives = dict(session.execute(daily_report.positive_samples(Sample.round_id, ids)).all())
    return [
        BriefingRound(
            day=r.day,
            test_type=r.test_type,
            people_screened=int(screened.get(r.id, 0)),
            positives=int(positives.get(r.id, 0)),
        )
        for r in rounds
    ]


def _capacity(
    session: Session, eid: str, day: dt.date, figures: daily_report.Figures
) -> BriefingCapacity:
    since = day - dt.timedelta(days=OUTPUT_WINDOW_DAYS - 1)
    week = session.scalar(
        select(func.coalesce(func.sum(OutputRecord.qty), 0.0)).where(
            OutputRecord.enterprise_id == eid, OutputRecord.day >= since, OutputRecord.day <= day
        )
    )
    shipped = dict(
        session.execute(
            select(CustomerShipment.order_id, func.sum(CustomerShipment.qty))
            .where(CustomerShipment.enterprise_id == eid, CustomerShipment.status.in_(LEFT))
            .group_by(CustomerShipment.order_id)
        ).all()
    )
    why = {o["order"]: o["why"] for o in figures.detail.get("orders_at_risk", [])}
    orders = []
    for o in session.scalars(
        select(pm.Order).where(pm.Order.enterprise_id == eid).order_by(pm.Order.position)
    ):
        out = float(shipped.get(o.id) or 0.0)
        status = "shipped" if out >= o.qty - 1e-9 else "part-shipped" if out > 0 else "open"
        orders.append(
            BriefingOrder(
                order=o.id,
                customer=o.customer,
                product=o.product_id,
                priority=o.priority,
                qty=o.qty,
                shipped=round(out, 6),
                due=o.due,
                status=status,
                at_risk=why.get(o.id),
            )
        )
    plan = session.execute(
        select(StoredPlan.as_of, StoredPlan.result)
        .where(StoredPlan.enterprise_id == eid, StoredPlan.as_of <= day)
        .order_by(StoredPlan.as_of.desc(), StoredPlan.created_at.desc(), StoredPlan.id.desc())
        .limit(1)
    ).first()
    return BriefingCapacity(
        output_units=figures.output_units,
        output_units_7d=round(float(week or 0.0), 6),
        capacity_lines=figures.capacity_lines,
        utilisation=figures.utilisation,
        orders_open=sum(1 for o in orders if o.status != "shipped"),
        front_line_at_risk=figures.front_line_at_risk,
        livelihood_at_risk=figures.livelihood_at_risk,
        orders=orders,
        plan_as_of=plan.as_of if plan else None,
        plan_orders_at_risk=list((plan.result or {}).get("orders_at_risk", [])) if plan else [],
    )


def _supply(
    session: Session, eid: str, day: dt.date, figures: daily_report.Figures
) -> tuple[BriefingMaterials, list[BriefingBackup]]:
    materials = {
        m.id: m
        for m in session.scalars(select(pm.Material).where(pm.Material.enterprise_id == eid))
    }
    used = [
        BriefingMaterial(
            material=m["material"],
            name=materials[m["material"]].name,
            kind=materials[m["material"]].kind,
            stock=m["stock"],
            use_per_day=m["use_per_day"],
            days_of_cover=m["days_of_cover"],
        )
        for m in figures.detail.get("materials", [])
    ]
    statuses = list(session.scalars(select(NodeStatus).where(NodeStatus.enterprise_id == eid)))
    suppliers = {
        s.id: s
        for s in session.scalars(select(pm.Supplier).where(pm.Supplier.enterprise_id == eid))
    }

    def state(kind: str, node: str) -> NodeState:
        row = state_on(statuses, kind, node, day)
        return NodeState(row.state) if row else NodeState.normal

    regions = sorted({r.node_id for r in statuses if r.kind == "region"})
    region_state = {code: state("region", code) for code in regions}
    options: dict[str, list[BriefingSupplier]] = defaultdict(list)
    for o in session.scalars(
        select(pm.SupplyOption)
        .where(pm.SupplyOption.enterprise_id == eid)
        .order_by(pm.SupplyOption.material_id, pm.SupplyOption.priority, pm.SupplyOption.position)
    ):
        sup = suppliers[o.supplier_id]
        worst = max(
            (state("supplier", sup.id), region_state.get(sup.region_code, NodeState.normal)),
            key=SEVERITY.__getitem__,
        )
        options[o.material_id].append(
            BriefingSupplier(
                supplier=sup.id,
                name=sup.name,
                region_code=sup.region_code,
                priority=o.priority,
                backup=o.priority > 1,
                state=worst.value,
            )
        )
    backups = [
        BriefingBackup(
            material=m.material,
            suppliers=options.get(m.material, []),
            has_backup=any(s.backup for s in options.get(m.material, [])),
        )
        for m in used
    ]
    open_ = [s.value for s in OPEN]
    purchases_open, purchases_at_risk = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((PurchaseShipment.at_risk.is_(True), 1), else_=0)), 0),
        ).where(PurchaseShipment.enterprise_id == eid, PurchaseShipment.status.in_(open_))
    ).one()
    shipments = dict(
        session.execute(
            select(CustomerShipment.status, func.count())
            .where(CustomerShipment.enterprise_id == eid, CustomerShipment.status.in_(open_))
            .group_by(CustomerShipment.status)
        ).all()
    )
    return (
        BriefingMaterials(
            materials=used,
            under_7_days=figures.materials_under_7d,
            purchases_open=int(purchases_open),
            purchases_at_risk=int(purchases_at_risk),
            shipments_open=int(sum(shipments.values())),
            shipments_held=int(shipments.get(ShipmentStatus.held.value, 0)),
            regions_locked=[c for c, s in region_state.items() if s == NodeState.locked_down],
            regions_restricted=[c for c, s in region_state.items() if s == NodeState.restricted],
        ),
        backups,
    )


def _difficulties(session: Session, eid: str, day: dt.date) -> BriefingDifficulties:
    """The enterprise's difficulties as they stand at the end of ``day`` (or now, today)."""
    at = min(day_start_utc(day + dt.timedelta(days=1)), clock.now())
    mine = Difficulty.enterprise_id == eid
    submitted = session.scalar(select(func.count()).where(mine, Difficulty.submitted_at <= at))
    rows = session.execute(
        select(
            Difficulty.category,
            func.count(),
            func.sum(case((overdue_at(at), 1), else_=0)),
        )
        .where(mine, open_at(at))
        .group_by(Difficulty.category)
        .order_by(Difficulty.category)
    ).all()
    by = [
        BriefingDifficultyCategory(
            category=c,
            category_zh=category_zh(c),
            open=int(n),
            overdue=int(late or 0),
        )
        for c, n, late in rows
    ]
    return BriefingDifficulties(
        recorded=bool(submitted),
        submitted=int(submitted or 0),
        open=sum(b.open for b in by),
        overdue=sum(b.overdue for b in by),
        by_category=by,
    )


def _living(session: Session, eid: str, day: dt.date) -> BriefingLiving:
    rostered, commuters = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Worker.housing == COMMUTER, 1), else_=0)), 0),
        ).where(Worker.enterprise_id == eid, employed_on(day))
    ).one()
    recorded = rostered > 0
    dorms = session.scalar(
        select(func.count()).where(pm.Zone.enterprise_id == eid, pm.Zone.kind == "dormitory")
    )
    zones = daily_report.zone_states(session, [eid], day).get(eid, {})
    return BriefingLiving(
        recorded=recorded,
        dormitory_residents=int(rostered - commuters) if recorded else None,
        commuters=int(commuters) if recorded else None,
        dormitory_zones=int(dorms or 0),
        closed_loop_zones=sum(
            1 for state, loop in zones.values() if loop and state in daily_report.CLOSED
        ),
    )


def pack(session: Session, scope: JurisdictionScope, visit_id: int) -> BriefingOut:
    """The briefing pack of the visit (the caller must oversee its enterprise)."""
    visit = visits.visit_of(session, scope, visit_id)
    eid = visit.enterprise_id
    reg = registry.visible(session, scope, eid)
    ent = session.get(pm.Enterprise, eid)
    as_of = min(visit.day, clock.today())
    f = daily_report.compute(session, [eid], as_of)[eid]
    change = session.scalar(
        select(ResumptionChange)
        .where(ResumptionChange.enterprise_id == eid)
        .order_by(ResumptionChange.day.desc(), ResumptionChange.id.desc())
        .limit(1)
    )
    materials, backups = _supply(session, eid, as_of, f)
    open_findings, overdue = visits.open_counts(session, eid, clock.today())
    return BriefingOut(
        visit_id=visit.id,
        enterprise_id=eid,
        name=ent.name if ent else eid,
        jurisdiction=reg.jurisdiction_id,
        industry=reg.industry,
        visit_day=visit.day,
        as_of=as_of,
        generated_at=clock.now(),
        topics=list(visit.topics),
        visitors=list(visit.visitors),
        prevention=BriefingPrevention(
            rostered=f.rostered,
            on_site=f.on_site,
            declared=f.declared,
            declarations_missing=f.declarations_missing,
            declarations_flagged=f.declarations_flagged,
            not_cleared=f.not_cleared,
            isolated=f.isolated,
            quarantined=f.quarantined,
            new_cases=f.new_cases,
            open_cases=f.open_cases,
            zones_restricted=f.zones_restricted,
            zones_locked=f.zones_locked,
            last_rounds=_rounds(session, eid, as_of),
        ),
        resumption=BriefingResumption(
            state=reg.resumption_state,
            since=change.day if change else None,
            reason=change.reason if change else None,
        ),
        capacity=_capacity(session, eid, as_of, f),
        materials=materials,
        backup_suppliers=backups,
        living=_living(session, eid, as_of),
        difficulties=_difficulties(session, eid, as_of),
        findings_open=open_findings,
        findings_overdue=overdue,
    )
