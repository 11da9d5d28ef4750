"""Availability engine: a small roster counted by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np

from keepline.containment.availability import Roster, availability, headcount, present
from keepline.fitness import Away, Reason, day_ranges, fitness

D0 = dt.date(2026, 12, 1)


def test_day_ranges_inclusive_and_clipped() -> None:
    m = day_ranges(3, 5, np.array([0, 1, 1]), np.array([1, -2, 4]), np.array([2, 0, 9]))
    assert m.astype(int).tolist() == [
        [0, 1, 1, 0, 0],  # days 1..2
        [1, 0, 0, 0, 1],  # -2..0 clipped to day 0, and 4..9 clipped to day 4
        [0, 0, 0, 0, 0],
    ]


def test_small_roster_by_hand() -> None:
    zones, shifts, skills = ("asm", "lab"), ("day", "night"), ("assembler", "tester")
    # w0 asm/day assembler dorm; w1 asm/day assembler commuter; w2 asm/night both skills
    # commuter; w3 lab/day tester dorm; w4 outside the plant model (zone -1).
    roster = Roster(
        zone=np.array([0, 0, 0, 1, -1]),
        shift=np.array([0, 0, 1, 0, 0]),
        skills=np.array([[1, 0], [1, 0], [1, 1], [0, 1], [1, 0]], dtype=bool),
        in_dormitory=np.array([True, False, False, True, False]),
    )
    days = 3
    away = [Away(1, Reason.quarantined, D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=1))]
    closed = np.zeros((days, 2), dtype=bool)
    loop = np.zeros((days, 2), dtype=bool)
    closed[2, 0] = True  # asm locked on day 2, as a closed loop
    loop[2, 0] = True
    closed[1, 1] = True  # lab locked on day 1, no loop
    fit = fitness(D0, days, roster.zone, roster.in_dormitory, away, closed, loop)
    at_work = present(roster, fit.may_work)
    wf = availability(zones, shifts, skills, roster, at_work)
    a = wf.available
    assert a.shape == (3, 2, 2, 2)
    # Day 0: asm/day assemblers w0, w1 = 2; asm/night w2 counts under both skills; lab/day 1.
    assert a[0, 0, 0].tolist() == [2, 0]
    assert a[0, 0, 1].tolist() == [1, 1]
    assert a[0, 1, 0].tolist() == [0, 1]
    # Day 1: w1 away → asm/day 1; lab locked, no loop → 0.
    assert a[1, 0, 0].tolist() == [1, 0]
    assert a[1, 1, 0].tolist() == [0, 0]
    # Day 2: asm closed loop → dorm w0 stays, commuters w1 and w2 away.
    assert a[2, 0, 0].tolist() == [1, 0]
    assert a[2, 0, 1].tolist() == [0, 0]
    assert a[2, 1, 0].tolist() == [0, 1]
    # w4 (not in the model) is never counted: day 0 total heads-by-skill = 2+2+1 = 5.
    assert a[0].sum() == 5
    # Heads count each worker once: day 0 asm/day 2 (w0, w1), asm/night 1 (w2, two
    # skills), lab/day 1 (w3) = 4 people, while the skill columns add up to 5.
    heads = headcount(zones, shifts, roster, at_work)
    assert heads[0].tolist() == [[2, 1], [1, 0]]
    assert heads[0].sum() == 4 == at_work[:, 0].sum()
    # Day 2: w0 only in asm/day (closed loop), w2 away, w3 back in the lab.
    assert heads[2].tolist() == [[1, 0], [1, 0]]
