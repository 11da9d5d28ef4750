"""Form sampling pools for a screening round.

Pools follow the roster: members are walked in (collection point, team, employee
number) order and cut into pools of the round's size, so a team's members share as
few pools as possible (an infection spreads first within a team, so positives
cluster in few pools and fewer people are recalled). A pool never spans two
collection points, since its swabs go into one tube at one place.

Allowed sizes are the rules in force, :data:`keepline.screening.rules.RULES_IN_FORCE`
(5-, 10- or 20-in-1; no pools of pools), the same data the outbreak simulator's
policies are checked against.

Pure: no database or web imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from keepline.errors import InputError
from keepline.screening.rules import RULES_IN_FORCE, check_pool_size

__all__ = ["Member", "check_memberships", "check_pool_size", "form_pools"]


@dataclass(frozen=True)
class Member:
    key: str  # employee number
    team: str
    collection_point: str


def form_pools(members: Sequence[Member], size: int) -> list[list[Member]]:
    """Cut ``members`` into pools of ``size`` (the last pool of a collection point
    may be smaller). Every member is in exactly one pool."""
    check_pool_size(size)
    keys = [m.key for m in members]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise InputError([f"worker {dup} listed twice for one round"])
    ordered = sorted(members, key=lambda m: (m.collection_point, m.team, m.key))
    pools: list[list[Member]] = []
    for _, group in groupby(ordered, key=lambda m: m.collection_point):
        g = list(group)
        pools.extend(g[i : i + size] for i in range(0, len(g), size))
    return pools


def check_memberships(pools: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Refuse pools that share a member, repeat a pool id, hold more than the rules
    allow or hold another pool (no pools of pools); names the first clash."""
    rules = RULES_IN_FORCE
    owner: dict[str, str] = {}
    ids = {pool_id for pool_id, _ in pools}
    seen: set[str] = set()
    for n, (pool_id, keys) in enumerate(pools, start=1):
        if pool_id in seen:
            raise InputError([f"pool {n} ('{pool_id}'): pool id used twice"])
        seen.add(pool_id)
        if not keys:
            raise InputError([f"pool {n} ('{pool_id}'): no members"])
        if len(keys) > rules.max_size:
            raise InputError(
                [f"pool {n} ('{pool_id}'): {len(keys)} members refused: {rules.source}"]
            )
        for k in keys:
            if k in ids and not rules.pools_of_pools:
                raise InputError(
                    [
                        f"pool {n} ('{pool_id}'), member {k}: a pool in a pool is not allowed "
                        f"({rules.name})"
                    ]
                )
            if k in owner:
                raise InputError(
                    [
                        f"pool {n} ('{pool_id}'), member {k}: overlapping pool memberships "
                        f"(already in pool '{owner[k]}')"
                    ]
                )
            owner[k] = pool_id
