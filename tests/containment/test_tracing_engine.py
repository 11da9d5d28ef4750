"""Contact tracing engine: overlaps worked by hand and checked against a double loop."""

from __future__ import annotations

import numpy as np

from keepline.containment.tracing import exposures, merge_intervals, overlap_seconds
from tests.containment.oracles import overlaps_naive

H = 3600
M = 60


def test_overlaps_by_hand() -> None:
    # The case: zone 0 from 08:00 to 12:00, zone 1 from 13:00 to 14:00 (seconds of a day).
    case = [(0, 8 * H, 12 * H), (1, 13 * H, 14 * H)]
    events = [
        (0, 11 * H, 15 * H),  # zone 0, 11:00-15:00 → overlaps 11:00-12:00 = 60 min
        (0, 7 * H, 8 * H + 10 * M),  # 07:00-08:10 → 10 min
        (1, 11 * H, 13 * H),  # zone 1 ends exactly when the case arrives → 0
        (0, 13 * H, 14 * H),  # zone 0 when the case is in zone 1 → 0
        (1, 13 * H + 30 * M, 16 * H),  # zone 1 → 13:30-14:00 = 30 min
        (0, 9 * H, 10 * H),  # inside → 60 min
    ]
    want = [60 * M, 10 * M, 0, 0, 30 * M, 60 * M]
    got = overlap_seconds(
        np.array([c[0] for c in case]),
        np.array([c[1] for c in case]),
        np.array([c[2] for c in case]),
        np.array([e[0] for e in events]),
        np.array([e[1] for e in events]),
        np.array([e[2] for e in events]),
    )
    assert got.tolist() == want
    assert overlaps_naive(case, events) == want


def test_case_counted_twice_by_two_gates_is_not_double_exposure() -> None:
    # The case recorded 08:00-10:00 and 09:00-11:00 in zone 0 → present 08:00-11:00.
    z, s, e = merge_intervals(
        np.array([0, 0]), np.array([8 * H, 9 * H]), np.array([10 * H, 11 * H])
    )
    assert (z.tolist(), s.tolist(), e.tolist()) == ([0], [8 * H], [11 * H])
    ov = overlap_seconds(
        np.array([0, 0]),
        np.array([8 * H, 9 * H]),
        np.array([10 * H, 11 * H]),
        np.array([0]),
        np.array([7 * H]),
        np.array([12 * H]),
    )
    assert ov.tolist() == [3 * H]  # not 4 h


def test_exposure_sums_per_zone_and_applies_the_threshold() -> None:
    case = (np.array([0]), np.array([0]), np.array([10 * H]))
    # Worker 0: two 10-minute stays in zone 0 → 20 min ≥ 15: a contact.
    # Worker 1: one 10-minute stay → 10 min < 15: not.
    # Worker 2: 30 min in zone 1 where the case never was → not.
    w = np.array([0, 0, 1, 2])
    z = np.array([0, 0, 0, 1])
    s = np.array([1 * H, 3 * H, 5 * H, 1 * H])
    e = s + np.array([10 * M, 10 * M, 10 * M, 30 * M])
    got = exposures(*case, w, z, s, e, 15 * M)
    assert [(x.worker, x.zone, x.seconds, x.events, x.first_start) for x in got] == [
        (0, 0, 20 * M, 2, 1 * H)
    ]


def test_matches_double_loop_on_random_intervals() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        k, n, zones = int(rng.integers(1, 8)), 300, 4
        cz = rng.integers(0, zones, k)
        cs = rng.integers(0, 48 * H, k)
        ce = cs + rng.integers(1, 6 * H, k)
        ez = rng.integers(0, zones, n)
        es = rng.integers(0, 48 * H, n)
        ee = es + rng.integers(1, 10 * H, n)
        fast = overlap_seconds(cz, cs, ce, ez, es, ee)
        slow = overlaps_naive(
            list(zip(cz.tolist(), cs.tolist(), ce.tolist(), strict=True)),
            list(zip(ez.tolist(), es.tolist(), ee.tolist(), strict=True)),
        )
        assert fast.tolist() == slow
