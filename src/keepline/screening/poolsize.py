"""Which pool size to use: Dorfman's expected tests per person for each size the rules
allow, corrected for what dilution costs in sensitivity.

The model, for a prevalence ``p`` (the share of the people screened whose own swab,
tested alone, is positive) and a pool of ``k``:

* **Dorfman (1943)**, a perfect test: every pool is one reaction and a positive pool's
  ``k`` members are retested alone, so the expected reactions per person are
  ``1/k + 1 - (1 - p)^k``.
* **Dilution.** Pooling ``k`` swabs dilutes each ``k``-fold, which delays its Cq by the
  kit's ``cq_shift_per_doubling × log2(k)`` cycles (1 cycle per doubling for a reaction
  of 100 % efficiency). A positive whose own Cq is within that shift of the kit's
  cut-off is missed by the pool. The Cq of a positive swab is read from its viral
  load through the kit's standard curve: ``Cq = cq_at_lod - cycles_per_log10 × (log10
  VL - lod_log10)``, so a swab at the limit of detection sits at ``cq_at_lod`` (default:
  the cut-off). The pool's sensitivity ``s_k`` is the share of positive swabs whose
  margin below the cut-off, ``cutoff - Cq``, is at least the shift.
* **Viral loads of the positives.** The loads are those of the engine's disease model
  (Larremore et al. 2021, :mod:`keepline.outbreak.disease`) at a moment drawn uniformly
  over the days each infection is detectable alone (load ≥ the LOD), before a
  symptomatic worker isolates (``onset_to_isolation_days`` after onset; None: never):
  a screening round meets an infection at a random point of its detectable course, and
  a longer course is met more often.
* **Corrected tests per person:** each member is independently a positive the pool
  detects with probability ``p × s_k``, so ``1/k + 1 - (1 - p s_k)^k``; with ``s_k = 1``
  this is Dorfman's formula. It is fewer reactions than Dorfman's, paid for with
  ``p (1 - s_k)`` positives per person missed.
* **The choice:** the allowed size with the fewest corrected tests per person among
  those whose sensitivity is at least ``min_sensitivity`` (default 0.75); size 1 always
  qualifies. Sizes come from :data:`keepline.screening.rules.RULES_IN_FORCE` (capped by
  the rules). With the default disease model a 20-in-1 pool finds 78 % of the swabs a
  single test calls positive (5-in-1: 88 %, 10-in-1: 83 %); the ones it misses are late
  in their course, below 10^4.3 copies/ml and no longer infectious, so every infectious
  positive is still found (``infectious_found``). The default threshold therefore keeps
  every allowed size in play and the choice is by tests per person: 20-in-1 below about
  0.75 % positivity, 10-in-1 up to about 3 %, 5-in-1 above, individual tests above about
  30 % (close to the national practice).

With the ideal kit (a shift of 1 cycle per doubling and 3.32 cycles per log10, the
same efficiency) the rule is "a diluted load ``log10 VL - log10 k`` still at or above the
LOD", the outbreak engine's rule for a pooled reaction, so the record's recommendation
and the simulator agree.

Pure: no database or web imports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from keepline.outbreak.disease import DiseaseParams, log10_load, sample_courses
from keepline.screening.rules import RULES_IN_FORCE, PoolingRules

IDEAL_CYCLES_PER_LOG10 = math.log2(10)  # 3.32 cycles per tenfold at 100 % efficiency
INFECTIOUS_LOG10 = DiseaseParams().infectious_log10
LOAD_SEED = 20210114  # the courses the calibration uses too: fixed, so answers are stable


@dataclass(frozen=True)
class KitDilution:
    """What a kit's leaflet says about dilution, and its cut-off."""

    cq_shift_per_doubling: float = 1.0
    cutoff_cq: float = 40.0
    cq_at_lod: float | None = None  # Cq of a swab at the LOD (None: the cut-off)
    cycles_per_log10: float = IDEAL_CYCLES_PER_LOG10
    lod_log10: float = 3.0

    def __post_init__(self) -> None:
        if not 0 < self.cq_shift_per_doubling <= 5:
            raise ValueError("cq_shift_per_doubling must be in (0, 5] cycles")
        if not 0 < self.cycles_per_log10 <= 10:
            raise ValueError("cycles_per_log10 must be in (0, 10]")
        if self.cq_at_lod is not None and self.cq_at_lod > self.cutoff_cq:
            raise ValueError("cq_at_lod must not be above the cut-off")

    def margins(self, loads_above_lod: np.ndarray) -> np.ndarray:
        """Cycles below the cut-off of swabs ``loads_above_lod`` log10 above the LOD."""
        at_lod = self.cutoff_cq if self.cq_at_lod is None else self.cq_at_lod
        return (self.cutoff_cq - at_lod) + self.cycles_per_log10 * loads_above_lod

    def shift(self, k: int) -> float:
        """Cycles a ``k``-fold dilution adds."""
        return self.cq_shift_per_doubling * math.log2(k)


