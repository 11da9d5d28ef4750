"""Form sampling pools for a screening round.

Pools follow the roster: members are walked in (collection point, team, employee
number) order and cut into pools of the round's size, so a team's members share as
few pools as possible (an infection spreads first within a team, so positives
cluster in few pools and fewer people are recalled). A pool never spans two
collection points, since its swabs go into one tube at one place.

Allowed sizes follow the national guidance on pooled nucleic-acid testing: the
*Technical Specification for 10-in-1 Pooled Nucleic Acid Testing for SARS-CoV-2*
(State Council Joint Prevention and Control Mechanism, 2020) and its 2022 revision
that allows 20-in-1 for low-prevalence screening, which warns that larger pools dilute
a positive below the limit of detection.

Pure: no database or web imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from keepline.errors import InputError

POOL_SIZES = (1, 5, 10, 20)
MAX_POOL_SIZE = 20
GUIDANCE = (
    "national guidance on pooled testing (10-in-1, 2020; 20-in-1 at most, 2022) warns "
    "that larger pools dilute positives below the limit of detection"
)


def check_pool_size(size: int) -> int:
    if size > MAX_POOL_SIZE:
        raise InputError([f"pool size {size} refused: {GUIDANCE}; choose 1, 5, 10 or 20"])
    if size not in POOL_SIZES:
        raise InputError([f"pool size {size} not allowed: choose 1, 5, 10 or 20"])
    return size


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
    """Refuse pools that share a member or repeat a pool id; names the first clash."""
    owner: dict[str, str] = {}
    ids: set[str] = set()
    for n, (pool_id, keys) in enumerate(pools, start=1):
        if pool_id in ids:
            raise InputError([f"pool {n} ('{pool_id}'): pool id used twice"])
        ids.add(pool_id)
        if not keys:
            raise InputError([f"pool {n} ('{pool_id}'): no members"])
        if len(keys) > MAX_POOL_SIZE:
            raise InputError([f"pool {n} ('{pool_id}'): {len(keys)} members refused: {GUIDANCE}"])
        for k in keys:
            if k in owner:
                raise InputError(
                    [
                        f"pool {n} ('{pool_id}'), member {k}: overlapping pool memberships "
                        f"(already in pool '{owner[k]}')"
                    ]
                )
            owner[k] = pool_id
