"""Prevention materials used under a policy and the day each runs out (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keepline.plant.schema import MaterialKind, PlantFile


@dataclass(frozen=True)
class PreventionUse:
    material: str
    unit: str
    on_hand: float
    used: float  # over the horizon, with no reorder
    per_day: float  # mean
    runs_out_day: int | None  # first day (0 = horizon start) the reserve cannot cover


def prevention_use(
    plant: PlantFile, on_site: np.ndarray, samples: np.ndarray
) -> list[PreventionUse]:
    """Use of each prevention material from workers on site and samples taken per day.

    ``on_site[d]``: workers on site on day d; ``samples[d]``: samples collected that day.
    A material with ``consumption_per_worker_day`` c and ``consumption_per_test`` t uses
    ``c·on_site[d] + t·samples[d]`` on day d; it runs out on the first day whose
    cumulative use exceeds the reserve on hand (no reorder assumed).
    """
    on_site = np.asarray(on_site, dtype=float)
    samples = np.asarray(samples, dtype=float)
    out = []
    for m in plant.materials:
        if m.kind != MaterialKind.prevention:
            continue
        daily = m.consumption_per_worker_day * on_site + m.consumption_per_test * samples
        cum = np.cumsum(daily)
        over = np.nonzero(cum > m.on_hand + 1e-9)[0]
        out.append(
            PreventionUse(
                material=m.id,
                unit=m.unit,
                on_hand=m.on_hand,
                used=float(cum[-1]) if len(cum) else 0.0,
                per_day=float(daily.mean()) if len(daily) else 0.0,
                runs_out_day=int(over[0]) if len(over) else None,
            )
        )
    return out
