"""The assessment's headline figures: a statistic over the planned replicates with its
interval, not the numbers of one replicate.

Which replicates are planned: the outbreak's replicates are ranked by worker-days lost in
the zones that have lines and cut into ``STRATA`` equal strata; the replicate in the
middle of each is planned (a systematic, stratified sample). Every planned replicate
stands for the same share of the replicates, so the plain mean over them estimates the
mean over all replicates.

Why the mean, not the median: a plan's fill rate jumps between a few levels (an order
ships whole or late), so the median of a few planned replicates jumps from one level to
another between runs (62.0 % with 100 replicates, 14.4 % with 200: issue 14). The mean
moves smoothly, it is what units lost add up to over orders and scenarios, and it has a
standard error.

The interval is the usual 95 % confidence interval for a mean: ``mean ± t(0.975, n−1) ·
s/√n`` with ``s`` the sample standard deviation over the ``n`` planned replicates. For a
stratified sample it is conservative (the spread between strata is counted as noise). It
says how sure the headline is, not how spread the replicates are (for that, see the
planned replicates' own numbers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

STRATA = 9  # planned replicates per cell; odd, so the median replicate is one of them
LEVEL = 0.95


def planned_percentiles(strata: int = STRATA) -> list[float]:
    """The middle of each stratum, in percent: 9 strata → 5.6, 16.7, …, 50, …, 94.4."""
    return [100.0 * (i + 0.5) / strata for i in range(strata)]


def mean_interval(
    values: Sequence[float],
    level: float = LEVEL,
    floor: float | None = None,
    ceiling: float | None = None,
) -> dict[str, Any]:
    """Mean of ``values`` with its standard error and its ``level`` confidence interval
    (Student's t with n − 1 degrees of freedom), cut to ``floor``/``ceiling`` where the
    quantity cannot go beyond them (a fill rate above 100 %, units below 0). With one
    value there is no interval: ``se``, ``low`` and ``high`` are None."""
    v = np.asarray(values, dtype=float)
    n = int(v.size)
    if n == 0:
        raise ValueError("no values")
    mean = float(v.mean())
    if n == 1:
        return {"mean": mean, "se": None, "low": None, "high": None, "n": 1}
    se = float(v.std(ddof=1) / math.sqrt(n))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    low, high = mean - half, mean + half
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return {"mean": mean, "se": se, "low": low, "high": high, "n": n}


def headline(plans: Sequence[dict[str, Any]], classes: Sequence[str]) -> dict[str, Any]:
    """The cell's headline over its planned replicates (each a plan's JSON with
    ``output_lost_units`` and ``output_lost_share`` added): fill by due date per class,
    units short by their due dates and units lost per class, output lost."""

    def over(get: Any, ceiling: float | None = None) -> dict[str, Any] | None:
        vals = [get(p) for p in plans]
        if any(x is None for x in vals):  # a class with no orders has no fill rate
            return None
        return mean_interval(vals, floor=0.0, ceiling=ceiling)

    return {
        "statistic": "mean over the planned replicates",
        "interval": f"{round(100 * LEVEL)} % confidence interval for the mean (Student's t)",
        "planned": len(plans),
        "fill_by_due": {c: over(lambda p, c=c: p["fill_by_due"].get(c), 1.0) for c in classes},
        "units_short_by_due": {c: over(lambda p, c=c: p["units_short_by_due"][c]) for c in classes},
        "units_lost": {c: over(lambda p, c=c: p["units_lost"][c]) for c in classes},
        "output_lost_units": over(lambda p: p["output_lost_units"]),
        "output_lost_share": over(lambda p: p["output_lost_share"], 1.0),
    }
