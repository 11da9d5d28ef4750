"""Flow: a synthetic city for the demo and the benchmark (``keepline gov generate-city``).

Each synthetic enterprise gets a small plant model (a production zone, a warehouse and a
dormitory; one shift, one team, one line making one product from one raw material;
masks as a prevention material; one order), a roster of workers with synthetic numbers
(no names beyond 'Worker n', no phones or ID numbers), a registration with industry,
scale and tags, a resumption-state history, and ``record_days`` days of daily record
(declarations, a few isolations, an occasional locked zone, output, stock issues).
``history_days`` more days before those get synthetic daily reports directly (marked
``generate-city``), so a 30-day trend does not need 30 days of a million declarations.

Rows are written in bulk (one INSERT per table and batch); the generation is audited
once per enterprise and table group, not per row.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from keepline import clock
from keepline.audit import service as audit
from keepline.containment.models import Restriction, ZoneStateChange
from keepline.db import Base, analyze_after_bulk
from keepline.difficulties import demo as difficulties_demo
from keepline.government import jurisdictions
from keepline.government.models import (
    DailyReport,
    Listing,
    Registration,
    ResumptionChange,
    ResumptionState,
    Scale,
)
from keepline.health.models import Declaration
from keepline.materials.models import StockMovement
from keepline.people.models import Worker
from keepline.plant import models as pm
from keepline.production.models import OutputRecord
from keepline.recordkit import bad, now
from keepline.scope import JurisdictionScope

INDUSTRIES = (
    "medical devices",
    "electronics",
    "food processing",
    "machinery",
    "textiles",
    "chemicals",
    "logistics",
)
TAGS = ("key-epidemic-supplies", "livelihood", "resumption-white-list")
BATCH = 20_000


@dataclass(frozen=True)
class CityPlan:
    enterprises: int
    workers: int
    record_days: int
    history_days: int
    seed: int


def _batched(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


def _bulk(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    for part in _batched(rows):
        session.execute(insert(model), list(part))


def _sizes(rng: random.Random, n: int, total: int) -> list[int]:
    weights = [rng.lognormvariate(0, 0.8) for _ in range(n)]
    scale = total / sum(weights)
    sizes = [max(5, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    if sizes[0] < 5:
        sizes[0] = 5
    return sizes


def generate_city(session: Session, scope: JurisdictionScope, plan: CityPlan) -> dict[str, int]:
    """Generate ``plan.enterprises`` enterprises under the caller's jurisdiction."""
    if plan.enterprises < 1:
        raise bad("enterprises", "at least 1")
    if plan.workers < 5 * plan.enterprises:
        raise bad("workers", f"at least 5 per enterprise ({5 * plan.enterprises})")
    root = jurisdictions.home(session, scope)
    leaves = [j.id for j in jurisdictions.subtree(session, scope)]
    rng = random.Random(plan.seed)
    today = clock.today()
    first_record = today - dt.timedelta(days=plan.record_days - 1)
    first_day = first_record - dt.timedelta(days=plan.history_days)
    prefix = f"{root.id}-gen"
    taken = set(
        session.scalars(select(pm.Enterprise.id).where(pm.Enterprise.id.like(f"{prefix}-%")))
    )
    start_no = len(taken) + 1
    eids = [f"{prefix}-{start_no + i:05d}" for i in range(plan.enterprises)]
    sizes = _sizes(rng, plan.enterprises, plan.workers)
    at = now()
    rows: dict[type[Base], list[dict[str, Any]]] = {
        m: []
        for m in (
            pm.Enterprise,
            pm.Zone,
            pm.Shift,
            pm.Team,
            pm.Product,
            pm.Line,
            pm.LineRate,
            pm.Material,
            pm.BomItem,
            pm.Order,
            Registration,
            Listing,
            ResumptionChange,
            Worker,
            Declaration,
            Restriction,
            ZoneStateChange,
            OutputRecord,
            StockMovement,
            DailyReport,
        )
    }
    counts: dict[str, int] = {}

    def flush() -> None:
        for model, r in rows.items():
            _bulk(session, model, r)
            name = model.__tablename__  # type: ignore[attr-defined]
            counts[name] = counts.get(name, 0) + len(r)
            r.clear()

    for eid, size in zip(eids, sizes, strict=True):
        if len(rows[Worker]) + len(rows[Declaration]) > 200_000:
            flush()
        industry = rng.choice(INDUSTRIES)
        jur = leaves[rng.randrange(len(leaves))]
        rate = float(rng.choice((200, 500, 1000, 2000)))
        rows[pm.Enterprise].append(
            dict(
                id=eid,
                name=f"Synthetic {industry} works {eid[-5:]}",
                region_code="000000",
                sector=industry,
                jurisdiction=jur,
                horizon_start=first_day,
                format_version=1,
            )
        )
        for pos, (zid, kind, cap) in enumerate(
            (
                ("prod", "production", size),
                ("warehouse", "warehouse", 20),
                ("dorm", "dormitory", size),
            )
        ):
            rows[pm.Zone].append(
                dict(
                    enterprise_id=eid,
                    id=zid,
                    position=pos,
                    name=zid,
                    kind=kind,
                    capacity_people=cap,
                )
            )
        rows[pm.Shift].append(
            dict(enterprise_id=eid, id="day", position=0, start="08:00", end="17:00")
        )
        rows[pm.Team].append(
            dict(
                enterprise_id=eid,
                id="team-1",
                position=0,
                zone_id="prod",
                shift_id="day",
                headcount=size,
                skills=[],
                housing="commuter",
            )
        )
        rows[pm.Product].append(dict(enterprise_id=eid, id="p1", position=0, name="product"))
        rows[pm.Line].append(
            dict(enterprise_id=eid, id="line-1", position=0, zone_id="prod", shifts=["day"])
        )
        rows[pm.LineRate].append(
            dict(
                enterprise_id=eid, line_id="line-1", product_id="p1", position=0, units_per_day=rate
            )
        )
        cover = rng.choice((3, 10, 20, 40))
        rows[pm.Material].append(
            dict(
                enterprise_id=eid,
                id="raw-1",
                position=0,
                name="raw material",
                kind="raw",
                unit="unit",
                on_hand=rate * cover,
                safety_stock=rate,
                consumption_per_worker_day=0.0,
                consumption_per_test=0.0,
            )
        )
        rows[pm.Material].append(
            dict(
                enterprise_id=eid,
                id="masks",
                position=1,
                name="masks",
                kind="prevention",
                unit="piece",
                on_hand=float(size * rng.choice((5, 14, 30))),
                safety_stock=0.0,
                consumption_per_worker_day=1.0,
                consumption_per_test=0.0,
            )
        )
        rows[pm.BomItem].append(
            dict(
                enterprise_id=eid,
                product_id="p1",
                material_id="raw-1",
                position=0,
                qty_per_unit=1.0,
            )
        )
        priority = rng.choice(("front-line", "livelihood", "standard", "standard"))
        rows[pm.Order].append(
            dict(
                enterprise_id=eid,
                id="o1",
                position=0,
                customer="customer",
                product_id="p1",
                qty=rate * rng.choice((5, 20, 60)),
                due=today + dt.timedelta(days=rng.choice((3, 10, 30))),
                priority=priority,
                penalty_per_unit_day=1.0,
            )
        )
        rows[Registration].append(
            dict(
                enterprise_id=eid,
                jurisdiction_id=jur,
                industry=industry,
                scale=(
                    Scale.large if size > 1000 else Scale.medium if size > 300 else Scale.small
                ).value,
                address=f"{rng.randrange(1, 999)} Industrial Road",
                contact_name="Office",
                contact_phone="",
                resumption_state=ResumptionState.not_resumed.value,
                registered_on=first_day,
                registered_by=scope.actor,
            )
        )
        for tag in TAGS:
            if rng.random() < 0.25:
                rows[Listing].append(
                    dict(
                        enterprise_id=eid,
                        tag=tag,
                        listed_on=first_day,
                        document="synthetic notice",
                        actor=scope.actor,
                    )
                )
        state = ResumptionState.not_resumed.value
        rows[ResumptionChange].append(
            dict(
                enterprise_id=eid,
                state=state,
                previous=None,
                day=first_day,
                reason="registered",
                actor=scope.actor,
                at=at,
            )
        )
        span = plan.history_days + plan.record_days
        if rng.random() < 0.85:
            d1 = first_day + dt.timedelta(days=rng.randrange(max(1, span)))
            new = (
                ResumptionState.partly.value if rng.random() < 0.4 else ResumptionState.fully.value
            )
            rows[ResumptionChange].append(
                dict(
                    enterprise_id=eid,
                    state=new,
                    previous=state,
                    day=d1,
                    reason="synthetic",
                    actor=scope.actor,
                    at=at,
                )
            )
            state = new
        rows[Registration][-1]["resumption_state"] = state
        # The roster.
        dorm_share = rng.random() * 0.6
        workers = [
            dict(
                enterprise_id=eid,
                employee_no=f"E{n:06d}",
                name=f"Worker {n}",
                phone=None,
                id_number=None,
                zone_id="prod",
                shift_id="day",
                team_id="team-1",
                skills=[],
                housing="dorm" if rng.random() < dorm_share else "commuter",
                employment_status="active",
                updated_at=at,
            )
            for n in range(1, size + 1)
        ]
        rows[Worker].extend(workers)
        # The daily record, record_days days.
        declare_share = rng.uniform(0.7, 1.0)
        for k in range(plan.record_days):
            day = first_record + dt.timedelta(days=k)
            for w in workers:
                if rng.random() < declare_share:
                    fever = rng.random() < 0.002
                    rows[Declaration].append(
                        dict(
                            enterprise_id=eid,
                            employee_no=w["employee_no"],
                            day=day,
                            temperature_c=37.8 if fever else 36.5,
                            symptoms=[],
                            health_code="green",
                            risk_travel=False,
                            close_contact=False,
                            flags=["fever"] if fever else [],
                            flagged=fever,
                            declared_at=at,
                        )
                    )
            output = rate * rng.uniform(0.2, 1.0) if state in ("partly", "fully") else 0.0
            if output:
                rows[OutputRecord].append(
                    dict(
                        enterprise_id=eid,
                        line_id="line-1",
                        product_id="p1",
                        day=day,
                        qty=round(output, 1),
                        note="",
                        actor=scope.actor,
                        recorded_at=at,
                    )
                )
                rows[StockMovement].append(
                    dict(
                        enterprise_id=eid,
                        material_id="raw-1",
                        day=day,
                        kind="issue",
                        qty=-round(output, 1),
                        counted_qty=None,
                        unit="unit",
                        reason="production",
                        ref=None,
                        actor=scope.actor,
                        recorded_at=at,
                    )
                )
        if rng.random() < 0.03:
            n_iso = max(1, size // 100)
            for w in workers[:n_iso]:
                rows[Restriction].append(
                    dict(
                        enterprise_id=eid,
                        employee_no=w["employee_no"],
                        kind="isolation",
                        reason="case",
                        start_day=first_record,
                        end_day=None,
                        end_rule="negative-tests:2",
                        negative_tests=0,
                        case_id=None,
                        sample_id=None,
                        note="",
                        created_by=scope.actor,
                        created_at=at,
                    )
                )
        if rng.random() < 0.01:
            rows[ZoneStateChange].append(
                dict(
                    enterprise_id=eid,
                    zone_id="prod",
                    state="locked",
                    previous="open",
                    at=at,
                    day=first_record,
                    by=scope.actor,
                    reason="synthetic",
                    closed_loop=rng.random() < 0.5,
                )
            )
        # Synthetic reports for the history days before the record.
        for k in range(plan.history_days):
            day = first_day + dt.timedelta(days=k)
            on = rng.uniform(0.5, 1.0)
            util = rng.uniform(0.1, 1.0)
            rows[DailyReport].append(
                dict(
                    enterprise_id=eid,
                    day=day,
                    rostered=size,
                    on_site=int(size * on),
                    isolated=0,
                    quarantined=0,
                    not_cleared=0,
                    declared=int(size * declare_share),
                    declarations_missing=size - int(size * declare_share),
                    declarations_flagged=0,
                    screening_rounds=0,
                    people_screened=0,
                    positives=int(rng.random() < 0.02),
                    new_cases=0,
                    open_cases=0,
                    zones_restricted=0,
                    zones_locked=0,
                    output_units=round(rate * util, 1),
                    capacity_lines=1,
                    utilisation=round(util, 6),
                    front_line_at_risk=0,
                    livelihood_at_risk=0,
                    min_days_of_cover=float(cover),
                    materials_under_7d=int(cover < 7),
                    detail={"synthetic": True},
                    submitted_by="generate-city",
                    submitted_at=at,
                    automatic=True,
                )
            )
    flush()
    analyze_after_bulk(
        session,
        sum(counts.values()),
        "workers",
        "declarations",
        "gov_registrations",
        "gov_daily_reports",
        "output_records",
        "stock_movements",
    )
    audit.record_many(
        session,
        enterprise_id=None,
        jurisdiction=root.id,
        actor=scope.actor,
        table="gov_registrations",
        changes=[audit.Change("insert", eid, None, {"generated": True}) for eid in eids],
        reason=f"generate-city: {counts}",
    )
    counts["difficulties"] = difficulties_demo.add_demo(session, scope, eids, clock.now())
    return counts
