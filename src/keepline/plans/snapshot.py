"""Flow: the daily record of an enterprise on a day, read into the plan engine's
:class:`~keepline.plans.engine.RecordSnapshot`.

It reads only what the plans' triggers ask for (a plan without a days-of-cover trigger
never computes days of cover), through the other capabilities' services and tables:

* positives: cases confirmed in the window, in the zone their worker works in; pooled
  samples resulted positive in the window, in each zone one of their members works in
  (the day is the plant-local day of the result);
* declarations: the workers employed on the day (expected) and the plant-local time each
  declaration of the day was made, counted against the triggers' times of day;
  workers declaring fever on the day, by their zone;
* regions locked down on the day (``logistics``' region statuses);
* days of cover of the materials the triggers name (as ``materials.outlook`` computes
  them; a material nobody uses is left out);
* the city's risk level and control area (``plans.city``: by hand or from a scenario);
* critical orders at risk in the latest plan stored on or before the day;
* difficulties overdue (``difficulties.queries.overdue_for_enterprise``).

Above ``containment``, ``screening``, ``health``, ``logistics``, ``materials`` and
``production``; their services do not know it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Collection, Sequence

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.models import Case
from keepline.difficulties.queries import overdue_for_enterprise
from keepline.health.models import Declaration, Flag
from keepline.logistics.models import NodeState
from keepline.logistics.status import covers, list_statuses
from keepline.materials import cover as cover_engine
from keepline.materials.outlook import expected_use
from keepline.materials.service import on_hand_all
from keepline.people.models import Worker, employed_on
from keepline.plans import schema as s
from keepline.plans.city import status_on
from keepline.plans.engine import OrderAtRisk, Positive, RecordSnapshot
from keepline.plant import models as pm
from keepline.plant import schema as ps
from keepline.production.models import StoredPlan
from keepline.scope import EnterpriseScope
from keepline.screening.models import Sample, SampleKind, SampleMember

LATE = dt.time(23, 59, 59)
COVER_HORIZON_DAYS = 60


def overdue_difficulties(session: Session, scope: EnterpriseScope, day: dt.date) -> int:
    """How many of the enterprise's difficulties (诉求) are past one of their time limits
    as the record stands on ``day`` (now for today, the end of a past day): a difficulty
    past two limits counts once."""
    at = as_of_for(day)
    moment = utc_at(day + dt.timedelta(days=1)) if at is None else utc_at(day, at)
    items = overdue_for_enterprise(session, scope.enterprise_id, moment)
    return len({i.id for i in items})


def needs(plans: Sequence[s.PlanFile]) -> tuple[set[type], int]:
    """The leaf trigger types the plans use, and the longest positives window (days)."""
    kinds: set[type] = set()
    window = 1
    for plan in plans:
        for rule in plan.rules:
            for leaf in s.leaves(rule.when):
                kinds.add(type(leaf))
                if isinstance(leaf, s.PositiveInZone | s.PositivesWithin):
                    window = max(window, leaf.within_days)
    return kinds, window


def as_of_for(day: dt.date) -> dt.time | None:
    """The time of day the record stands at: now for today, the start of a day to come,
    None (the end of the day) for a day past."""
    today = clock.today()
    if day < today:
        return None
    if day > today:
        return dt.time(0)
    return clock.now().astimezone(clock.plant_tz()).time()


def utc_at(day: dt.date, at: dt.time = dt.time(0)) -> dt.datetime:
    """The plant-local ``day`` at ``at``, in UTC (as timestamps are stored: SQLite
    compares them as text, so a bound must be in UTC too)."""
    return dt.datetime.combine(day, at, tzinfo=clock.plant_tz()).astimezone(dt.UTC)


def _zones_of(session: Session, eid: str, nos: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(nos), 500):
        out.update(
            session.execute(
                select(Worker.employee_no, Worker.zone_id).where(
                    Worker.enterprise_id == eid, Worker.employee_no.in_(nos[i : i + 500])
                )
            ).all()
        )
    return out


def positives(
    session: Session, scope: EnterpriseScope, day: dt.date, window: int
) -> list[Positive]:
    """Cases confirmed and pools resulted positive in the ``window`` days ending ``day``.

    Read in steps (the window's cases and pools, then their members, then their zones)
    rather than one join, so a roster of 10,000 is probed for the few people concerned."""
    eid = scope.enterprise_id
    lo = day - dt.timedelta(days=window - 1)
    found = session.execute(
        select(Case.employee_no, Case.confirmed_on).where(
            Case.enterprise_id == eid, Case.confirmed_on >= lo, Case.confirmed_on <= day
        )
    ).all()
    pools = dict(
        session.execute(
            select(Sample.id, Sample.resulted_at).where(
                Sample.enterprise_id == eid,
                Sample.kind == SampleKind.pool.value,
                Sample.verdict == "positive",
                Sample.resulted_at >= utc_at(lo),
                Sample.resulted_at < utc_at(day + dt.timedelta(days=1)),
            )
        ).all()
    )
    members = (
        session.execute(
            select(SampleMember.sample_id, SampleMember.employee_no).where(
                SampleMember.enterprise_id == eid, SampleMember.sample_id.in_(list(pools))
            )
        ).all()
        if pools
        else []
    )
    zone = _zones_of(session, eid, sorted({n for n, _ in found} | {n for _, n in members}))
    out = [Positive(d, zone[n], s.PositiveKind.case) for n, d in found if n in zone]
    # A pool is one positive in each zone its members work in.
    out += [
        Positive(clock.local_day(pools[sid]), z, s.PositiveKind.positive_pool)
        for sid, z in sorted({(sid, zone[n]) for sid, n in members if n in zone})
    ]
    return sorted(out, key=lambda p: (p.day, p.zone, p.kind))


def declarations(
    session: Session, scope: EnterpriseScope, day: dt.date, by_times: Sequence[str]
) -> tuple[int, tuple[dt.time, ...]]:
    """(workers expected to declare on ``day``, when the day's declarations were made).

    The times are counted in SQL against each ``by_time`` the triggers use, not read
    one by one: ``n`` declarations made by 09:00 (and not by an earlier ``by_time``)
    appear as ``n`` times 09:00, those after the last ``by_time`` as 23:59:59. That is
    all a trigger reads of them, and 10,000 timestamps are not turned into Python."""
    eid = scope.enterprise_id
    expected = session.scalar(
        select(func.count())
        .select_from(Worker)
        .where(Worker.enterprise_id == eid, employed_on(day))
    )
    cutoffs = sorted({dt.time.fromisoformat(t) for t in by_times})
    counted = [
        func.coalesce(func.sum(case((Declaration.declared_at <= utc_at(day, t), 1), else_=0)), 0)
        for t in cutoffs
    ]
    total, *by = session.execute(
        select(func.count(), *counted).where(
            Declaration.enterprise_id == eid, Declaration.day == day
        )
    ).one()
    made: list[dt.time] = []
    before = 0
    for t, n in zip(cutoffs, by, strict=True):
        made += [t] * (int(n) - before)
        before = int(n)
    made += [LATE] * (int(total) - before)
    return int(expected or 0), tuple(made)


def fevers(session: Session, scope: EnterpriseScope, day: dt.date) -> dict[str, int]:
    """Workers declaring fever on ``day``, by the zone they work in."""
    eid = scope.enterprise_id
    rows = session.execute(
        select(Worker.zone_id, Declaration.flags)
        .join(
            Worker,
            and_(Worker.enterprise_id == eid, Worker.employee_no == Declaration.employee_no),
        )
        .where(
            Declaration.enterprise_id == eid,
            Declaration.day == day,
            Declaration.flagged == true(),  # '=' seeks the index (PostgreSQL: 'IS' does not)
        )
    )
    return dict(Counter(zone for zone, flags in rows if Flag.fever.value in (flags or [])))


def locked_regions(session: Session, scope: EnterpriseScope, day: dt.date) -> frozenset[str]:
    """Regions whose status in force on ``day`` is locked down (latest entry wins)."""
    latest: dict[str, tuple[int, str]] = {}
    for row in list_statuses(session, scope):
        newer = row.node_id not in latest or row.id > latest[row.node_id][0]
        if row.kind == "region" and covers(row, day) and newer:
            latest[row.node_id] = (row.id, row.state)
    return frozenset(r for r, (_, st) in latest.items() if st == NodeState.locked_down.value)


def days_of_cover(
    session: Session, scope: EnterpriseScope, day: dt.date, only: Collection[str] | None = None
) -> dict[str, float]:
    """Days of cover of each material (``only``: of these) as ``materials.outlook``
    computes them: stock at ``day`` over the expected use per day from it; a material
    nobody uses is left out."""
    stock = on_hand_all(session, scope, day)
    uses = expected_use(session, scope, day, COVER_HORIZON_DAYS, only)
    out = {}
    for m, use in uses.use.items():
        cover = cover_engine.days_of_cover(stock[m], use)
        if math.isfinite(cover):
            out[m] = cover
    return out


def cover_materials(plans: Sequence[s.PlanFile], plant: ps.PlantFile) -> set[str] | None:
    """The materials the plans' days-of-cover triggers look at (None: every one)."""
    out: set[str] = set()
    for plan in plans:
        for rule in plan.rules:
            for leaf in s.leaves(rule.when):
                if not isinstance(leaf, s.DaysOfCoverBelow):
                    continue
                if leaf.material != s.ANY:
                    out.add(leaf.material)
                elif leaf.material_kind is None:
                    return None
                else:
                    out |= {m.id for m in plant.materials if m.kind == leaf.material_kind}
    return out


def orders_at_risk(
    session: Session, scope: EnterpriseScope, day: dt.date
) -> tuple[OrderAtRisk, ...]:
    """Orders the latest plan stored on or before ``day`` lists at risk, with their class."""
    eid = scope.enterprise_id
    result = session.scalar(
        select(StoredPlan.result)
        .where(StoredPlan.enterprise_id == eid, StoredPlan.as_of <= day)
        .order_by(StoredPlan.as_of.desc(), StoredPlan.id.desc())
        .limit(1)
    )
    ids = list((result or {}).get("orders_at_risk", []))
    if not ids:
        return ()
    priority = dict(
        session.execute(
            select(pm.Order.id, pm.Order.priority).where(
                pm.Order.enterprise_id == eid, pm.Order.id.in_(ids)
            )
        ).all()
    )
    return tuple(OrderAtRisk(o, priority[o]) for o in sorted(ids) if o in priority)


# The plant for rules that read nothing of it (no region or days-of-cover trigger, no
# switch to a backup supplier).
NO_PLANT = ps.PlantFile.model_construct(materials=[], suppliers=[], lanes=[])


def needs_plant(plans: Sequence[s.PlanFile]) -> tuple[bool, bool]:
    """Whether evaluating the plans reads the plant: (its materials, their supply options
    with the suppliers and lanes). Days-of-cover triggers read the materials; region
    triggers and binding a switch to a backup supplier read the supply too."""
    kinds, _ = needs(plans)
    switch = any(
        isinstance(a, s.SwitchToBackupSupplier)
        for plan in plans
        for rule in plan.rules
        for a in rule.actions
    )
    supply = s.RegionLocked in kinds or switch
    return supply or s.DaysOfCoverBelow in kinds, supply


def plant_for_rules(
    session: Session, scope: EnterpriseScope, *, supply: bool = True
) -> ps.PlantFile:
    """The parts of the plant the rules read (materials with their supply options,
    suppliers, lanes; without ``supply`` the materials alone), from the stored plant,
    without validation: it was validated when loaded, and exporting the whole plant file
    would cost more than the evaluation."""
    eid = scope.enterprise_id
    options: dict[str, list[ps.SupplyOption]] = {}
    for o in (
        session.execute(
            select(
                pm.SupplyOption.material_id, pm.SupplyOption.supplier_id, pm.SupplyOption.priority
            )
            .where(pm.SupplyOption.enterprise_id == eid)
            .order_by(pm.SupplyOption.material_id, pm.SupplyOption.position)
        )
        if supply
        else ()
    ):
        options.setdefault(o.material_id, []).append(
            ps.SupplyOption.model_construct(supplier=o.supplier_id, priority=o.priority)
        )
    materials = [
        ps.Material.model_construct(id=m.id, kind=m.kind, supply_options=options.get(m.id, []))
        for m in session.execute(
            select(pm.Material.id, pm.Material.kind)
            .where(pm.Material.enterprise_id == eid)
            .order_by(pm.Material.position)
        )
    ]
    if not supply:
        return ps.PlantFile.model_construct(materials=materials, suppliers=[], lanes=[])
    suppliers = [
        ps.Supplier.model_construct(id=x.id, region_code=x.region_code)
        for x in session.execute(
            select(pm.Supplier.id, pm.Supplier.region_code).where(pm.Supplier.enterprise_id == eid)
        )
    ]
    lanes = [
        ps.Lane.model_construct(id=x.id, from_region=x.from_region)
        for x in session.execute(
            select(pm.Lane.id, pm.Lane.from_region).where(pm.Lane.enterprise_id == eid)
        )
    ]
    return ps.PlantFile.model_construct(materials=materials, suppliers=suppliers, lanes=lanes)


def read_snapshot(
    session: Session,
    scope: EnterpriseScope,
    day: dt.date,
    plans: Sequence[s.PlanFile],
    *,
    as_of: dt.time | None = None,
    now_for_today: bool = True,
    plant: ps.PlantFile | None = None,
) -> RecordSnapshot:
    """The record of ``day`` as the plans' triggers read it (``as_of``: the time of day,
    default :func:`as_of_for`)."""
    kinds, window = needs(plans)
    if as_of is None and now_for_today:
        as_of = as_of_for(day)
    snap: dict[str, object] = {"day": day, "as_of": as_of}
    if kinds & {s.PositiveInZone, s.PositivesWithin}:
        snap["positives"] = tuple(positives(session, scope, day, window))
    if s.MissingDeclarationsShare in kinds:
        by_times = [
            leaf.by_time
            for plan in plans
            for rule in plan.rules
            for leaf in s.leaves(rule.when)
            if isinstance(leaf, s.MissingDeclarationsShare)
        ]
        snap["declarations_expected"], snap["declarations_made_at"] = declarations(
            session, scope, day, by_times
        )
    if s.FeverInZone in kinds:
        snap["fevers"] = fevers(session, scope, day)
    if s.RegionLocked in kinds:
        snap["locked_regions"] = locked_regions(session, scope, day)
    if s.DaysOfCoverBelow in kinds:
        only = cover_materials(plans, plant) if plant is not None else None
        snap["days_of_cover"] = days_of_cover(session, scope, day, only)
    if s.CityRisk in kinds:
        snap["city_risk_level"], snap["control_area"] = status_on(session, scope, day)
    if s.CriticalOrderAtRisk in kinds:
        snap["orders_at_risk"] = orders_at_risk(session, scope, day)
    if s.DifficultyOverdue in kinds:
        snap["overdue_difficulties"] = overdue_difficulties(session, scope, day)
    return RecordSnapshot(**snap)  # type: ignore[arg-type]
