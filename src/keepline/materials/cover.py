"""Days of cover: how long stock lasts at the use we expect. A pure engine.

Day 0 is "today" (the as-of date); every series is per day, use in the material's unit.

Prevention materials are used by people and by screening, not by products:

* per worker on site per day (masks: ``consumption_per_worker_day``);
* per sample collected in screening (``consumption_per_test``): every worker on site
  is sampled once per round, so a round takes ``headcount`` swabs — but a material used
  once per *pooled tube or reaction* (sampling tubes and test kits under k-in-1 pooling)
  takes ``ceil(headcount / pool_size)`` per round;
* per zone per day (disinfectant: litres per zone cleaned each day).

Rounds per week are spread evenly over the week (a 2-rounds-a-week policy uses 2/7 of
a round's material each day): days of cover is a planning figure, not a schedule.

Raw materials are used by production: ``use[d, m] = Σ_p production[d, p] · bom[p, m]``
from the current production plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScreeningRegime:
    """The screening policy in force, as far as it uses material."""

    rounds_per_week: float = 0.0
    pool_size: int = 1
    # Materials used once per pooled tube or reaction rather than once per person sampled.
    per_pool_materials: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.rounds_per_week < 0:
            raise ValueError("rounds_per_week must be ≥ 0")
        if self.pool_size < 1:
            raise ValueError("pool_size must be ≥ 1")


@dataclass(frozen=True)
class PreventionUse:
    """How one prevention material is used."""

    material: str
    per_worker_day: float = 0.0
    per_sample: float = 0.0
    per_zone_day: float = 0.0


def samples_per_round(material: str, headcount: int, regime: ScreeningRegime) -> int:
    """Units of 'test' a round needs: people sampled, or pooled tubes for a per-pool material."""
    if material in regime.per_pool_materials:
        return math.ceil(headcount / regime.pool_size)
    return headcount


def prevention_daily_use(
    use: PreventionUse, headcount: int, zones: int, regime: ScreeningRegime
) -> float:
    """Expected use per day of one prevention material."""
    if headcount < 0 or zones < 0:
        raise ValueError("headcount and zones must be ≥ 0")
    worker = use.per_worker_day * headcount
    screening = (
        use.per_sample * samples_per_round(use.material, headcount, regime) * regime.rounds_per_week
    ) / 7.0
    zone = use.per_zone_day * zones
    return worker + screening + zone


def bom_daily_use(production: np.ndarray, bom: np.ndarray) -> np.ndarray:
    """Raw-material use per day: ``production[d, p] @ bom[p, m]`` → ``use[d, m]``."""
    production = np.asarray(production, dtype=float)
    bom = np.asarray(bom, dtype=float)
    if production.ndim != 2 or bom.ndim != 2 or production.shape[1] != bom.shape[0]:
        raise ValueError(
            f"production {production.shape} and bom {bom.shape} do not line up (days×products, "
            "products×materials)"
        )
    return production @ bom


def days_of_cover(on_hand: float, daily_use: np.ndarray | float) -> float:
    """Days the stock lasts at ``daily_use`` (a constant or a per-day series from today).

    With a series, the stock lasts through every day whose cumulative use it covers, plus
    the covered fraction of the next day; past the end of the series the last day's use
    continues. ``inf`` when nothing is used; 0 when there is no stock.
    """
    if on_hand <= 0:
        return 0.0
    use = np.atleast_1d(np.asarray(daily_use, dtype=float))
    if use.size == 0 or np.any(use < 0):
        raise ValueError("daily use must be a non-empty series of numbers ≥ 0")
    cum = np.cumsum(use)
    short = np.nonzero(cum > on_hand)[0]
    if short.size:
        d = int(short[0])
        before = float(cum[d - 1]) if d else 0.0
        return d + (on_hand - before) / float(use[d])
    last = float(use[-1])
    if last <= 0:
        return math.inf
    return use.size + (on_hand - float(cum[-1])) / last


def projected_stock(on_hand: float, use: np.ndarray, receipts: np.ndarray) -> np.ndarray:
    """Stock at the end of each day: ``on_hand + Σ_{t≤d} (receipts[t] - use[t])``.

    A receipt on day d is available for day d's use.
    """
    use = np.asarray(use, dtype=float)
    receipts = np.asarray(receipts, dtype=float)
    if use.shape != receipts.shape:
        raise ValueError("use and receipts must cover the same days")
    return on_hand + np.cumsum(receipts - use)


def first_day_below(stock: np.ndarray, level: float) -> int | None:
    """First day whose end-of-day stock is below ``level`` (``None`` if none)."""
    below = np.nonzero(np.asarray(stock) < level - 1e-9)[0]
    return int(below[0]) if below.size else None
