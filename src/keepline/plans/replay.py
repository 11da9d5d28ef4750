"""Replay a scenario against an emergency plan, day by day, in a simulation (pure, seeded).

A drill never touches the record: the plant (its file, or its loaded data read once into
memory by :mod:`keepline.plans.drill`) is simulated by the outbreak engine, one replicate
at a time, and each simulated day is turned into the :class:`~keepline.plans.engine.
RecordSnapshot` the plan's rules read in production. The engine's firings that open an
activation (:func:`~keepline.plans.engine.to_open`) run their automatic actions **in the
simulation**, and the simulation goes on under them.

Why a closed loop and not reruns. The plan acts on what the simulated record shows, so a
measure's day is only known once the days before it are simulated. The outbreak engine
draws every random number of a replicate from its own seeded stream and its days are
deterministic given the state, so :class:`keepline.outbreak.engine.Simulation` steps it one
day at a time and takes a measure (a zone closed, a screening round added, workers
quarantined) from the next day on. Stepping through with no measure is exactly
:func:`~keepline.outbreak.engine.simulate` (a test holds them equal), and a measure from day
d leaves every day before d as it was. Rerunning until no new firing would give the same
numbers at the cost of one run per firing day; stepping is the exact and simple way.

Timing: the record of day d is complete at the end of day d; the rules are evaluated on it
then, and an action takes effect from day d + 1 (a zone locked, a quarantine, a round with
``start_after_days: 0`` runs on day d + 1). An activation is opened once per cause while
open (``to_open``) and closes when its tasks are done: each task is assumed done
``task_delay[role]`` hours after the activation (:data:`DEFAULT_TASK_DELAY_HOURS`); one
with no tasks stays open to the end of the drill (nobody stands it down). Actions that
wait for a person do not run unless ``confirm_after_hours`` is given (they then run that
many hours, rounded up to whole days, after the firing).

What each action does here:

* ``set_zone_state``: locked / disinfecting closes the zone to work and to the outbreak
  engine's mixing at work (``closed_loop``: its dormitory residents keep working, as in
  :mod:`keepline.fitness`); open / reopened opens it; restricted is recorded only
  (``keepline.fitness`` keeps a restricted zone at work).
* ``quarantine_contacts``: the teams, zone-shifts and dormitories of the confirmed cases
  of the zone still in isolation are quarantined for ``quarantine_days`` (access-event
  contacts are not simulated).
* ``create_screening_rounds``: a round of the zone (every shift) on each of
  ``days_in_a_row`` days, pools of ``pool_size`` by team; an antigen positive is
  confirmed by PCR. A round samples the workers at work, so a locked zone's round finds
  nobody unless it is ``in_place`` (its workers sampled where they are), as in the
  record (:func:`keepline.screening.planning.plan_round`).
* ``switch_to_backup_supplier`` / ``raise_reorder``: prevention materials' stock is
  simulated from the workers on site and the swabs taken (as the assessment counts them);
  their days of cover are the stock over the mean use of the last seven days. A reorder
  up to N days of cover is dispatched the next day by the supply option in force, or on
  the first day its supplier's region is no longer locked, and arrives the option's lead
  time later (a locked region stops the delivery, so the cover keeps falling).
* ``replan``: the continuity planner on the workforce seen so far, today's availability
  held for the days to come (less the zones closed from tomorrow), and the disruptions
  announced so far; its late orders are what ``critical_order_at_risk`` reads next.
  Before the first re-plan the latest plan is the plant's plan of day 0 (the planner on
  the full roster and the disruptions announced by day 0: :func:`day0_orders_at_risk`).
* ``raise_level``, ``notify``: recorded (the level, the outbox). ``create_task``: the
  task, done ``task_delay_hours[role]`` after it was created.

The record's other facts, as the drill simulates them:

* health declarations: every worker is expected to declare each day; those isolated
  (cases, the symptomatic and pool-positive held) or quarantined that day do not declare
  at the plant, everyone else declares before any ``by_time`` (a drill assumption: no
  worker at work forgets);
* the city's risk level is ``high`` while the scenario declares a control area and
  ``medium`` from :data:`MEDIUM_RISK_PER_100K` infectious per 100,000 (a drill assumption).

Inputs the simulation has no model of (:func:`not_simulated`): raw materials' stock (the
planner does not consume it day by day here) and difficulties raised to the government.
A rule whose trigger needs them cannot fire in a drill; the report lists it apart from the
rules whose condition never held.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keepline.continuity.plan import plan as make_plan
from keepline.outbreak.engine import (
    ANTIGEN,
    PCR,
    Controls,
    DayEvents,
    Params,
    Round,
    Run,
    Simulation,
)
from keepline.outbreak.population import Population
from keepline.outbreak.results import per_replicate, workforce, workforce_of
from keepline.outbreak.world import world_from_scenario
from keepline.plans import engine as pe
from keepline.plans import schema as s
from keepline.plant.schema import MaterialKind, NodeKind, PlantFile
from keepline.scenario import Scenario
from keepline.words import plural
from keepline.workforce import Workforce

CRITICAL = ("front-line", "livelihood")
MEDIUM_RISK_PER_100K = 50.0
# How long a person in each role takes to do a task (hours), unless the drill says.
DEFAULT_TASK_DELAY_HOURS: dict[str, float] = {
    "admin": 12.0,
    "health_officer": 4.0,
    "planner": 24.0,
    "storekeeper": 24.0,
    "viewer": 24.0,
}
NOT_SIMULATED: dict[str, str] = {
    s.TriggerKind.difficulty_overdue: "difficulties raised to the government are not simulated",
}
RAW_NOT_SIMULATED = "only prevention materials' stock is simulated"
# when a simulated worker's declaration counts as made (before any by_time)
DECLARED_AT = dt.time(0, 0)


def not_simulated(trigger: Any, plant: PlantFile) -> str | None:
    """Why ``trigger`` cannot hold in a drill (None: the drill simulates what it reads).

    ``all`` cannot hold when one member cannot; ``any`` when none of them can.
    """
    if isinstance(trigger, s.AllOf):
        found = [r for t in trigger.all if (r := not_simulated(t, plant))]
        return "; ".join(found) if found else None
    if isinstance(trigger, s.AnyOf):
        found = [not_simulated(t, plant) for t in trigger.any]
        return None if any(r is None for r in found) else "; ".join(dict.fromkeys(found))
    if trigger.kind in NOT_SIMULATED:
        return NOT_SIMULATED[trigger.kind]
    if isinstance(trigger, s.DaysOfCoverBelow):
        simulated = {m.id for m in plant.materials if m.kind == MaterialKind.prevention}
        named = {
            m.id
            for m in plant.materials
            if trigger.material in (s.ANY, m.id)
            and (trigger.material_kind is None or m.kind == trigger.material_kind)
        }
        if not named & simulated:
            return f"{RAW_NOT_SIMULATED} ({', '.join(sorted(named)) or 'no material'} is not)"
    return None


@dataclass(frozen=True)
class DrillSettings:
    days: int = 30
    seed: int = 1
    replicates: int = 1
    index_cases: int = 0  # workers infected on day 0 on top of the scenario's importations
    task_delay_hours: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_TASK_DELAY_HOURS)
    )
    confirm_after_hours: float | None = None  # None: actions waiting for a person never run


@dataclass
class ActionRun:
    """One action of an activation and what became of it in the drill."""

    index: int
    do: str
    auto: bool
    params: dict[str, Any]
    ran_day: int | None = None
    effect: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "do": self.do,
            "auto": self.auto,
            "params": self.params,
            "ran_day": self.ran_day,
            "effect": self.effect,
        }


@dataclass
class Activation:
    cause: str
    rule: str
    level: str
    opened_day: int
    reasons: tuple[str, ...]
    actions: list[ActionRun]
    tasks: list[dict[str, Any]]
    closed_day: int | None = None  # None: still open at the end of the drill

    def to_json(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "rule": self.rule,
            "level": self.level,
            "opened_day": self.opened_day,
            "closed_day": self.closed_day,
            "reasons": list(self.reasons),
            "actions": [a.to_json() for a in self.actions],
            "tasks": self.tasks,
        }


@dataclass
class ReplicateResult:
    """One replicate of a drill: the simulated run, what the plan did, the scores."""

    replicate: int
    run: Run
    activations: list[Activation]
    outbox: list[dict[str, Any]]
    timeline: list[tuple[int, str]]
    positives: list[pe.Positive]
    level: str | None
    first_infection_day: int | None
    first_trigger_day: int | None  # the first firing on or after the first infection
    zone_locked_day: int | None
    first_screening_day: int | None
    infections_by_zone: dict[str, int]
    infections_by_day_zone: np.ndarray  # (days, zones) workers infected
    stock: dict[str, list[float]]  # prevention material -> stock at the end of each day


@dataclass
class _Stock:
    """Prevention materials: stock, use per day, the supply option in force, orders."""

    on_hand: dict[str, float]
    use: dict[str, list[float]] = field(default_factory=dict)
    supplier: dict[str, str] = field(default_factory=dict)
    arriving: list[tuple[int, str, float]] = field(default_factory=list)
    history: dict[str, list[float]] = field(default_factory=dict)

    def per_day(self, material: str) -> float:
        recent = self.use.get(material, [])[-7:]
        return float(np.mean(recent)) if recent else 0.0

    def cover(self) -> dict[str, float]:
        out = {}
        for m, stock in self.on_hand.items():
            rate = self.per_day(m)
            if rate > 0:
                out[m] = stock / rate
        return out


def region_down(plant: PlantFile, scenario: Scenario, days: int) -> dict[str, np.ndarray]:
    """Per region code a plant supplier sits in: (days,) locked down by the scenario."""
    codes = sorted({x.region_code for x in plant.suppliers})
    return {c: scenario.down(NodeKind.region, c, days) for c in codes}


def known_by(scenario: Scenario, day: int) -> Scenario:
    """The scenario as known on ``day``: disruptions, control areas and delays announced
    (started) by then, with their announced length."""
    return scenario.model_copy(
        update={
            "disruptions": [d for d in scenario.disruptions if d.start_day <= day],
            "control_area": [w for w in scenario.control_area if w.start_day <= day],
            "transit_delays": [w for w in scenario.transit_delays if w.start_day <= day],
        }
    )


def critical_late(
    plant: PlantFile, wf: Workforce | None, scenario: Scenario, days: int
) -> list[Any]:
    """The front-line and livelihood orders the planner ships late on ``wf`` (None: the
    plant's full headcount)."""
    rec = make_plan(plant, wf, scenario, days, baseline=False).record()
    return [o for o in rec.orders_at_risk if o.priority in CRITICAL]


def day0_orders_at_risk(plant: PlantFile, scenario: Scenario, days: int) -> tuple[Any, ...]:
    """The latest plan before the drill's first re-plan: the planner on the full roster
    and the disruptions announced by day 0; its late critical orders."""
    late = critical_late(plant, None, known_by(scenario, 0), days)
    return tuple(pe.OrderAtRisk(o.order, o.priority) for o in late)


@dataclass(frozen=True)
class DrillWorld:
    """What every run of a drill shares: the plant and its population, the scenario, the
    standing measures, the outbreak's parameters and its calibrated ``beta``, and the
    critical orders late in the plant's plan of day 0 (:func:`day0_orders_at_risk`)."""

    plant: PlantFile
    scenario: Scenario
    pop: Population
    controls: Controls
    params: Params
    beta: float
    orders_at_risk: tuple[Any, ...] = ()


class _Replay:
    """One replicate's closed loop: simulate a day, evaluate the plan, act."""

    def __init__(
        self, w: DrillWorld, plan: s.PlanFile | None, settings: DrillSettings, replicate: int
    ) -> None:
        plant, scenario, pop = w.plant, w.scenario, w.pop
        self.plant, self.plan, self.scenario, self.pop = plant, plan, scenario, pop
        self.settings, self.replicate = settings, replicate
        days = settings.days
        world = world_from_scenario(scenario, pop, days, settings.index_cases)
        self.sim = Simulation(
            pop, w.controls, world, w.params, days, settings.seed, [replicate], w.beta
        )
        self.agent_zone = pop.team_zone[pop.agent_team]
        self.agent_team = pop.agent_team
        self.agent_zs = (pop.team_zone * len(pop.shifts) + pop.team_shift)[pop.agent_team]
        self.agent_dorm = pop.team_dorm[pop.agent_team]
        self.regions = region_down(plant, scenario, days)
        self.region_of = {x.id: x.region_code for x in plant.suppliers}
        self.control = scenario.commuters_blocked(days)
        self.prevalence = scenario.prevalence_series(days)
        self.materials = {m.id: m for m in plant.materials if m.kind == MaterialKind.prevention}
        self.stock = _Stock(on_hand={m: x.on_hand for m, x in self.materials.items()})
        for m, x in self.materials.items():
            if x.supply_options:
                self.stock.supplier[m] = min(x.supply_options, key=lambda o: o.priority).supplier
            self.stock.history[m] = []
        self.positives: list[pe.Positive] = []
        self.activations: list[Activation] = []
        self.outbox: list[dict[str, Any]] = []
        self.timeline: list[tuple[int, str]] = []
        self.pending: list[tuple[int, Activation, ActionRun]] = []
        self.level = plan.levels[0].id if plan else None
        self.orders_at_risk: tuple[pe.OrderAtRisk, ...] = w.orders_at_risk
        self.present: list[np.ndarray] = []
        self.fire_days: list[int] = []
        self.zone_locked: int | None = None
        self.first_screening: int | None = None

    def date(self, t: int) -> dt.date:
        return self.plant.horizon_start + dt.timedelta(days=t)

    # -- the record of a day ----------------------------------------------------------
    def observe(self, ev: DayEvents, samples: float) -> pe.RecordSnapshot:
        t, zones = ev.day, self.pop.zones
        day = self.date(t)
        for agent in np.flatnonzero(ev.diagnosed[0]):
            self.positives.append(pe.Positive(day, zones[self.agent_zone[agent]]))
        rows, pzones = ev.pools
        for z in pzones[rows == 0]:
            self.positives.append(pe.Positive(day, zones[int(z)], s.PositiveKind.positive_pool))
        fevers: dict[str, int] = {}
        for agent in np.flatnonzero(ev.onset[0]):
            zone = zones[self.agent_zone[agent]]
            fevers[zone] = fevers.get(zone, 0) + 1
        on_site = float(ev.present[0].sum())
        self.present.append(ev.present[0].copy())
        run = self.sim.result()
        away = int(run.isolated[0, t]) + int(run.quarantined[0, t])
        declared = max(self.pop.n - away, 0)
        self._use_materials(t, on_site, samples)
        locked = frozenset(c for c, down in self.regions.items() if down[t])
        risk = None
        if self.control[t]:
            risk = s.RiskLevel.high
        elif self.prevalence[t] * 100_000 >= MEDIUM_RISK_PER_100K:
            risk = s.RiskLevel.medium
        return pe.RecordSnapshot(
            day=day,
            positives=tuple(self.positives),
            declarations_expected=self.pop.n,
            declarations_made_at=(DECLARED_AT,) * declared,
            fevers=fevers,
            locked_regions=locked,
            days_of_cover=self.stock.cover(),
            city_risk_level=risk,
            control_area=bool(self.control[t]),
            orders_at_risk=self.orders_at_risk,
        )

    def _use_materials(self, t: int, on_site: float, samples: float) -> None:
        st = self.stock
        for _, m, qty in [a for a in st.arriving if a[0] == t]:
            st.on_hand[m] += qty
            self.timeline.append((t, f"{qty:,.0f} {self.materials[m].unit} of {m} arrive"))
        st.arriving = [a for a in st.arriving if a[0] != t]
        for m, x in self.materials.items():
            used = x.consumption_per_worker_day * on_site + x.consumption_per_test * samples
            st.use.setdefault(m, []).append(used)
            st.on_hand[m] = max(0.0, st.on_hand[m] - used)
            st.history[m].append(st.on_hand[m])

    # -- activations ------------------------------------------------------------------
    def open_causes(self) -> list[pe.Cause]:
        return [pe.Cause.parse(a.cause) for a in self.activations if a.closed_day is None]

    def close_done(self, t: int) -> None:
        """Close the activations whose tasks are all done and none still to be made."""
        waiting = {id(act) for _, act, run in self.pending if run.do == s.ActionKind.create_task}
        for a in self.activations:
            if a.closed_day is None and a.tasks and id(a) not in waiting:
                done = max(task["done_day"] for task in a.tasks)
                if done <= t:
                    a.closed_day = done
                    self.timeline.append((done, f"activation {a.cause} closed: tasks done"))

    def open(self, t: int, firing: pe.Firing) -> None:
        key = firing.cause.key()
        self.fire_days.append(t)
        runs = [ActionRun(a.index, a.do.value, a.auto, dict(a.params)) for a in firing.actions]
        act = Activation(key, firing.rule, firing.level, t, firing.reasons, runs, [])
        self.activations.append(act)
        self.timeline.append((t, f"rule {firing.rule} fires ({key}): " + "; ".join(firing.reasons)))
        confirm = self.settings.confirm_after_hours
        for run in runs:
            if run.auto or (confirm is not None and math.ceil(confirm / 24) == 0):
                self.act(t, act, run)
            elif confirm is not None:
                self.pending.append((t + math.ceil(confirm / 24), act, run))

    def run_pending(self, t: int) -> None:
        due = [p for p in self.pending if p[0] <= t]
        self.pending = [p for p in self.pending if p[0] > t]
        for _, act, run in due:
            self.act(t, act, run)

    # -- actions ----------------------------------------------------------------------
    def act(self, t: int, act: Activation, run: ActionRun) -> None:
        p = run.params
        do = s.ActionKind(run.do)
        run.ran_day = t
        if do == s.ActionKind.set_zone_state:
            run.effect = self._zone_state(t, p["zone"], s.ZoneState(p["state"]), p["closed_loop"])
        elif do == s.ActionKind.quarantine_contacts:
            run.effect = self._quarantine(p["zone"], p["contacts_by"], int(p["quarantine_days"]))
        elif do == s.ActionKind.create_screening_rounds:
            run.effect = self._screen(t, p)
        elif do == s.ActionKind.switch_to_backup_supplier:
            run.effect = self._switch(p["material"], p.get("backup_supplier"))
        elif do == s.ActionKind.raise_reorder:
            run.effect = self._reorder(t, p["material"], float(p["up_to_days_of_cover"]))
        elif do == s.ActionKind.replan:
            run.effect = self._replan(t)
        elif do == s.ActionKind.raise_level:
            assert self.plan is not None
            if self.plan.level_rank(p["to"]) > self.plan.level_rank(self.level or p["to"]):
                self.level = p["to"]
            run.effect = f"plan level {self.level}"
        elif do == s.ActionKind.notify:
            self.outbox.append(
                {
                    "day": t,
                    "roles": list(p["roles"]),
                    "liaison_officer": p["liaison_officer"],
                    "message": p["message"],
                }
            )
            run.effect = "message sent to " + ", ".join(
                [*p["roles"], *(["liaison officer"] if p["liaison_officer"] else [])]
            )
        elif do == s.ActionKind.create_task:
            run.effect = self._task(t, act, p)
        self.timeline.append((t, f"{run.do}: {run.effect}"))

    def _task(self, t: int, act: Activation, p: Mapping[str, Any]) -> str:
        """A task made on day ``t``, done ``task_delay_hours[role]`` later (whole days, at
        least the next day)."""
        role = str(p["role"])
        delay = float(self.settings.task_delay_hours.get(role, DEFAULT_TASK_DELAY_HOURS[role]))
        deadline = s.parse_duration(p["deadline"]).total_seconds() / 3600
        act.tasks.append(
            {
                "role": role,
                "text": p["text"],
                "deadline_hours": deadline,
                "done_after_hours": delay,
                "overdue": delay > deadline,
                "done_day": t + max(1, math.ceil(delay / 24)),
            }
        )
        return f"task for {role}"

    def _zone_index(self, zone: str) -> int | None:
        return self.pop.zones.index(zone) if zone in self.pop.zones else None

    def _zone_state(self, t: int, zone: str, state: s.ZoneState, loop: bool) -> str:
        z = self._zone_index(zone)
        if z is None:
            return f"zone {zone} has no workers: nothing to do"
        if state in (s.ZoneState.locked, s.ZoneState.disinfecting):
            self.sim.close_zone(z, closed_loop=loop and state == s.ZoneState.locked)
            if state == s.ZoneState.locked and self.zone_locked is None:
                self.zone_locked = t + 1
            return f"zone {zone} {state.value} from day {t + 1}" + (" (closed loop)" * loop)
        if state in (s.ZoneState.open, s.ZoneState.reopened):
            self.sim.open_zone(z)
            return f"zone {zone} {state.value} from day {t + 1}"
        return f"zone {zone} {state.value} (recorded; workers keep working)"

    def _quarantine(self, zone: str, by: Sequence[str], days: int) -> str:
        z = self._zone_index(zone)
        if z is None:
            return f"zone {zone} has no workers: nothing to do"
        cases = self.sim.isolated_cases()[0] & (self.agent_zone == z)
        if not cases.any():
            return f"no confirmed case of zone {zone} in isolation: nobody to quarantine"
        who = np.zeros(self.pop.n, bool)
        if s.ContactBy.team in by:
            who |= np.isin(self.agent_team, self.agent_team[cases])
        if s.ContactBy.zone_shift in by:
            who |= np.isin(self.agent_zs, self.agent_zs[cases])
        if s.ContactBy.dormitory in by:
            dorms = self.agent_dorm[cases]
            who |= np.isin(self.agent_dorm, dorms[dorms >= 0])
        who &= ~cases
        self.sim.quarantine(who[None, :], self.sim.day + days)
        return f"{int(who.sum())} contacts quarantined for {days} days from day {self.sim.day}"

    def _screen(self, t: int, p: Mapping[str, Any]) -> str:
        z = self._zone_index(p["zone"])
        if z is None:
            return f"zone {p['zone']} has no workers: nothing to screen"
        start = self.sim.day + int(p["start_after_days"])
        last = start + int(p["days_in_a_row"]) - 1
        if start >= self.settings.days:
            return "rounds after the end of the drill"
        antigen = p["test_type"] == s.TestType.antigen
        self.sim.add_round(
            Round(
                test=ANTIGEN if antigen else PCR,
                start_day=start,
                last_day=last,
                pool_size=int(p["pool_size"]),
                zones=(z,),
                turnaround_days=0 if antigen else 1,
                confirm=PCR if antigen else None,
                in_place=bool(p.get("in_place", False)),
            )
        )
        if self.first_screening is None or start < self.first_screening:
            self.first_screening = start
        return (
            f"{p['test_type']} rounds of zone {p['zone']}, pools of {p['pool_size']}, "
            f"days {start}-{last}" + (", sampled where they are" if p.get("in_place") else "")
        )

    def _switch(self, material: str, backup: str | None) -> str:
        if backup is None:
            return f"{material} has no backup supply option"
        if material in self.materials:
            self.stock.supplier[material] = backup
        return f"{material} now bought from {backup}"

    def _reorder(self, t: int, material: str, up_to: float) -> str:
        st = self.stock
        if material not in self.materials:
            return f"{material}: only prevention materials' stock is simulated"
        rate = st.per_day(material)
        on_order = sum(q for _, m, q in st.arriving if m == material)
        qty = up_to * rate - st.on_hand[material] - on_order
        if qty <= 0:
            return f"{material}: already {up_to:g} days of cover with what is on order"
        supplier = st.supplier.get(material)
        option = next(
            (o for o in self.materials[material].supply_options if o.supplier == supplier), None
        )
        if option is None:
            return f"{material} has no supply option"
        qty = max(qty, option.min_order)
        down = self.regions.get(self.region_of.get(option.supplier, ""), None)
        dispatch = t + 1  # the supplier ships once its region is no longer locked
        while down is not None and dispatch < self.settings.days and down[dispatch]:
            dispatch += 1
        arrive = dispatch + option.lead_time_days
        if arrive >= self.settings.days:
            return f"{qty:,.0f} of {material} ordered from {supplier}: arrives after the drill"
        st.arriving.append((arrive, material, qty))
        return f"{qty:,.0f} of {material} ordered from {supplier}, arriving day {arrive}"

    def _replan(self, t: int) -> str:
        seen = np.array(self.present)
        today = seen[-1].copy()
        if t + 1 < self.settings.days:
            # the zones closed from tomorrow (by this activation too) are away from then
            closed, loop = self.sim.closed(t + 1)
            zone = self.pop.team_zone
            today[closed[zone] & ~(loop[zone] & (self.pop.team_dorm >= 0))] = 0
        ahead = np.repeat(today[None, :], self.settings.days - len(seen), axis=0)
        wf = workforce_of(np.concatenate([seen, ahead]).astype(float), self.pop)
        late = critical_late(self.plant, wf, known_by(self.scenario, t), self.settings.days)
        self.orders_at_risk = tuple(pe.OrderAtRisk(o.order, o.priority) for o in late)
        return f"re-planned: {plural(len(late), 'critical order')} late"

    # -- the loop ---------------------------------------------------------------------
    def run(self) -> ReplicateResult:
        first_infection = None
        infected_zone = np.zeros((self.settings.days, len(self.pop.zones)), np.int64)
        for t in range(self.settings.days):
            ev = self.sim.step()
            if first_infection is None and ev.infected.any():
                first_infection = t
            infected_zone[t] = np.bincount(
                self.agent_zone[ev.infected[0]], minlength=len(self.pop.zones)
            )
            samples = float(self.sim.result().samples[0, t])
            snap = self.observe(ev, samples)
            if self.plan is None:
                continue
            self.close_done(t)
            self.run_pending(t)
            evaluation = pe.evaluate(self.plan, snap, self.plant)
            for firing in pe.to_open(evaluation.firings, self.open_causes()):
                self.open(t, firing)
        return ReplicateResult(
            replicate=self.replicate,
            run=self.sim.result(),
            activations=self.activations,
            outbox=self.outbox,
            timeline=sorted(self.timeline, key=lambda x: x[0]),
            positives=self.positives,
            level=self.level,
            first_infection_day=first_infection,
            first_trigger_day=next(
                (d for d in self.fire_days if first_infection is not None and d >= first_infection),
                None,
            ),
            zone_locked_day=self.zone_locked,
            first_screening_day=self.first_screening,
            infections_by_zone={
                z: int(n) for z, n in zip(self.pop.zones, infected_zone.sum(axis=0), strict=True)
            },
            infections_by_day_zone=infected_zone,
            stock=self.stock.history,
        )


def replay(
    world: DrillWorld, plan: s.PlanFile | None, settings: DrillSettings
) -> list[ReplicateResult]:
    """Every replicate of the drill (``plan`` None: the same scenario with no plan)."""
    return [_Replay(world, plan, settings, r).run() for r in range(settings.replicates)]


def worker_days_lost(result: ReplicateResult, pop: Population) -> int:
    return int(per_replicate(result.run, pop)["worker_days_lost"][0])


def simulated_workforce(result: ReplicateResult, pop: Population) -> Workforce:
    return workforce(result.run, pop, 0)
