"""Reorder suggestions and backup-activation warnings. A pure engine.

Day 0 is today. Stock is projected day by day from what is on hand, the scheduled
receipts (open purchase shipments by their expected arrival) and the expected use
(:mod:`keepline.materials.cover`); a receipt on day d serves day d's use.

* **When an option can deliver.** An order placed on day ``t`` with option ``o`` arrives on
  ``t + activation_days (backups not yet active) + lead_time_days + transit_days``, where
  the transit days are the lane's *current* transit days — unless the supplier cannot
  dispatch that day (it or its region is locked down): then it goes on the first day it
  can (as the continuity planner models it: an option is blocked on dispatch days).
* **Reorder (order-up-to).** For an option arriving on day A, order
  ``safety_stock - projected[A + R - 1]`` (R = review days, default 14): enough that the
  stock stays at the safety level through the review period after arrival. Nothing if that
  is ≤ 0; otherwise at least ``min_order``. Order by the day that still arrives before
  the stock falls below the safety level.
* **Warning.** When the stock runs out (end-of-day stock < 0) before the primary option
  (priority 1) can deliver, warn with the date, and name the backup to activate — the
  first by priority that can still arrive by the stock-out day, else the one that arrives
  soonest — and the last day to activate it ("activate by").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from keepline.materials.cover import first_day_below, projected_stock


@dataclass(frozen=True)
class Option:
    supplier: str
    priority: int
    lead_time_days: int
    transit_days: int
    min_order: float = 0.0
    capacity_per_day: float = math.inf
    activation_days: int = 0
    active: bool = True  # a backup not yet activated needs activation_days first
    # Days (0 = today) the supplier cannot dispatch: it or its region is locked down.
    # ``None``: never blocked. Past the end of the array nothing is known: not in horizon.
    dispatch_blocked: np.ndarray | None = None
    status_note: str = ""  # why it is blocked or restricted, for messages

    @property
    def days_to_dispatch(self) -> int:
        """Days from placing an order (activating first, if needed) to dispatch."""
        return (0 if self.active else self.activation_days) + self.lead_time_days

    @property
    def days_to_deliver(self) -> int:
        return self.days_to_dispatch + self.transit_days

    def earliest_arrival(self, today: int = 0) -> int | None:
        """Day an order placed on ``today`` arrives: it is dispatched on the first day not
        blocked from ``today + days_to_dispatch`` on (``None``: no such day is known)."""
        first = today + self.days_to_dispatch
        if self.dispatch_blocked is None:
            return first + self.transit_days
        free = np.flatnonzero(~np.asarray(self.dispatch_blocked[first:], dtype=bool))
        return None if free.size == 0 else first + int(free[0]) + self.transit_days


@dataclass(frozen=True)
class MaterialState:
    material: str
    unit: str
    on_hand: float
    safety_stock: float
    use: np.ndarray  # per day from today
    receipts: np.ndarray  # per day from today (open purchase shipments)
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    material: str
    supplier: str
    priority: int
    qty: float
    order_by_day: int  # latest day to order and still arrive before the safety breach
    arrives_day: int  # if ordered today
    days_to_fill: int  # ceil(qty / capacity_per_day)


@dataclass(frozen=True)
class BackupWarning:
    material: str
    runs_out_day: int
    primary: str | None
    primary_arrival_day: int | None  # None: the primary cannot deliver within the horizon
    backup: str | None
    activate_by_day: int | None  # last day to activate the backup and still be in time
    backup_arrival_day: int | None
    late_days: int  # days the backup arrives after the stock-out (0: in time)
    reason: str


@dataclass(frozen=True)
class MaterialOutlook:
    material: str
    projected: np.ndarray
    runs_out_day: int | None
    below_safety_day: int | None
    suggestion: Suggestion | None
    warning: BackupWarning | None
    notes: tuple[str, ...] = field(default_factory=tuple)


def latest_order_day(option: Option, deadline: int) -> int:
    """The last day to order (or start activating) and still arrive by ``deadline``;
    negative when that day has passed."""
    t = deadline - option.days_to_deliver
    while t >= 0 and (option.earliest_arrival(t) or deadline + 1) > deadline:
        t -= 1
    return t


def _primary(options: tuple[Option, ...]) -> Option | None:
    return min(options, key=lambda o: o.priority) if options else None


def suggest(
    state: MaterialState, option: Option, review_days: int = 14, today: int = 0
) -> Suggestion | None:
    """The order to place now with ``option`` (``None`` if no order is needed or possible)."""
    arrival = option.earliest_arrival(today)
    horizon = len(state.use)
    if arrival is None or arrival >= horizon:
        return None
    stock = projected_stock(state.on_hand, state.use, state.receipts)
    end = min(horizon, arrival + review_days) - 1
    need = state.safety_stock - float(stock[end])
    if need <= 1e-9:
        return None
    qty = max(need, option.min_order)
    breach = first_day_below(stock, state.safety_stock)
    order_by = (breach if breach is not None else end) - option.days_to_deliver
    cap = option.capacity_per_day
    fill = 1 if not math.isfinite(cap) or cap <= 0 else math.ceil(qty / cap)
    return Suggestion(
        material=state.material,
        supplier=option.supplier,
        priority=option.priority,
        qty=qty,
        order_by_day=max(order_by, today),
        arrives_day=arrival,
        days_to_fill=fill,
    )


def outlook(state: MaterialState, review_days: int = 14) -> MaterialOutlook:
    """Projection, reorder suggestion and backup warning for one material."""
    stock = projected_stock(state.on_hand, state.use, state.receipts)
    runs_out = first_day_below(stock, 0.0)
    below_safety = first_day_below(stock, state.safety_stock)
    primary = _primary(state.options)
    notes: list[str] = []

    # Suggest from the most preferred option that can deliver within the horizon.
    suggestion = None
    for opt in sorted(state.options, key=lambda o: (o.priority, o.supplier)):
        if opt.earliest_arrival() is None:
            continue
        suggestion = suggest(state, opt, review_days)
        break

    warning = None
    if runs_out is not None and primary is not None:
        p_arrival = primary.earliest_arrival()
        if p_arrival is None or p_arrival > runs_out:
            warning = _backup_warning(state, primary, p_arrival, runs_out)
    elif runs_out is not None:
        notes.append("runs out and has no supply option")
    return MaterialOutlook(
        material=state.material,
        projected=stock,
        runs_out_day=runs_out,
        below_safety_day=below_safety,
        suggestion=suggestion,
        warning=warning,
        notes=tuple(notes),
    )


def _backup_warning(
    state: MaterialState, primary: Option, p_arrival: int | None, runs_out: int
) -> BackupWarning:
    backups = sorted(
        (o for o in state.options if o is not primary and o.earliest_arrival() is not None),
        key=lambda o: (o.priority, o.supplier),
    )
    why = (
        f"{primary.supplier} cannot deliver within the horizon"
        + (f" ({primary.status_note})" if primary.status_note else "")
        if p_arrival is None
        else f"{primary.supplier} delivers on day {p_arrival} at the earliest"
        + (f" ({primary.status_note})" if primary.status_note else "")
    )
    in_time = [o for o in backups if (o.earliest_arrival() or 0) <= runs_out]
    chosen = (
        in_time[0]
        if in_time
        else min(backups, key=lambda o: o.earliest_arrival() or 0, default=None)
    )

    def no_backup(late_days: int, because: str) -> BackupWarning:
        return BackupWarning(
            material=state.material,
            runs_out_day=runs_out,
            primary=primary.supplier,
            primary_arrival_day=p_arrival,
            backup=None,
            activate_by_day=None,
            backup_arrival_day=None,
            late_days=late_days,
            reason=f"runs out on day {runs_out}; {why}; {because}",
        )

    if chosen is None:
        late = 0 if p_arrival is None else p_arrival - runs_out
        return no_backup(late, "no backup can deliver")
    arrival = chosen.earliest_arrival()
    assert arrival is not None
    activate_by = latest_order_day(chosen, runs_out)
    if p_arrival is not None and not in_time and arrival >= p_arrival:
        # No backup comes sooner than the primary: activating one would not help.
        return no_backup(p_arrival - runs_out, "no backup arrives sooner")
    late = max(0, arrival - runs_out)
    verb = "activate" if not chosen.active else "order from"
    return BackupWarning(
        material=state.material,
        runs_out_day=runs_out,
        primary=primary.supplier,
        primary_arrival_day=p_arrival,
        backup=chosen.supplier,
        activate_by_day=activate_by,
        backup_arrival_day=arrival,
        late_days=late,
        reason=(
            f"runs out on day {runs_out}; {why}; {verb} {chosen.supplier} "
            + (
                f"by day {activate_by}"
                if late == 0
                else f"now (arrives {late} d after the stock-out)"
            )
        ),
    )
