"""Run independent tasks in-process, on a Dask LocalCluster, or on an existing cluster.

Tasks are pure functions of their arguments (seeded), so the results are identical
whichever way they run; only the wall-clock time changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dask.distributed import Client, LocalCluster, as_completed

from keepline.errors import KeeplineError


@dataclass(frozen=True)
class Executor:
    """How to run tasks: ``workers`` > 0 starts a LocalCluster; ``scheduler`` joins one."""

    workers: int = 0
    scheduler: str | None = None

    def describe(self) -> str:
        if self.scheduler:
            return f"Dask cluster at {self.scheduler}"
        if self.workers:
            return f"Dask LocalCluster with {self.workers} worker{'s' * (self.workers > 1)}"
        return "in-process"


@contextmanager
def _client(ex: Executor) -> Iterator[Any]:
    if ex.scheduler:
        try:
            client = Client(ex.scheduler, timeout="10s")
        except OSError as exc:
            msg = f"cannot reach the Dask scheduler at {ex.scheduler}: {exc}"
            raise KeeplineError(msg) from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=ex.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def run_tasks(
    fn: Callable[..., Any],
    args: Sequence[tuple[Any, ...]],
    ex: Executor,
    on_done: Callable[[int], None] | None = None,
) -> list[Any]:
    """``[fn(*a) for a in args]``, in the order given, run as ``ex`` says.

    ``on_done(i)`` is called as each task finishes (for a progress bar).
    """
    if not ex.workers and not ex.scheduler:
        out = []
        for i, a in enumerate(args):
            out.append(fn(*a))
            if on_done:
                on_done(i)
        return out
    with _client(ex) as client:
        futures = [client.submit(fn, *a, pure=False) for a in args]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        for fut in as_completed(futures):
            i = index[fut.key]
            results[i] = fut.result()
            if on_done:
                on_done(i)
        return results
