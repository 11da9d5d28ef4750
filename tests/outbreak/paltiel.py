"""Test oracle: the compartmental screening model of Paltiel, Zheng & Walensky,
"Assessment of SARS-CoV-2 screening strategies to permit the safe reopening of college
campuses in the United States", JAMA Netw Open 2020;3(7):e2016818
(doi:10.1001/jamanetworkopen.2020.16818), written here from the paper's description of
its model and base case, independently of keepline's engine.

Compartments: U uninfected, E exposed (not yet infectious nor detectable), A
asymptomatic infectious (detectable by screening), S symptomatic (isolated at once),
TP true positives and FP false positives (isolated), R recovered, D dead. Time runs in
8-hour cycles (3 a day, 240 in the 80-day semester); a positive is isolated after one
cycle (the 8-hour lag). Per cycle:

* new infections ``beta U A / (U + E + A)``; ``beta = Rt (rho + sigma)``, so ``Rt`` is
  the infections of a case over its time in A only: symptomatic cases are isolated and
  infect nobody (Rt "with isolation");
* E → A at ``theta = 1 / (3 days)``; A → R at ``rho = 1 / (14 days)``; A → S at
  ``sigma = rho × 0.3 / 0.7`` (30 % of infections show symptoms); S dies at
  ``delta = rho × cfr / (1 - cfr)`` (cfr 0.05 %);
* screening every ``n`` days tests ``1/(3n)`` of the population each cycle: A → TP at
  ``sensitivity / (3n)`` of the previous cycle's A, U → FP at ``(1 - specificity)/(3n)``
  of the previous cycle's U; false positives return to U after a confirmatory test,
  ``mu = 1 / (1 day)``; true positives leave TP as A would (to S or R);
* exogenous shocks: 10 new infections (U → E) every 7 days.

Base case: 4,990 uninfected and 10 in A on day 0, Rt 2.5. The paper reports, for a 70 %
sensitive, 98 % specific test screening every 1, 2, 3 or 7 days, 162, 243, 379 and 1,840
cumulative infections (Results, "Effect of test frequency"); this implementation gives
162, 242, 377 and 1,822 (tests/outbreak/test_paltiel.py checks within 2 %).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Base:
    uninfected: float = 4990
    infected: float = 10
    days: int = 80
    rt: float = 2.5
    sensitivity: float = 0.7
    specificity: float = 0.98
    incubation_days: float = 3
    recovery_days: float = 14
    symptomatic: float = 0.3
    fp_return_days: float = 1
    cfr: float = 0.0005
    shock_every_days: int = 7
    shock_infections: float = 10
    cycles_per_day: int = 3


def cumulative_infections(every_days: int | None, b: Base = Base()) -> float:
    """Infections over the semester (transmissions and shocks, not the initial cases)
    under screening every ``every_days`` days (None: symptoms only)."""
    cpd = b.cycles_per_day
    rho = 1 / (b.recovery_days * cpd)
    sigma = rho * b.symptomatic / (1 - b.symptomatic)
    beta = b.rt * (rho + sigma)
    theta = 1 / (b.incubation_days * cpd)
    mu = 1 / (b.fp_return_days * cpd)
    delta = b.cfr / (1 - b.cfr) * rho
    screened = 0.0 if every_days is None else 1 / (every_days * cpd)  # share per cycle
    u, fp, e, a, s, tp = b.uninfected, 0.0, 0.0, b.infected, 0.0, 0.0
    u_prev, a_prev = u, a
    total = 0.0
    for cycle in range(1, b.days * cpd):
        new = beta * u * a / (u + e + a)
        shock = b.shock_infections if cycle % (b.shock_every_days * cpd) == 0 else 0.0
        to_fp = 0.0 if cycle == 1 else u_prev * (1 - b.specificity) * screened
        to_tp = 0.0 if cycle == 1 else a_prev * b.sensitivity * screened
        u_prev, a_prev = u, a
        total += new + min(shock, u)
        u, fp, e, a, s, tp = (
            max(0.0, u - new + fp * mu - to_fp - shock),
            max(0.0, fp * (1 - mu) + to_fp),
            max(0.0, e * (1 - theta) + new + shock),
            max(0.0, a * (1 - sigma - rho) + e * theta - to_tp),
            max(0.0, s * (1 - delta - rho) + (a + tp) * sigma),
            max(0.0, tp * (1 - sigma - rho) + to_tp),
        )
    return total
