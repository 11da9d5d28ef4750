"""Run replicates in-process or across processes; the numbers do not depend on which."""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from keepline.outbreak.engine import Controls, Params, Run, World, calibrate_beta, simulate
from keepline.outbreak.population import Population


def run_replicates(
    pop: Population,
    controls: Controls,
    world: World,
    params: Params,
    days: int,
    seed: int,
    replicates: int,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    batch_agents: int = 1_000_000,
) -> Run:
    """Replicates ``0 .. replicates-1``; with ``workers > 1`` in that many processes."""
    beta = calibrate_beta(pop, params)
    if workers <= 1 or replicates < 2:
        return simulate(
            pop, controls, world, params, days, seed, replicates,
            beta=beta, progress=progress, batch_agents=batch_agents,
        )  # fmt: skip
    per_batch = max(1, batch_agents // max(pop.n, 1))
    chunk = max(1, min(per_batch, math.ceil(replicates / (workers * 4))))
    chunks = [list(range(i, min(i + chunk, replicates))) for i in range(0, replicates, chunk)]
    runs: dict[int, Run] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futs = {
            pool.submit(
                simulate, pop, controls, world, params, days, seed, c,
                beta=beta, batch_agents=batch_agents,
            ): i
            for i, c in enumerate(chunks)
        }  # fmt: skip
        for fut in as_completed(futs):
            i = futs[fut]
            runs[i] = fut.result()
            if progress:
                progress(len(chunks[i]))
    return Run.concat([runs[i] for i in range(len(chunks))])
