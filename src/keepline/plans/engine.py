"""Evaluate a plan's rules on one day of the record: pure, deterministic, no database.

The shell (a flow, later) reads the daily record into a :class:`RecordSnapshot`; the
engine returns the rules that fire, each with what fired it (the zone, material,
supplier, region or order it *carries*), the reasons in words, and its actions with
their parameters bound (``$zone`` → ``assembly``, ``{zone}`` in a text filled in), split
into those that run by themselves and those that wait for a person.

A leaf trigger gives a list of *hits*; a hit is what it carries (``zone=assembly``) and
why. ``any`` gives its members' hits (hits carrying the same values merge); ``all`` joins
its members' hits, keeping the pairs that agree on every value both carry (a case in
``assembly`` and fever in ``assembly``, not fever in ``optics``). A rule fires once per
hit: its *cause* is the rule and what the hit carries. An activation is opened once per
cause and not again while one is open for it (:func:`to_open`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from keepline.plans import schema as s
from keepline.plant.schema import PlantFile

Carry = tuple[tuple[str, str], ...]  # sorted (name, value) pairs


@dataclass(frozen=True, slots=True)
class Positive:
    """A confirmed case, or a pooled sample that tested positive, on a day in a zone."""

    day: dt.date
    zone: str
    kind: s.PositiveKind = s.PositiveKind.case


@dataclass(frozen=True, slots=True)
class OrderAtRisk:
    """An order the latest production plan ships late."""

    order: str
    priority: str  # front-line, livelihood or standard


@dataclass(frozen=True)
class RecordSnapshot:
    """What the daily record says on ``day`` (as of ``as_of``, plant-local; None: end of day).

    ``positives`` may hold earlier days (the windows look back from ``day``; later days
    are ignored). ``declarations_made_at`` holds the plant-local time of each of the
    day's declarations; ``days_of_cover`` leaves out a material nobody uses (unbounded).
    """

    day: dt.date
    as_of: dt.time | None = None
    positives: tuple[Positive, ...] = ()
    declarations_expected: int = 0
    declarations_made_at: tuple[dt.time, ...] = ()
    fevers: Mapping[str, int] = field(default_factory=dict)  # zone -> workers with fever
    locked_regions: frozenset[str] = frozenset()
    days_of_cover: Mapping[str, float] = field(default_factory=dict)  # material -> days
    city_risk_level: s.RiskLevel | None = None
    control_area: bool = False
    orders_at_risk: tuple[OrderAtRisk, ...] = ()
    overdue_difficulties: int = 0


@dataclass(frozen=True, slots=True)
class Hit:
    carried: Carry
    reasons: tuple[str, ...]


@dataclass(frozen=True, order=True, slots=True)
class Cause:
    """Why an activation is open: a rule and what fired it (``zone=assembly``)."""

    rule: str
    carried: Carry = ()

    def key(self) -> str:
        """A stable text form, e.g. ``positive-lock|zone=assembly`` (for storage)."""
        return self.rule + "".join(
            f"{'|' if n == 0 else ','}{k}={v}" for n, (k, v) in enumerate(self.carried)
        )

    @classmethod
    def parse(cls, key: str) -> Cause:
        rule, _, rest = key.partition("|")
        pairs = tuple(tuple(p.split("=", 1)) for p in rest.split(",")) if rest else ()
        return cls(rule, tuple(sorted((k, v) for k, v in pairs)))


@dataclass(frozen=True, slots=True)
class BoundAction:
    """One action of a firing rule, with its parameters bound to what fired it."""

    rule: str
    index: int  # position in the rule's actions
    do: s.ActionKind
    auto: bool
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Firing:
    rule: str
    level: str
    cause: Cause
    reasons: tuple[str, ...]
    actions: tuple[BoundAction, ...]

    @property
    def carried(self) -> dict[str, str]:
        return dict(self.cause.carried)


@dataclass(frozen=True, slots=True)
class Evaluation:
    day: dt.date
    firings: tuple[Firing, ...]

    @property
    def to_run(self) -> list[BoundAction]:
        """Actions that run by themselves."""
        return [a for f in self.firings for a in f.actions if a.auto]

    @property
    def to_confirm(self) -> list[BoundAction]:
        """Actions that wait for a person."""
        return [a for f in self.firings for a in f.actions if not a.auto]


# -- what the triggers read -------------------------------------------------------------


class Fact(StrEnum):
    """A part of the record a trigger reads; a write says which ones it changed."""

    positives = "positives"  # cases confirmed, pooled samples resulted positive
    declarations = "declarations"  # the day's health declarations (and their fevers)
    clearance = "clearance"  # who may come to work: the headcount prevention use is per
    stock = "stock"  # stock movements
    statuses = "statuses"  # supplier and region statuses
    city = "city"  # the city's risk level and control area
    production_plan = "production_plan"  # the latest stored production plan
    # Changed by nothing that calls ``after_write``: only a full evaluation (`keepline
    # plans evaluate`, the server's periodic one) sees a change to these.
    roster = "roster"
    plant = "plant"
    policy = "policy"  # prevention policies (screening regime, per-zone use)
    difficulties = "difficulties"
    time = "time"  # the time of day (declarations missing by 10:00, limits passing)


ALL_FACTS: frozenset[Fact] = frozenset(Fact)

# Which facts each kind of trigger reads (what ``plans.snapshot`` reads for it).
READS: dict[s.TriggerKind, frozenset[Fact]] = {
    s.TriggerKind.positive_in_zone: frozenset({Fact.positives, Fact.roster}),
    s.TriggerKind.positives_within: frozenset({Fact.positives, Fact.roster}),
    s.TriggerKind.missing_declarations_share: frozenset(
        {Fact.declarations, Fact.roster, Fact.time}
    ),
    s.TriggerKind.fever_in_zone: frozenset({Fact.declarations, Fact.roster}),
    s.TriggerKind.region_locked: frozenset({Fact.statuses, Fact.plant}),
    s.TriggerKind.days_of_cover_below: frozenset(
        {Fact.stock, Fact.clearance, Fact.production_plan, Fact.policy, Fact.roster, Fact.plant}
    ),
    s.TriggerKind.city_risk: frozenset({Fact.city}),
    s.TriggerKind.critical_order_at_risk: frozenset({Fact.production_plan, Fact.plant}),
    s.TriggerKind.difficulty_overdue: frozenset({Fact.difficulties, Fact.time}),
}

# Which facts an action changes (the others change none a trigger reads: zone states,
# quarantines, screening rounds not yet sampled, purchases not yet received, tasks,
# messages, the plan level).
CHANGES: dict[s.ActionKind, frozenset[Fact]] = {
    s.ActionKind.replan: frozenset({Fact.production_plan}),
}


def declared(flagged: int) -> frozenset[Fact]:
    """What saving declarations changed: the declarations, and who may come to work when
    one of them was flagged (a flagged declaration stops its worker)."""
    return frozenset({Fact.declarations, Fact.clearance} if flagged else {Fact.declarations})


def reads(trigger: Any) -> frozenset[Fact]:
    """The facts a trigger (with its all/any members) reads."""
    return frozenset().union(*(READS[s.TriggerKind(leaf.kind)] for leaf in s.leaves(trigger)))


def depending_on(plan: s.PlanFile, changed: Collection[Fact]) -> s.PlanFile:
    """The plan with only the rules whose trigger (the whole rule) reads a changed fact,
    in plan order: the others would find what they found the last time."""
    touched = set(changed)
    rules = [r for r in plan.rules if reads(r.when) & touched]
    return plan if len(rules) == len(plan.rules) else plan.model_copy(update={"rules": rules})


# -- leaves -----------------------------------------------------------------------------


def _window(snap: RecordSnapshot, days: int) -> tuple[dt.date, dt.date]:
    return snap.day - dt.timedelta(days=days - 1), snap.day


def _span(lo: dt.date, hi: dt.date) -> str:
    return hi.isoformat() if lo == hi else f"{lo.isoformat()}..{hi.isoformat()}"


def _positives(
    snap: RecordSnapshot, what: Iterable[s.PositiveKind], days: int
) -> tuple[list[Positive], str]:
    lo, hi = _window(snap, days)
    kinds = set(what)
    return [p for p in snap.positives if lo <= p.day <= hi and p.kind in kinds], _span(lo, hi)


def _describe(found: list[Positive]) -> str:
    cases = sum(p.kind == s.PositiveKind.case for p in found)
    pools = len(found) - cases
    parts = []
    if cases:
        parts.append(f"{cases} case{'s' * (cases != 1)}")
    if pools:
        parts.append(f"{pools} positive pool{'s' * (pools != 1)}")
    return " and ".join(parts)


def _by_zone(found: list[Positive]) -> dict[str, list[Positive]]:
    out: dict[str, list[Positive]] = {}
    for p in sorted(found, key=lambda p: (p.zone, p.day)):
        out.setdefault(p.zone, []).append(p)
    return out


def _positive_in_zone(t: s.PositiveInZone, snap: RecordSnapshot, _: PlantFile) -> list[Hit]:
    found, span = _positives(snap, t.what, t.within_days)
    out = []
    for zone, here in _by_zone(found).items():
        if t.zone in (s.ANY, zone):
            out.append(Hit((("zone", zone),), (f"{_describe(here)} in zone {zone} on {span}",)))
    return out


def _positives_within(t: s.PositivesWithin, snap: RecordSnapshot, _: PlantFile) -> list[Hit]:
    found, span = _positives(snap, t.what, t.within_days)
    need = t.at_least_positives
    if t.per_zone:
        return [
            Hit(
                (("zone", zone),),
                (
                    f"{len(here)} positives ({_describe(here)}) in zone {zone} on {span}, "
                    f"at least {need}",
                ),
            )
            for zone, here in _by_zone(found).items()
            if len(here) >= need
        ]
    if t.zone != s.ANY:
        found = [p for p in found if p.zone == t.zone]
    if len(found) < need:
        return []
    where = f" in zone {t.zone}" if t.zone != s.ANY else ""
    carried: Carry = (("zone", t.zone),) if t.zone != s.ANY else ()
    text = f"{len(found)} positives ({_describe(found)}){where} on {span}, at least {need}"
    return [Hit(carried, (text,))]


def _missing_declarations(
    t: s.MissingDeclarationsShare, snap: RecordSnapshot, _: PlantFile
) -> list[Hit]:
    by = dt.time.fromisoformat(t.by_time)
    if snap.declarations_expected <= 0 or (snap.as_of is not None and snap.as_of < by):
        return []
    made = sum(1 for at in snap.declarations_made_at if at <= by)
    missing = max(snap.declarations_expected - made, 0)
    share = missing / snap.declarations_expected
    if share <= t.share_above:
        return []
    text = (
        f"{missing} of {snap.declarations_expected} declarations ({share:.1%}) missing at "
        f"{t.by_time}, above {t.share_above:.1%}"
    )
    return [Hit((), (text,))]


def _fever_in_zone(t: s.FeverInZone, snap: RecordSnapshot, _: PlantFile) -> list[Hit]:
    return [
        Hit((("zone", zone),), (f"{n} worker{'s' * (n != 1)} with fever in zone {zone}",))
        for zone, n in sorted(snap.fevers.items())
        if t.zone in (s.ANY, zone) and n >= t.at_least_workers
    ]


def _region_locked(t: s.RegionLocked, snap: RecordSnapshot, plant: PlantFile) -> list[Hit]:
    region_of = {x.id: x.region_code for x in plant.suppliers}
    lane_region = {ln.id: ln.from_region for ln in plant.lanes}
    out = []
    for m in plant.materials:
        if not m.supply_options:
            continue
        supplier = min(m.supply_options, key=lambda o: o.priority).supplier
        region = region_of.get(supplier)
        if region is None or region not in snap.locked_regions:
            continue
        if t.region != s.ANY and region != t.region:
            continue
        if t.supplier is not None and supplier != t.supplier:
            continue
        if t.lane is not None and lane_region.get(t.lane) != region:
            continue
        carried = (("material", m.id), ("region", region), ("supplier", supplier))
        text = f"region {region} is locked: {supplier}, primary supplier of {m.id}, is there"
        out.append(Hit(carried, (text,)))
    return out


def _days_of_cover(t: s.DaysOfCoverBelow, snap: RecordSnapshot, plant: PlantFile) -> list[Hit]:
    out = []
    for m in plant.materials:
        if t.material not in (s.ANY, m.id):
            continue
        if t.material_kind is not None and m.kind != t.material_kind:
            continue
        cover = snap.days_of_cover.get(m.id)
        if cover is None or cover >= t.below_days:
            continue
        text = f"{m.id}: {cover:.1f} days of cover, below {t.below_days:g}"
        out.append(Hit((("material", m.id),), (text,)))
    return out


def _city_risk(t: s.CityRisk, snap: RecordSnapshot, _: PlantFile) -> list[Hit]:
    reasons = []
    level = snap.city_risk_level
    at_least = t.risk_level_at_least
    if at_least is not None and level is not None and s.RiskLevel(level).rank >= at_least.rank:
        reasons.append(f"city risk level {level}, at least {at_least.value}")
    if t.control_area and snap.control_area:
        reasons.append("a control area is declared")
    return [Hit((), tuple(reasons))] if reasons else []


def _order_at_risk(t: s.CriticalOrderAtRisk, snap: RecordSnapshot, _: PlantFile) -> list[Hit]:
    classes = {p.value for p in t.priorities}
    return [
        Hit((("order", o.order),), (f"{o.priority} order {o.order} is late in the latest plan",))
        for o in sorted(snap.orders_at_risk, key=lambda o: o.order)
        if o.priority in classes
    ]


def _difficulty_overdue(t: s.DifficultyOverdue, snap: RecordSnapshot, _: PlantFile) -> list[Hit]:
    n = snap.overdue_difficulties
    if n < t.at_least_difficulties:
        return []
    return [Hit((), (f"{n} difficult{'ies' if n != 1 else 'y'} overdue",))]


_LEAF = {
    s.PositiveInZone: _positive_in_zone,
    s.PositivesWithin: _positives_within,
    s.MissingDeclarationsShare: _missing_declarations,
    s.FeverInZone: _fever_in_zone,
    s.RegionLocked: _region_locked,
    s.DaysOfCoverBelow: _days_of_cover,
    s.CityRisk: _city_risk,
    s.CriticalOrderAtRisk: _order_at_risk,
    s.DifficultyOverdue: _difficulty_overdue,
}


# -- combinations ---------------------------------------------------------------------


def _merge(hits: Iterable[Hit]) -> list[Hit]:
    """Hits carrying the same values become one, with the reasons of both (in order)."""
    out: dict[Carry, list[str]] = {}
    for h in hits:
        reasons = out.setdefault(h.carried, [])
        reasons.extend(r for r in h.reasons if r not in reasons)
    return [Hit(c, tuple(r)) for c, r in sorted(out.items())]


def _join(a: Hit, b: Hit) -> Hit | None:
    mine = dict(a.carried)
    for k, v in b.carried:
        if mine.get(k, v) != v:
            return None
        mine[k] = v
    return Hit(
        tuple(sorted(mine.items())), a.reasons + tuple(r for r in b.reasons if r not in a.reasons)
    )


def hits(trigger: Any, snap: RecordSnapshot, plant: PlantFile) -> list[Hit]:
    """The hits of a trigger (empty: it does not hold), sorted by what they carry."""
    if isinstance(trigger, s.AllOf):
        acc = [Hit((), ())]
        for member in trigger.all:
            theirs = hits(member, snap, plant)
            acc = [j for a in acc for b in theirs if (j := _join(a, b)) is not None]
            if not acc:
                return []
        return _merge(acc)
    if isinstance(trigger, s.AnyOf):
        return _merge(h for member in trigger.any for h in hits(member, snap, plant))
    return _merge(_LEAF[type(trigger)](trigger, snap, plant))


# -- actions -------------------------------------------------------------------------


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def bind(
    rule: s.Rule,
    index: int,
    action: Any,
    carried: Mapping[str, str],
    day: dt.date,
    plant: PlantFile,
) -> BoundAction:
    """The action's parameters with ``$zone``/``$material`` and ``{...}`` filled in.

    ``switch_to_backup_supplier`` also gets ``backup_supplier``: the material's next
    supply option by priority in the plant (None when it has none).
    """
    params: dict[str, Any] = action.model_dump(mode="json", exclude={"do", "auto"})
    values = _Fill(carried)
    values["rule"] = rule.id
    values["day"] = day.isoformat()
    for key, value in params.items():
        if value == s.FIRED_ZONE:
            params[key] = carried.get("zone", value)
        elif value == s.FIRED_MATERIAL:
            params[key] = carried.get("material", value)
        elif key in ("reason", "message", "text") and isinstance(value, str):
            params[key] = value.format_map(values)
    if isinstance(action, s.SwitchToBackupSupplier):
        params["backup_supplier"] = _backup(plant, params["material"])
    return BoundAction(rule.id, index, s.ActionKind(action.do), action.auto, params)


def _backup(plant: PlantFile, material: str) -> str | None:
    m = next((m for m in plant.materials if m.id == material), None)
    if m is None:
        return None
    options = sorted(m.supply_options, key=lambda o: o.priority)
    return options[1].supplier if len(options) > 1 else None


def evaluate(plan: s.PlanFile, snap: RecordSnapshot, plant: PlantFile) -> Evaluation:
    """The rules that fire on ``snap.day``, in plan order, one firing per cause."""
    firings = []
    for rule in plan.rules:
        for hit in hits(rule.when, snap, plant):
            carried = dict(hit.carried)
            actions = [
                bind(rule, j, a, carried, snap.day, plant) for j, a in enumerate(rule.actions)
            ]
            firings.append(
                Firing(
                    rule.id, rule.level, Cause(rule.id, hit.carried), hit.reasons, tuple(actions)
                )
            )
    return Evaluation(snap.day, tuple(firings))


def to_open(firings: Iterable[Firing], open_causes: Iterable[Cause | str]) -> list[Firing]:
    """The firings that open a new activation: none whose cause is already open, and each
    cause once (the first firing for it), in the order given."""
    seen = {c if isinstance(c, Cause) else Cause.parse(c) for c in open_causes}
    out = []
    for f in firings:
        if f.cause not in seen:
            seen.add(f.cause)
            out.append(f)
    return out
