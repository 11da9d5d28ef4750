"""Viral-load courses after Larremore et al. 2021 (Sci. Adv. 7:eabd5393, Methods).

Each infection follows a piecewise-linear course in log10 copies/ml over the days since
exposure, through three control points:

* ``(t0, 3)``: the load reaches 10^3 (a PCR's limit of detection), ``t0 ~ U[2.5, 3.5]``;
* ``(tpeak, vpeak)``: ``vpeak ~ U[7, 11]``, ``tpeak - t0 ~ 0.5 + Gamma(1.5)``, capped at 3;
* ``(tf, 6)``: the load falls back to 10^6 (no longer infectious),
  ``tf - tpeak ~ U[4, 9]`` without symptoms; with symptoms (35 %), symptom onset
  ``ts - tpeak ~ U[0, 3]`` and ``tf - ts ~ U[4, 9]``.

The load keeps falling at the same slope after ``tf`` until it drops below 10^3 (the
course ends). Before ``t0`` it rises at the slope of ``t0 → tpeak``. Infectiousness on
a day is ``max(0, log10 VL - 6)`` at mid-day, as in Larremore et al.

Every draw comes from uniforms and one gamma variate handed in, so the engine can draw
them per replicate up front and stay reproducible however replicates are batched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOG10_DETECT = 3.0  # the course "ends" once the load is below 10^3 again


@dataclass(frozen=True)
class DiseaseParams:
    t0_days: tuple[float, float] = (2.5, 3.5)
    peak_log10: tuple[float, float] = (7.0, 11.0)
    peak_delay_offset_days: float = 0.5
    peak_delay_gamma_shape: float = 1.5
    peak_delay_cap_days: float = 3.0
    decline_days: tuple[float, float] = (4.0, 9.0)
    symptom_delay_days: tuple[float, float] = (0.0, 3.0)
    symptomatic_fraction: float = 0.35
    infectious_log10: float = 6.0


@dataclass
class Courses:
    """Course parameters, arrays of one shape (float32 to save memory).

    ``onset`` is the symptom onset (days since exposure), ``inf`` when never symptomatic.
    """

    t0: np.ndarray
    tpeak: np.ndarray
    vpeak: np.ndarray
    tf: np.ndarray
    onset: np.ndarray

    def take(self, idx: tuple[np.ndarray, ...] | np.ndarray) -> Courses:
        return Courses(
            self.t0[idx], self.tpeak[idx], self.vpeak[idx], self.tf[idx], self.onset[idx]
        )

    @property
    def end(self) -> np.ndarray:
        """Days since exposure when the load falls below 10^3."""
        down = (self.vpeak - 6.0) / (self.tf - self.tpeak)
        return self.tpeak + (self.vpeak - LOG10_DETECT) / down


def draw_courses(u: np.ndarray, g: np.ndarray, p: DiseaseParams = DiseaseParams()) -> Courses:
    """Courses from uniforms ``u`` (shape ``(5, *shape)``) and Gamma(shape) draws ``g``."""
    lo, hi = p.t0_days
    t0 = lo + (hi - lo) * u[0]
    delay = np.minimum(p.peak_delay_offset_days + g, p.peak_delay_cap_days)
    tpeak = t0 + delay
    lo, hi = p.peak_log10
    vpeak = lo + (hi - lo) * u[1]
    symptomatic = u[2] < p.symptomatic_fraction
    lo, hi = p.symptom_delay_days
    onset = np.where(symptomatic, tpeak + lo + (hi - lo) * u[3], np.inf)
    lo, hi = p.decline_days
    tf = np.where(symptomatic, onset, tpeak) + lo + (hi - lo) * u[4]
    f32 = np.float32
    return Courses(
        t0.astype(f32), tpeak.astype(f32), vpeak.astype(f32), tf.astype(f32), onset.astype(f32)
    )


def sample_courses(n: int, rng: np.random.Generator, p: DiseaseParams = DiseaseParams()) -> Courses:
    return draw_courses(rng.random((5, n)), rng.gamma(p.peak_delay_gamma_shape, size=n), p)


def log10_load(c: Courses, tau: np.ndarray) -> np.ndarray:
    """log10 copies/ml at ``tau`` days since exposure (elementwise)."""
    tau = np.asarray(tau, dtype=np.float32)
    up = (c.vpeak - LOG10_DETECT) / (c.tpeak - c.t0)
    down = (c.vpeak - 6.0) / (c.tf - c.tpeak)
    rising = LOG10_DETECT + up * (tau - c.t0)
    falling = c.vpeak - down * (tau - c.tpeak)
    out = np.where(tau < c.tpeak, rising, falling)
    return np.where(tau < 0, -np.inf, out)


def infectiousness(
    c: Courses, day_since: np.ndarray, p: DiseaseParams = DiseaseParams()
) -> np.ndarray:
    """Relative infectiousness on integer day ``day_since`` after exposure (mid-day load)."""
    v = log10_load(c, np.asarray(day_since, dtype=np.float32) + np.float32(0.5))
    return np.maximum(v - np.float32(p.infectious_log10), np.float32(0.0))


def total_infectiousness(c: Courses, p: DiseaseParams = DiseaseParams()) -> np.ndarray:
    """Sum over the days of a course of the daily infectiousness (the engine's unit)."""
    days = int(np.ceil(float(np.max(c.end)))) + 1
    tau = np.arange(days, dtype=np.float32)[:, None]
    return infectiousness(c, tau, p).sum(axis=0)
