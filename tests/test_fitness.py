"""The one rule of who may work on a day (keepline.fitness), worked by hand on five
workers over four days."""

from __future__ import annotations

import datetime as dt

import numpy as np

from keepline.fitness import Away, Reason, clearance_span, fitness

D1 = dt.date(2026, 12, 1)


def day(n: int) -> dt.date:
    return dt.date(2026, 12, n)


def test_reasons_by_hand() -> None:
    # w0 zone 0, dorm: isolated from 2 Dec, still open.
    # w1 zone 0, commuter: quarantined 1-2 Dec; flagged by a declaration on 2 Dec and
    #    cleared on 4 Dec (away 2-3 Dec); zone 0 locked as a closed loop on 3 Dec.
    # w2 zone 1, commuter: zone 1 locked (no loop) on 4 Dec.
    # w3 zone 0, dorm: the closed loop keeps them at work.
    # w4 outside the plant model (zone -1): never zone-locked.
    zone = np.array([0, 0, 1, 0, -1])
    dorm = np.array([True, False, False, True, False])
    flag = clearance_span(1, True, day(2), day(4))
    assert flag == Away(1, Reason.not_cleared, day(2), day(3))
    away = [
        Away(0, Reason.isolated, day(2), None),
        Away(1, Reason.quarantined, day(1), day(2)),
        flag,
    ]
    closed = np.zeros((4, 2), dtype=bool)
    loop = np.zeros((4, 2), dtype=bool)
    closed[2, 0] = loop[2, 0] = True  # zone 0, 3 Dec, closed loop
    closed[3, 1] = True  # zone 1, 4 Dec, locked
    fit = fitness(D1, 4, zone, dorm, away, closed, loop)
    got = [[fit.reasons_of(i, d) for d in range(4)] for i in range(5)]
    iso, qua, nc, zl = Reason.isolated, Reason.quarantined, Reason.not_cleared, Reason.zone_locked
    assert got == [
        [[], [iso], [iso], [iso]],
        [[qua], [qua, nc], [nc, zl], []],
        [[], [], [], [zl]],
        [[], [], [], []],
        [[], [], [], []],
    ]
    # At work: 1 Dec all but w1; 2 and 3 Dec all but w0 and w1; 4 Dec all but w0 and w2.
    assert fit.may_work.sum(axis=0).tolist() == [4, 3, 3, 3]


def test_clearance_spans() -> None:
    # Not cleared: open from the day flagged; cleared the day flagged: never away;
    # no flag: nothing.
    assert clearance_span(0, False, day(5), None) == Away(0, Reason.not_cleared, day(5), None)
    assert clearance_span(0, True, day(5), day(5)) is None
    assert clearance_span(0, True, None, None) is None
    fit = fitness(
        day(5),
        2,
        np.array([0]),
        np.array([False]),
        [],
        np.zeros((2, 1), bool),
        np.zeros((2, 1), bool),
    )
    assert fit.may_work.tolist() == [[True, True]]