@dataclass(frozen=True)
class PoolOption:
    size: int
    dorfman: float  # tests per person, perfect test
    sensitivity: float  # share of the individually positive swabs the pool finds
    tests_per_person: float  # corrected for dilution
    missed_per_10k: float  # positives per 10,000 people lost to dilution
    infectious_found: float  # share of the infectious positives (load >= 10^6) the pool finds


@dataclass(frozen=True)
class Recommendation:
    prevalence: float
    size: int
    reason: str
    options: tuple[PoolOption, ...]
    min_sensitivity: float


def dorfman(p: float, k: int) -> float:
    """Dorfman's expected tests per person, perfect test: ``1/k + 1 - (1-p)^k`` (one test
    per person when ``k`` is 1)."""
    if k == 1:
        return 1.0
    return 1 / k + 1 - (1 - p) ** k


@lru_cache(maxsize=16)
def detectable_loads(
    symptomatic_share: float = 0.35,
    onset_to_isolation_days: float | None = 0.0,
    lod_log10: float = 3.0,
    courses: int = 3000,
    step_days: float = 0.05,
) -> np.ndarray:
    """log10 load above the LOD of positive swabs, at times uniform over each course's
    detectable days (before isolation of a symptomatic worker); fixed seed."""
    p = DiseaseParams(symptomatic_fraction=symptomatic_share)
    c = sample_courses(courses, np.random.default_rng(LOAD_SEED), p)
    horizon = float(np.max(c.end)) + 1
    tau = np.arange(0, horizon, step_days, dtype=np.float32)[:, None]
    v = log10_load(c, tau)
    keep = v >= lod_log10
    if onset_to_isolation_days is not None:
        keep &= tau < c.onset[None, :] + np.float32(onset_to_isolation_days)
    out = (v[keep] - np.float32(lod_log10)).astype(np.float64)
    out.setflags(write=False)
    return out


def pool_sensitivity(k: int, kit: KitDilution, loads_above_lod: np.ndarray) -> float:
    """Share of individually positive swabs still positive in a pool of ``k``."""
    if k == 1 or loads_above_lod.size == 0:
        return 1.0
    m = kit.margins(loads_above_lod)
    return float(np.mean(m >= kit.shift(k)))


def _infectious_found(k: int, kit: KitDilution, loads_above_lod: np.ndarray) -> float:
    infectious = loads_above_lod[loads_above_lod >= INFECTIOUS_LOG10 - kit.lod_log10]
    return pool_sensitivity(k, kit, infectious)


def recommend(
    prevalence: float,
    *,
    kit: KitDilution | None = None,
    rules: PoolingRules = RULES_IN_FORCE,
    min_sensitivity: float = 0.75,
    loads_above_lod: np.ndarray | None = None,
) -> Recommendation:
    """The pool size to use at ``prevalence`` (0..1), with every allowed size's figures."""
    if not 0 <= prevalence <= 1:
        raise ValueError(f"prevalence must be in [0, 1], got {prevalence}")
    if not 0 < min_sensitivity <= 1:
        raise ValueError(f"min_sensitivity must be in (0, 1], got {min_sensitivity}")
    kit = kit or KitDilution()
    loads = (
        detectable_loads(lod_log10=kit.lod_log10) if loads_above_lod is None else loads_above_lod
    )
    p = prevalence
    options = []
    for k in sorted(rules.sizes):
        s = pool_sensitivity(k, kit, loads)
        corrected = 1.0 if k == 1 else 1 / k + 1 - (1 - p * s) ** k
        found = _infectious_found(k, kit, loads)
        options.append(PoolOption(k, dorfman(p, k), s, corrected, 10_000 * p * (1 - s), found))
    ok = [o for o in options if o.sensitivity >= min_sensitivity]
    best = min(ok, key=lambda o: (round(o.tests_per_person, 12), o.size))
    if best.size == 1:
        reason = "individual tests: no allowed pool saves tests at this prevalence"
        if any(o.tests_per_person < 1 for o in options if o not in ok):
            reason = (
                f"individual tests: the pools that would save tests find fewer than "
                f"{min_sensitivity:.0%} of the positives"
            )
    else:
        reason = (
            f"{best.size}-in-1: {best.tests_per_person:.3f} tests per person, "
            f"{best.sensitivity:.1%} of positives found after dilution"
        )
    return Recommendation(p, best.size, reason, tuple(options), min_sensitivity)
