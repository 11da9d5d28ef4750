"""Pool formation and pool-size limits."""

from __future__ import annotations

import math

import pytest

from keepline.errors import InputError
from keepline.screening.pools import Member, check_memberships, check_pool_size, form_pools


def test_sizes_above_20_are_refused_citing_the_guidance() -> None:
    with pytest.raises(InputError, match="pool size 30 refused: national guidance"):
        check_pool_size(30)
    with pytest.raises(InputError, match="choose 1, 5, 10 or 20"):
        check_pool_size(7)
    for ok in (1, 5, 10, 20):
        assert check_pool_size(ok) == ok


def test_pools_follow_teams_and_collection_points() -> None:
    # Two collection points; teams of 12, 7 and 3 at 'asm', 4 at 'lab'; pools of 5.
    members = (
        [Member(f"a{i:02d}", "t-a", "asm") for i in range(12)]
        + [Member(f"b{i:02d}", "t-b", "asm") for i in range(7)]
        + [Member(f"c{i:02d}", "t-c", "asm") for i in range(3)]
        + [Member(f"l{i:02d}", "t-l", "lab") for i in range(4)]
    )
    pools = form_pools(list(reversed(members)), 5)
    # Every member exactly once.
    flat = [m.key for p in pools for m in p]
    assert sorted(flat) == sorted(m.key for m in members)
    # 22 people at asm → ceil(22/5) = 5 pools; 4 at lab → 1 pool.
    assert len(pools) == math.ceil(22 / 5) + math.ceil(4 / 5) == 6
    # A pool never spans collection points.
    assert all(len({m.collection_point for m in p}) == 1 for p in pools)
    # Team t-a (12 people) fills pools 1-2 whole and shares only pool 3.
    assert [m.team for m in pools[0]] == ["t-a"] * 5
    assert [m.team for m in pools[1]] == ["t-a"] * 5
    assert [m.team for m in pools[2]] == ["t-a", "t-a", "t-b", "t-b", "t-b"]
    # Each team spans at most ceil(n/size) + 1 pools.
    for team, n in (("t-a", 12), ("t-b", 7), ("t-c", 3), ("t-l", 4)):
        spanned = sum(1 for p in pools if any(m.team == team for m in p))
        assert spanned <= math.ceil(n / 5) + 1


def test_overlapping_memberships_are_refused() -> None:
    with pytest.raises(
        InputError,
        match=r"pool 2 \('P2'\), member w3: overlapping pool memberships \(already in pool 'P1'\)",
    ):
        check_memberships([("P1", ["w1", "w3"]), ("P2", ["w2", "w3"])])
    with pytest.raises(InputError, match="pool id used twice"):
        check_memberships([("P1", ["w1"]), ("P1", ["w2"])])
    with pytest.raises(InputError, match="21 members refused"):
        check_memberships([("P1", [f"w{i}" for i in range(21)])])
