"""Fingerprints of outbreak runs: a SHA-256 over every array of a :class:`Run` for a fixed
set of plants, policies and seeds. Run it on two versions of the engine: equal
fingerprints mean every figure is the same for the same seeds (the proof that a new
parameter left at its default changes nothing).

Run:  .venv/bin/python bench/outbreak_fingerprint.py
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np

from keepline.outbreak.engine import (
    ANTIGEN,
    PCR,
    Controls,
    Params,
    Round,
    Run,
    World,
    simulate,
)
from keepline.outbreak.population import from_plant
from keepline.outbreak.synthetic import synthetic_plant


def fingerprint(run: Run) -> str:
    h = hashlib.sha256()
    for f in Run.FIELDS:
        a = np.ascontiguousarray(getattr(run, f))
        h.update(f.encode())
        h.update(str(a.dtype).encode())
        h.update(a.tobytes())
    h.update(repr(run.beta).encode())
    return h.hexdigest()[:16]


def cases() -> dict[str, tuple[Controls, Params]]:
    base = Params()
    return {
        "none": (Controls(), base),
        "symptoms": (Controls(isolate_on_symptoms=True, symptom_test=PCR), base),
        "pcr-3d-pool10-team": (
            Controls(
                rounds=(Round(PCR, every_days=3, pool_size=10),),
                isolate_on_symptoms=True,
                symptom_test=PCR,
                on_positive="team",
            ),
            base,
        ),
        "antigen-daily-confirm-zone": (
            Controls(
                rounds=(Round(ANTIGEN, turnaround_days=0, confirm=PCR),),
                isolate_on_symptoms=True,
                on_positive="zone-shift",
                compliance=0.8,
            ),
            base,
        ),
        "tts-no-sick-leave": (
            Controls(
                rounds=(Round(PCR, every_days=7, pool_size=5, pool_by="zone"),),
                on_positive="test-to-stay",
                closed_loop=True,
                staggered_canteen=True,
            ),
            replace(base, sick_leave_days=0, r0=3.0),
        ),
    }


def main() -> None:
    pop = from_plant(synthetic_plant(2000))
    days = 90
    prev = np.full(days, 0.0005)
    world = World(
        prev,
        np.zeros(days, bool),
        np.zeros((days, len(pop.zones)), bool),
        ((0, 3, -1), (20, 2, 0)),
    )
    for name, (ctl, params) in cases().items():
        run = simulate(pop, ctl, world, params, days, seed=11, replicates=6)
        print(f"{name:28s} {fingerprint(run)}  infections {int(run.new_infections.sum())}")


if __name__ == "__main__":
    main()
