"""What a run means for the plant: per-replicate totals, 5-95 % bands, and the
workers available per day × zone × shift × skill that the planner consumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from keepline.outbreak.engine import Run
from keepline.outbreak.population import SETTINGS, Population
from keepline.workforce import Workforce


@dataclass(frozen=True)
class Band:
    mean: float
    p5: float
    p95: float

    @staticmethod
    def of(values: np.ndarray) -> Band:
        v = np.asarray(values, dtype=float)
        return Band(float(v.mean()), float(np.percentile(v, 5)), float(np.percentile(v, 95)))

    def fmt(self, digits: int = 0, pct: bool = False) -> str:
        k = 100.0 if pct else 1.0
        unit = "%" if pct else ""
        return (
            f"{self.mean * k:.{digits}f}{unit} [{self.p5 * k:.{digits}f}–{self.p95 * k:.{digits}f}]"
        )

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "p5": self.p5, "p95": self.p95}


def per_replicate(run: Run, pop: Population) -> dict[str, np.ndarray]:
    """Totals per replicate over the run's days."""
    present = run.present.sum(axis=2)  # (R, D)
    absent = pop.n - present
    return {
        "infections": run.new_infections.sum(axis=(1, 2)),
        "infections_in_plant": run.new_infections[:, :, :5].sum(axis=(1, 2)),
        "diagnosed": run.diagnosed.sum(axis=1),
        "worker_days_lost": absent.sum(axis=1),
        # worker-days worked while infectious: the sick sent to work
        "infectious_worker_days_at_work": run.infectious_at_work.sum(axis=1),
        "peak_absent_share": absent.max(axis=1) / pop.n,
        "tests": run.tests.sum(axis=1),
        "pools": run.pools.sum(axis=1),
        "samples": run.samples.sum(axis=1),
        "false_positives": run.false_positives.sum(axis=1),
    }


def summary(run: Run, pop: Population) -> dict[str, Band]:
    return {k: Band.of(v) for k, v in per_replicate(run, pop).items()}


def daily_bands(values: np.ndarray) -> dict[str, list[float]]:
    """Mean and 5-95 % band per day of an (R, D) array."""
    return {
        "mean": values.mean(axis=0).tolist(),
        "p5": np.percentile(values, 5, axis=0).tolist(),
        "p95": np.percentile(values, 95, axis=0).tolist(),
    }


def workforce(run: Run, pop: Population, replicate: int | None = None) -> Workforce:
    """Workers available per day × zone × shift × skill, for one replicate (its position
    in the run) or the mean over replicates (``None``)."""
    present = run.present[replicate] if replicate is not None else run.present.mean(axis=0)
    return workforce_of(present, pop)


def workforce_of(present: np.ndarray, pop: Population) -> Workforce:
    """Workers available per day × zone × shift × skill from workers present per day ×
    team, ``present`` (days, teams)."""
    m = pop.team_to_zss()
    avail = present.astype(float) @ m
    shape = (present.shape[0], len(pop.zones), len(pop.shifts), len(pop.skills))
    return Workforce(pop.zones, pop.shifts, pop.skills, avail.reshape(shape))


def to_json(
    run: Run, pop: Population, policy: str, scenario: str, start: dt.date, seed: int
) -> dict[str, Any]:
    """A JSON-able record: totals with bands, daily bands, new infections by setting."""
    days = run.present.shape[1]
    present = run.present.sum(axis=2)
    return {
        "policy": policy,
        "scenario": scenario,
        "seed": seed,
        "replicates": len(run.replicates),
        "workers": pop.n,
        "beta": run.beta,
        "dates": [(start + dt.timedelta(days=d)).isoformat() for d in range(days)],
        "summary": {k: b.as_dict() for k, b in summary(run, pop).items()},
        "infections_by_setting": {
            s: float(run.new_infections[:, :, i].sum(axis=1).mean()) for i, s in enumerate(SETTINGS)
        },
        "daily": {
            "available": daily_bands(present),
            "infectious": daily_bands(run.infectious),
            "isolated": daily_bands(run.isolated),
            "quarantined": daily_bands(run.quarantined),
            "tests": daily_bands(run.tests),
            "new_infections": daily_bands(run.new_infections.sum(axis=2)),
        },
    }
