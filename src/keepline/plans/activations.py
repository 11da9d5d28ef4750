"""Flow: evaluate the plans in force on a day of the record, open an activation once per
cause, and run its actions through the existing audited services.

* :func:`evaluate` reads the record (:mod:`keepline.plans.snapshot`), runs the pure engine,
  opens an activation for each firing whose cause has none open (a unique key on open
  causes keeps two writers from opening one twice), and runs the actions marked ``auto``.
* :func:`after_write` is what the writes to the record call after they write, in the
  same transaction (through :mod:`keepline.plans.recorded` for the declarations,
  clearances, stock, region and supplier statuses, cases and lab results that the API,
  the commands and the console share): the plan sees the record as the write left it.
* :func:`confirm` runs an action that waited for a person; :func:`refuse` refuses it.

Each action runs in a savepoint, as the service a person would call (``containment``'s
zone states and contact quarantine, ``screening``'s round planning, ``logistics``'
purchases, ``production``'s re-plan, this package's level, tasks and outbox), under a
scope whose actor names the plan and whose write set it off. An action that fails is
rolled back alone and recorded as failed with its error; the actions before it and their
audit entries stay.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keepline import clock, db
from keepline.containment.contacts import quarantine_contacts
from keepline.containment.models import Case
from keepline.containment.models import ZoneState as ContainmentZoneState
from keepline.containment.schemas import QuarantineIn, ZoneStateIn
from keepline.containment.zone_states import change_zone_state, zone_states
from keepline.errors import InputError, msg
from keepline.logistics.lanes import transit_by_region
from keepline.logistics.purchases import create_purchase
from keepline.logistics.schemas import PurchaseIn
from keepline.materials.outlook import outlook
from keepline.materials.supply_options import supply_options_on
from keepline.people.models import Worker
from keepline.plans import engine, outbox, runs, versions
from keepline.plans import schema as s
from keepline.plans.city import check_day
from keepline.plans.models import ActionRun, Activation, PlanVersion, RunState
from keepline.plans.snapshot import NO_PLANT, needs_plant, plant_for_rules, read_snapshot
from keepline.plant import models as pm
from keepline.plant.schema import PlantFile
from keepline.production.replan import replan
from keepline.scope import EnterpriseScope, Role
from keepline.screening.planning import plan_round
from keepline.screening.schemas import RoundIn

log = logging.getLogger("keepline.plans")

# A purchase the plan places when it switches to a backup supplier: this many days of
# today's use (at least the supplier's minimum order).
BACKUP_ORDER_DAYS = 14
SUPPLY_HORIZON_DAYS = 30


@dataclass(frozen=True)
class Context:
    """What an action runs with: its activation, the plan and the day it fired on."""

    version: PlanVersion
    plan: s.PlanFile
    activation: Activation
    day: dt.date


Runner = Callable[[Session, EnterpriseScope, Context, ActionRun], str]


def plan_scope(scope: EnterpriseScope, version: PlanVersion) -> EnterpriseScope:
    """The scope automatic actions run under: the audit log names the plan and the actor
    whose write fired it."""
    actor = f"plan:{version.plan_id}/v{version.version} after {scope.actor}"[:254]
    return EnterpriseScope(scope.enterprise_id, actor, Role.admin, scope.user_id)


# -- the actions -------------------------------------------------------------------------


def _set_zone_state(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    p = a.params
    zone, state = p["zone"], ContainmentZoneState(p["state"])
    latest = zone_states(session, scope).get(zone)
    if latest is not None and latest.state == state.value:
        return f"zone {zone} already {state.value}"
    body = ZoneStateIn(state=state, reason=p["reason"], closed_loop=p.get("closed_loop", False))
    ch = change_zone_state(session, scope, zone, body, at=clock.now())
    return f"zone {zone}: {ch.previous} -> {ch.state}"


def _quarantine(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    p = a.params
    zone = p["zone"]
    eid = scope.enterprise_id
    cases = list(
        session.scalars(
            select(Case.id)
            .join(Worker, and_(Worker.enterprise_id == eid, Worker.employee_no == Case.employee_no))
            .where(
                Case.enterprise_id == eid,
                Case.status == "open",
                Case.confirmed_on <= ctx.day,
                Worker.zone_id == zone,
            )
            .order_by(Case.id)
        )
    )
    if not cases:
        return f"no open case in zone {zone}: nobody to trace yet"
    body = QuarantineIn(how=list(p["contacts_by"]), days=p["quarantine_days"], start_day=ctx.day)
    n = sum(len(quarantine_contacts(session, scope, cid, body)) for cid in cases)
    return f"{n} contacts of {len(cases)} case(s) in zone {zone} quarantined"


def _screening(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    p = a.params
    made = []
    for k in range(p["days_in_a_row"]):
        day = ctx.day + dt.timedelta(days=p["start_after_days"] + k)
        body = RoundIn(
            day=day,
            zones=[p["zone"]],
            shifts=list(p["shifts"]) or None,
            pool_size=p["pool_size"],
            test_type=p["test_type"],
            in_place=p.get("in_place", False),
        )
        made.append(plan_round(session, scope, body).round)
    return "screening rounds " + ", ".join(f"{r.id} on {r.day.isoformat()}" for r in made)


def _cover_row(session: Session, scope: EnterpriseScope, day: dt.date, material: str) -> Any:
    for row in outlook(session, scope, day, SUPPLY_HORIZON_DAYS).cover:
        if row.material_id == material:
            return row
    raise InputError([msg("material: unknown material '%(material)s'", material=material)])


def _purchase(
    session: Session,
    scope: EnterpriseScope,
    ctx: Context,
    a: ActionRun,
    material: str,
    supplier: str,
    lead_days: int,
    qty: float,
) -> str:
    sup = session.get(pm.Supplier, (scope.enterprise_id, supplier))
    transit = transit_by_region(session, scope, ctx.day).get(sup.region_code, 0) if sup else 0
    body = PurchaseIn(
        id=f"EP-{ctx.activation.id}-{a.n}",
        material_id=material,
        supplier_id=supplier,
        qty=qty,
        ordered_on=ctx.day,
        eta=ctx.day + dt.timedelta(days=lead_days + transit),
    )
    row = create_purchase(session, scope, body)
    return f"purchase {row.id}: {qty:g} of {material} from {supplier}, due {row.eta.isoformat()}"


def _backup(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    material, backup = a.params["material"], a.params.get("backup_supplier")
    if not backup:
        raise InputError(
            [
                msg(
                    "material: %(material)s has no backup supplier in the plant file",
                    material=material,
                )
            ]
        )
    opts = supply_options_on(session, scope, ctx.day, SUPPLY_HORIZON_DAYS).get(material, [])
    opt = next((o for o in opts if o.supplier == backup), None)
    if opt is None:
        raise InputError(
            [
                msg(
                    "material: '%(backup)s' is not a supply option of %(material)s",
                    backup=backup,
                    material=material,
                )
            ]
        )
    use = _cover_row(session, scope, ctx.day, material).use_today
    qty = max(float(opt.min_order), math.ceil(use * BACKUP_ORDER_DAYS), 1.0)
    return _purchase(session, scope, ctx, a, material, backup, opt.lead_time_days, qty)


def _reorder(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    material, days = a.params["material"], float(a.params["up_to_days_of_cover"])
    row = _cover_row(session, scope, ctx.day, material)
    qty = math.ceil(days * row.use_today - row.on_hand)
    if qty <= 0:
        return f"{material}: {row.on_hand:g} on hand already covers {days:g} days"
    opts = supply_options_on(session, scope, ctx.day, SUPPLY_HORIZON_DAYS).get(material, [])
    usable = [o for o in opts if o.active and not bool(o.dispatch_blocked[0])]
    if not usable:
        raise InputError(
            [msg("material: no active supplier of %(material)s can ship today", material=material)]
        )
    opt = min(usable, key=lambda o: o.priority)
    qty = max(float(qty), float(opt.min_order))
    return _purchase(session, scope, ctx, a, material, opt.supplier, opt.lead_time_days, qty)


def _replan(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    row = replan(session, scope, ctx.day)
    late = len((row.result or {}).get("orders_at_risk", []))
    return f"plan {row.id} stored from {ctx.day.isoformat()}: {late} order(s) at risk"


def _raise_level(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    return versions.raise_level(session, scope, ctx.plan, a.params["to"], ctx.activation.id)


def _notify(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    p = a.params
    m = outbox.add_message(
        session,
        scope,
        list(p["roles"]),
        bool(p["liaison_officer"]),
        p["message"],
        ctx.activation.id,
    )
    who = list(p["roles"]) + (["liaison officer"] if p["liaison_officer"] else [])
    return f"message {m.id} to {', '.join(who)} in the outbox"


def _task(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> str:
    p = a.params
    deadline = s.parse_duration(p["deadline"])
    t = runs.add_task(session, scope, ctx.activation, a.n, p["role"], p["text"], deadline)
    return f"task {t.id} for {t.role}"


RUNNERS: dict[s.ActionKind, Runner] = {
    s.ActionKind.set_zone_state: _set_zone_state,
    s.ActionKind.quarantine_contacts: _quarantine,
    s.ActionKind.create_screening_rounds: _screening,
    s.ActionKind.switch_to_backup_supplier: _backup,
    s.ActionKind.raise_reorder: _reorder,
    s.ActionKind.replan: _replan,
    s.ActionKind.raise_level: _raise_level,
    s.ActionKind.notify: _notify,
    s.ActionKind.create_task: _task,
}


def run_action(session: Session, scope: EnterpriseScope, ctx: Context, a: ActionRun) -> ActionRun:
    """Run one action in a savepoint: done with what it did, or failed with its error
    (its own writes rolled back, the others' kept)."""
    try:
        with session.begin_nested():
            result = RUNNERS[s.ActionKind(a.kind)](session, scope, ctx, a)
    except Exception as exc:  # any failure is the action's, recorded below
        if not isinstance(exc, InputError | ValueError | LookupError):
            log.exception("action %s of activation %s failed", a.n, ctx.activation.id)
        text = "; ".join(exc.problems) if isinstance(exc, InputError) else str(exc)
        return runs.finish_action(
            session, scope, a, RunState.failed, error=f"{type(exc).__name__}: {text}"
        )
    return runs.finish_action(session, scope, a, RunState.done, result=result)


# -- evaluation ---------------------------------------------------------------------------


@dataclass
class Outcome:
    day: dt.date
    fired: int = 0
    opened: list[Activation] = field(default_factory=list)
    # What was evaluated: the rules (plan id, rule id) and the kinds of trigger whose
    # part of the record was read, in every pass.
    rules: list[tuple[str, str]] = field(default_factory=list)
    triggers: set[s.TriggerKind] = field(default_factory=set)
    causes: set[tuple[int, engine.Cause]] = field(default_factory=set)  # (version id, cause)


def _open(
    session: Session, scope: EnterpriseScope, version: PlanVersion, f: engine.Firing, day: dt.date
) -> Activation | None:
    try:
        with session.begin_nested():
            return runs.open_activation(session, scope, version, f, day)
    except IntegrityError:
        return None  # another writer opened it a moment ago


# An action's effects can make other rules hold (a re-plan: orders late); they are
# evaluated at once, in further passes. Plans with loops are refused when loaded, so the
# passes end; this bounds them anyway.
MAX_PASSES = 5


def evaluate(
    session: Session,
    scope: EnterpriseScope,
    day: dt.date,
    *,
    as_of: dt.time | None = None,
    plant: PlantFile | None = None,
    changed: Collection[engine.Fact] = engine.ALL_FACTS,
) -> Outcome:
    """Evaluate the plans in force on ``day``; open what fires anew and run its
    automatic actions.

    ``changed``: the facts of the record a write changed. Only the rules whose trigger
    reads one of them are evaluated, and only their part of the record is read; the
    others would find what they found after the last change to what they read. Default:
    every fact (a full evaluation, which also sees what changes without a write: the
    time of day, the roster, the plant). When the automatic actions change facts (a
    re-plan), the rules reading those are evaluated again at once."""
    check_day(day)
    out = Outcome(day)
    in_force = versions.in_force(session, scope)
    todo = frozenset(changed)
    for _ in range(MAX_PASSES):
        if not in_force or not todo:
            break
        todo = _pass(session, scope, day, in_force, todo, as_of, plant, out)
    out.fired = len(out.causes)  # a cause found again in a later pass counts once
    return out


def _pass(
    session: Session,
    scope: EnterpriseScope,
    day: dt.date,
    in_force: list[PlanVersion],
    changed: frozenset[engine.Fact],
    as_of: dt.time | None,
    plant: PlantFile | None,
    out: Outcome,
) -> frozenset[engine.Fact]:
    """One pass over the rules reading ``changed``; the facts its actions changed."""
    plans = [(v, engine.depending_on(versions.parsed(v), changed)) for v in in_force]
    plans = [(v, p) for v, p in plans if p.rules]
    if not plans:
        return frozenset()
    only = [p for _, p in plans]
    if plant is None:
        reads_plant, supply = needs_plant(only)
        plant = plant_for_rules(session, scope, supply=supply) if reads_plant else NO_PLANT
    snap = read_snapshot(session, scope, day, only, as_of=as_of, plant=plant)
    out.triggers |= {s.TriggerKind(x.kind) for p in only for r in p.rules for x in s.leaves(r.when)}
    after: set[engine.Fact] = set()
    for version, plan in plans:
        out.rules += [(plan.id, r.id) for r in plan.rules]
        ev = engine.evaluate(plan, snap, plant)
        out.causes |= {(version.id, f.cause) for f in ev.firings}
        fresh = engine.to_open(ev.firings, runs.open_causes(session, scope, version))
        for f in fresh:
            act = _open(session, scope, version, f, day)
            if act is None:
                continue
            out.opened.append(act)
            auto = plan_scope(scope, version)
            ctx = Context(version, versions.parsed(version), act, day)
            for a in runs.action_runs(session, scope, act.id):
                if a.auto and run_action(session, auto, ctx, a).state == RunState.done.value:
                    after |= engine.CHANGES.get(s.ActionKind(a.kind), frozenset())
    return frozenset(after)


def after_write(
    session: Session,
    scope: EnterpriseScope,
    day: dt.date,
    changed: Collection[engine.Fact] = engine.ALL_FACTS,
) -> Outcome:
    """Evaluate the plans after a write to the record of ``day`` (same transaction): the
    rules reading what the write ``changed`` (default: every rule)."""
    session.flush()
    return evaluate(session, scope, day, changed=changed)


def confirm(session: Session, scope: EnterpriseScope, activation_id: int, n: int) -> ActionRun:
    """A person confirms an action that waited: it runs now, under their name; the rules
    reading what it changed (a re-plan) are evaluated after it."""
    act, a = runs.pending_action(session, scope, activation_id, n)
    version = session.get(PlanVersion, act.version_id)
    assert version is not None
    ctx = Context(version, versions.parsed(version), act, act.day)
    done = run_action(session, scope, ctx, a)
    changed = engine.CHANGES.get(s.ActionKind(a.kind), frozenset())
    if done.state == RunState.done.value and changed:
        after_write(session, scope, act.day, changed)
    return done


def refuse(
    session: Session, scope: EnterpriseScope, activation_id: int, n: int, reason: str
) -> ActionRun:
    """A person refuses an action that waited, saying why; it never runs."""
    _act, a = runs.pending_action(session, scope, activation_id, n)
    if not reason.strip():
        raise InputError([msg("reason: say why the action is refused")])
    return runs.finish_action(session, scope, a, RunState.refused, error=reason.strip())


MAX_DAYS_PER_WRITE = 31


def after_writes(
    session: Session,
    scope: EnterpriseScope,
    days: Iterable[dt.date],
    changed: Collection[engine.Fact] = engine.ALL_FACTS,
) -> list[Outcome]:
    """:func:`after_write` for each distinct day a bulk write touched (the latest
    :data:`MAX_DAYS_PER_WRITE`; `keepline plans evaluate` reaches older ones)."""
    distinct = sorted(set(days))[-MAX_DAYS_PER_WRITE:]
    return [after_write(session, scope, d, changed) for d in distinct]


EVALUATOR = "keepline:serve"


def enterprises_with_plans(session: Session) -> list[str]:
    """Every enterprise with a plan loaded."""
    return list(
        session.scalars(select(PlanVersion.enterprise_id).distinct().order_by("enterprise_id"))
    )


def evaluate_all(
    url: str | None = None, actor: str = EVALUATOR
) -> list[tuple[str, Outcome | Exception]]:
    """A full evaluation of every enterprise's plans on today, each enterprise in its own
    transaction (one failing leaves the others' evaluated): the server's periodic run. It
    sees what no write reports: the time of day passing (declarations missing by 10:00),
    the roster, the plant, difficulties past their limits."""
    with db.session_scope(url) as session:
        eids = enterprises_with_plans(session)
    out: list[tuple[str, Outcome | Exception]] = []
    for eid in eids:
        try:
            with db.session_scope(url) as session:
                out.append((eid, evaluate(session, EnterpriseScope(eid, actor), clock.today())))
        except Exception as exc:  # one enterprise's failure is logged by the caller
            out.append((eid, exc))
    return out
