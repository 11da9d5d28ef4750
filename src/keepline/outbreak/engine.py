"""The outbreak and screening engine: pure numpy, seeded, vectorised over agents and
replicates.

One day, in order:

1. importations (scenario shocks and index cases) infect the chosen susceptible workers;
2. results due today arrive: pool-positive members are held for their retest, confirmed
   cases are isolated and the policy's response (team or zone × shift quarantine,
   test-to-stay) starts;
3. today's screening rounds sample the eligible workers (results with a 0-day turnaround
   act before anyone meets anyone);
4. workers whose symptoms start today isolate (and get a PCR) when the policy says so;
5. everyone who is not isolated, held or quarantined mixes: at work (team, zone × shift,
   canteen) if their zone is open and, for commuters, the city is not a control area; in
   the dormitory (residents); in the city (commuters; residents too unless the plant
   runs a closed loop);
6. the day's counts are recorded.

Transmission is frequency-dependent group mixing. An infectious worker ``j`` with
infectiousness ``f_j`` (log10 load above 10^6) exerts on each other member of a group of
``n`` in setting ``s`` the daily hazard ``beta * c_s * f_j / (n - 1)``, where ``c_s`` is
the contacts per day in that setting. ``beta`` is solved so that an index case in a fully
susceptible, unmitigated plant infects ``R0`` others on average
(:func:`calibrate_beta`).

Infection uses the cumulative-hazard method: each worker draws an Exp(1) resistance once
and is infected on the day the hazard summed over days passes it — the same law as a
Bernoulli(1 - exp(-hazard)) draw each day, with one random number per worker instead
of one per worker-day. False positives use the same device (each test adds
``-log(specificity)``).

Every random number of replicate ``r`` comes from
``default_rng(SeedSequence(seed, spawn_key=(r,)))`` (= ``SeedSequence(seed).spawn(R)[r]``)
and every sum runs within a replicate in a fixed order, so a replicate's numbers do not
depend on which other replicates share its batch or process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.optimize import brentq

from keepline.outbreak.disease import Courses, DiseaseParams, draw_courses, log10_load
from keepline.outbreak.disease import sample_courses as _sample_courses
from keepline.outbreak.population import DORM_SETTINGS, SETTINGS, WORK_SETTINGS, Population

S_IDX = {s: i for i, s in enumerate(SETTINGS)}


@dataclass(frozen=True)
class TestKind:
    """A test: samples at or above ``lod_log10`` (after any pooling dilution) react, each
    test then with probability ``sensitivity`` (drawn independently at each test, as a
    kit's leaflet states it; 1 = always); samples below it test falsely positive with
    probability ``1 - specificity``."""

    __test__ = False  # not a pytest class

    name: str
    lod_log10: float
    specificity: float
    sensitivity: float = 1.0


PCR = TestKind("pcr", 3.0, 0.998)
ANTIGEN = TestKind("antigen", 5.0, 0.996)


@dataclass(frozen=True)
class Round:
    """One screening round, repeated every ``every_days`` from ``start_day``."""

    test: TestKind
    every_days: int = 1
    start_day: int = 0
    time_of_day: float = 0.25  # fraction of the day when sampled (0.25 morning, 0.75 evening)
    pool_size: int = 1
    pool_by: str = "team"  # "team" or "zone"
    zones: tuple[int, ...] | None = None  # zone indices; None = everyone
    turnaround_days: int = 1
    retest_delay_days: int = 1  # pooled: days from a positive pool to the individual results
    confirm: TestKind | None = None  # individual positives held and confirmed on this test
    last_day: int | None = None  # no round after this day (None: to the end)
    # sample the workers where they are: those kept off site by a closed zone or a
    # control area are in the round too (a locked zone's people screened in place)
    in_place: bool = False

    def due(self, day: int) -> bool:
        d = day - self.start_day
        in_force = self.last_day is None or day <= self.last_day
        return d >= 0 and d % self.every_days == 0 and in_force


@dataclass(frozen=True)
class Controls:
    """What the plant does: screening, isolation, quarantine, mixing limits."""

    rounds: tuple[Round, ...] = ()
    isolate_on_symptoms: bool = False
    onset_to_isolation_days: int = 0  # days from symptom onset to isolation (0 = that day)
    symptom_test: TestKind | None = None
    symptom_test_turnaround_days: int = 1
    on_positive: str = "none"  # none | team | zone-shift | test-to-stay
    quarantine_days: int = 14
    test_to_stay: TestKind = ANTIGEN
    isolation_days: int = 14
    closed_loop: bool = False
    staggered_canteen: bool = False
    mask_factor: float = 1.0  # multiplies team and zone × shift transmission
    compliance: float = 1.0  # share of workers who get tested and isolate on symptoms


@dataclass(frozen=True)
class World:
    """The scenario as arrays over the simulated days."""

    prevalence: np.ndarray  # (days,) city infectious fraction
    commuters_blocked: np.ndarray  # (days,) bool: city is a control area
    zone_closed: np.ndarray  # (days, zones) bool
    importations: tuple[tuple[int, int, int], ...] = ()  # (day, count, zone index or -1)
    # (days, zones) bool: a closed zone run as a closed loop (its dormitory residents keep
    # working inside); None: no closed loop
    zone_loop: np.ndarray | None = None

    @staticmethod
    def quiet(days: int, zones: int, index_cases: int = 0) -> World:
        imps = ((0, index_cases, -1),) if index_cases else ()
        return World(np.zeros(days), np.zeros(days, bool), np.zeros((days, zones), bool), imps)


def _default_contacts() -> dict[str, float]:
    return {"team": 4.0, "zone_shift": 3.0, "canteen": 2.0, "dorm_room": 3.0, "dorm_building": 1.0}


@dataclass(frozen=True)
class Params:
    """Model parameters (not policy). Contacts are per day; see docs/outbreak.md."""

    r0: float = 2.5
    # without_isolation: a case's whole course counts; with_isolation: a symptomatic
    # case stops infecting on the day symptoms start (see calibrate_beta)
    r0_definition: str = "without_isolation"
    contacts: dict[str, float] = field(default_factory=_default_contacts)
    community_rate: float = 0.35  # daily hazard per unit of city prevalence (R0 / 7 days)
    dorm_community_factor: float = 0.5  # residents' city exposure relative to commuters
    sick_leave_days: int = 7  # symptomatic workers not isolated by policy stay home (0 = work)
    disease: DiseaseParams = field(default_factory=DiseaseParams)
    calibration_samples: int = 4000


@dataclass
class Run:
    """Per replicate (axis 0) and day (axis 1)."""

    replicates: np.ndarray  # (R,) replicate numbers
    new_infections: np.ndarray  # (R, D, len(SETTINGS)) by setting
    infectious: np.ndarray  # (R, D)
    isolated: np.ndarray  # (R, D) cases, symptomatic and pool-positive workers held
    quarantined: np.ndarray  # (R, D) quarantined and not isolated
    tests: np.ndarray  # (R, D) test reactions run (a pool counts once)
    pools: np.ndarray  # (R, D) pooled reactions among the tests
    samples: np.ndarray  # (R, D) swabs collected (each pool member and each retest)
    false_positives: np.ndarray  # (R, D) positive results on samples below the LOD
    diagnosed: np.ndarray  # (R, D) new confirmed cases
    present: np.ndarray  # (R, D, teams) workers at work by team
    # (R, D) workers at work while infectious: the sick sent to work (undetected,
    # presymptomatic, or a policy that lets them work)
    infectious_at_work: np.ndarray
    beta: float

    FIELDS = (
        "new_infections",
        "infectious",
        "isolated",
        "quarantined",
        "tests",
        "pools",
        "samples",
        "false_positives",
        "diagnosed",
        "present",
        "infectious_at_work",
    )

    @staticmethod
    def concat(runs: Sequence[Run]) -> Run:
        kw = {f: np.concatenate([getattr(r, f) for r in runs]) for f in Run.FIELDS}
        reps = np.concatenate([r.replicates for r in runs])
        return Run(replicates=reps, beta=runs[0].beta, **kw)


def replicate_rng(seed: int, replicate: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replicate,)))


# --------------------------------------------------------------------------- calibration
R0_DEFINITIONS = ("without_isolation", "with_isolation")


def calibrate_beta(pop: Population, params: Params) -> float:
    """``beta`` such that a random index case in a fully susceptible plant where everyone
    comes to work every day infects ``params.r0`` others on average:

        R0 = sum_j (n_j/N) sum_i m_ji E_F[1 - exp(-beta w_ji F)]

    with ``w_ji = sum_s c_s / (n_g - 1)`` over the groups they share, ``m_ji`` the
    members of team i other than the index case, and ``F`` the course's summed daily
    infectiousness, averaged over ``calibration_samples`` courses drawn from a fixed
    seed. Solved by Brent's method.

    ``params.r0_definition`` says which ``F``: ``without_isolation`` (the default) sums
    the whole course, the biological R0 with nobody isolated; ``with_isolation`` stops a
    symptomatic case's sum on the day symptoms start (the day the engine isolates them
    with ``onset_to_isolation_days`` 0), as Paltiel et al. 2020 define ``Rt``: the
    infections of a case whose symptomatic share isolates at once. Either way the
    result is one ``beta``, so :func:`reproduction_numbers` converts exactly.
    """
    if params.r0_definition not in R0_DEFINITIONS:
        raise ValueError(f"r0_definition must be one of {', '.join(R0_DEFINITIONS)}")
    uw, coef = _contact_weights(pop, params)
    f_total = _course_totals(params)[params.r0_definition]

    def r_of(beta: float) -> float:
        return _r_of(beta, uw, coef, f_total)

    ceiling = float(coef.sum())
    if params.r0 >= ceiling:
        raise ValueError(f"R0 {params.r0} is not reachable: the plant has {ceiling:.1f} contacts")
    hi = 1.0
    while r_of(hi) < params.r0:
        hi *= 4
    return float(brentq(lambda b: r_of(b) - params.r0, 0.0, hi, xtol=1e-12, rtol=1e-10))


def reproduction_numbers(pop: Population, params: Params, beta: float) -> dict[str, float]:
    """R0 under each definition for the same ``beta``: the exact conversion between
    them (``with_isolation`` ≤ ``without_isolation``)."""
    uw, coef = _contact_weights(pop, params)
    totals = _course_totals(params)
    return {d: _r_of(beta, uw, coef, totals[d]) for d in R0_DEFINITIONS}


def _r_of(beta: float, uw: np.ndarray, coef: np.ndarray, f_total: np.ndarray) -> float:
    return float(coef @ (1 - np.exp(-beta * uw[:, None] * f_total[None, :])).mean(axis=1))


def _contact_weights(pop: Population, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pair weights ``w`` and the expected partners of an index case at
    each (``coef``): R0 = coef @ E_F[1 - exp(-beta w F)]."""
    # Pairs (j, i) sharing the same set of settings have the same weight for a given j:
    # sum the partner counts per (j, set) instead of handling T x T weights one by one.
    settings = (*WORK_SETTINGS, *DORM_SETTINGS)
    t = pop.n_teams
    code = np.zeros((t, t), np.int64)
    rate = np.zeros((t, len(settings)))
    for b, s in enumerate(settings):
        g = pop.groups(s)
        sizes = pop.group_sizes(g)
        if sizes.size == 0:
            continue
        per = np.where(sizes >= 2, params.contacts[s] / np.maximum(sizes - 1, 1), 0.0)
        rate[:, b] = np.where(g >= 0, per[np.maximum(g, 0)], 0.0)
        code |= ((g[:, None] == g[None, :]) & (g >= 0)[:, None]).astype(np.int64) << b
    n_codes = 1 << len(settings)
    m = pop.team_size[None, :].astype(float) - np.eye(t)  # partners of j in team i
    share = pop.team_size / pop.n
    flat = (np.arange(t)[:, None] * n_codes + code).ravel()
    coef_jc = np.bincount(flat, weights=(share[:, None] * m).ravel(), minlength=t * n_codes)
    bits = (np.arange(n_codes)[:, None] >> np.arange(len(settings))[None, :]) & 1
    w_jc = rate @ bits.T  # (T, codes)
    uw, inv = np.unique(w_jc.ravel(), return_inverse=True)
    coef = np.bincount(inv, weights=coef_jc, minlength=len(uw))
    keep = (uw > 0) & (coef > 0)
    if not keep.any():
        raise ValueError("no two workers share a team, zone, canteen or dormitory")
    return uw[keep], coef[keep]


def _course_totals(params: Params) -> dict[str, np.ndarray]:
    """Each calibration course's summed infectiousness: the whole course, and up to the
    day symptoms start for a symptomatic one."""
    courses = _sample_courses(
        params.calibration_samples, np.random.default_rng(20210114), params.disease
    )
    return {
        "without_isolation": _total_infectiousness(courses, params.disease),
        "with_isolation": _total_infectiousness(courses, params.disease, np.floor(courses.onset)),
    }


def _total_infectiousness(
    c: Courses, p: DiseaseParams, stop: np.ndarray | None = None
) -> np.ndarray:
    """Summed daily infectiousness of each course (days since exposure ``< stop``)."""
    days = int(np.ceil(float(np.max(c.end)))) + 1
    out = np.zeros(c.t0.shape, dtype=np.float64)
    for d in range(days):
        f = _infectiousness(c, np.float32(d), p)
        out += f if stop is None else np.where(d < stop, f, 0)
    return out


def _infectiousness(c: Courses, day_since: np.ndarray | np.float32, p: DiseaseParams):
    v = log10_load(c, np.asarray(day_since, dtype=np.float32) + np.float32(0.5))
    return np.maximum(v - np.float32(p.infectious_log10), np.float32(0.0))


# --------------------------------------------------------------------------- simulation
def simulate(
    pop: Population,
    controls: Controls,
    world: World,
    params: Params,
    days: int,
    seed: int,
    replicates: Sequence[int] | int,
    *,
    batch_agents: int = 1_000_000,
    beta: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Run the given replicate numbers (or ``range(replicates)``) of ``days`` days.

    Replicates run in batches of about ``batch_agents`` agent-replicates; ``progress`` is
    called with the number of replicates finished after each batch.
    """
    reps = list(range(replicates)) if isinstance(replicates, int) else list(replicates)
    if beta is None:
        beta = calibrate_beta(pop, params)
    per = max(1, batch_agents // max(pop.n, 1))
    runs = []
    for i in range(0, len(reps), per):
        chunk = reps[i : i + per]
        runs.append(_Batch(pop, controls, world, params, days, seed, chunk, beta).run())
        if progress:
            progress(len(chunk))
    if not runs:
        raise ValueError("no replicates to run")
    return Run.concat(runs)


class _Batch:
    """The state of a batch of replicates; ``run()`` steps it through the days."""

    def __init__(
        self,
        pop: Population,
        controls: Controls,
        world: World,
        params: Params,
        days: int,
        seed: int,
        reps: Sequence[int],
        beta: float,
    ) -> None:
        self.pop, self.ctl, self.world, self.params = pop, controls, world, params
        self.days, self.beta = days, beta
        b, n = len(reps), pop.n
        self.b, self.n = b, n
        self.reps = np.asarray(reps)
        self.rngs = [replicate_rng(seed, r) for r in reps]
        dp = params.disease
        resist = np.empty((b, n), np.float32)
        u = np.empty((5, b, n))
        g = np.empty((b, n))
        comply = np.empty((b, n))
        key = np.empty((b, n))
        fp = np.empty((b, n))
        u_set = np.empty((b, n))
        for i, rng in enumerate(self.rngs):  # fixed order of draws per replicate
            resist[i] = rng.exponential(size=n)
            u[:, i] = rng.random((5, n))
            g[i] = rng.gamma(dp.peak_delay_gamma_shape, size=n)
            comply[i] = rng.random(n)
            key[i] = rng.random(n)
            fp[i] = rng.exponential(size=n)
            u_set[i] = rng.random(n)
        self.resist, self.fp, self.key = resist, fp, key
        self.u_set = u_set.astype(np.float32)
        self.complier = comply < controls.compliance
        self.courses = draw_courses(u, g, dp)
        del u, g, comply

        team = pop.agent_team
        self.team = team
        self.zone = pop.team_zone[team]
        self.zs = (pop.team_zone * len(pop.shifts) + pop.team_shift)[team]
        resident_team = pop.team_dorm >= 0
        self.resident = resident_team[team]
        self.any_resident = bool(self.resident.any())
        comm = np.where(
            self.resident, 0.0 if controls.closed_loop else params.dorm_community_factor, 1.0
        )
        self.comm_factor = comm * params.community_rate
        self.comm_team = self.comm_factor[pop.team_start]

        # group ids per team and the pair hazard per group, per setting
        self.work_groups, self.dorm_groups = [], []
        for s in WORK_SETTINGS:
            gid = pop.groups(s, controls.staggered_canteen)
            self.work_groups.append((s, gid, self._pair_rate(s, gid)))
        for s in DORM_SETTINGS:
            gid = pop.groups(s)
            if (gid >= 0).any():
                self.dorm_groups.append((s, gid, self._pair_rate(s, gid)))

        i32 = np.int32
        self.inf_day = np.full((b, n), -1, i32)
        self.iso_until = np.zeros((b, n), i32)
        self.quar_until = np.zeros((b, n), i32)
        self.hold_until = np.zeros((b, n), i32)
        self.off_until = np.zeros((b, n), i32)
        self.tts_until = np.zeros((b, n), i32)
        self.diagnosed = np.zeros((b, n), bool)

        # active infections (sparse): replicate row, agent, infection day, course
        self.act_r = np.zeros(0, np.int64)
        self.act_c = np.zeros(0, np.int64)
        self.act_day = np.zeros(0, i32)
        self.act_course = self.courses.take((self.act_r, self.act_c))
        self.queue: dict[int, list[tuple[str, np.ndarray, np.ndarray, int]]] = {}
        # (result day, replicate rows, zone) of every positive pool, when a drill asks
        self.pool_log: list[tuple[int, np.ndarray, np.ndarray]] | None = None

        d = days
        self.out = {
            "new_infections": np.zeros((b, d, len(SETTINGS)), i32),
            "infectious": np.zeros((b, d), i32),
            "isolated": np.zeros((b, d), i32),
            "quarantined": np.zeros((b, d), i32),
            "tests": np.zeros((b, d), i32),
            "pools": np.zeros((b, d), i32),
            "samples": np.zeros((b, d), i32),
            "false_positives": np.zeros((b, d), i32),
            "diagnosed": np.zeros((b, d), i32),
            "present": np.zeros((b, d, pop.n_teams), i32),
            "infectious_at_work": np.zeros((b, d), i32),
        }

    def _pair_rate(self, setting: str, gid: np.ndarray) -> np.ndarray:
        """Hazard per unit infectiousness on each other member, per group."""
        sizes = self.pop.group_sizes(gid)
        rate = self.beta * self.params.contacts[setting] / np.maximum(sizes - 1, 1)
        if setting in ("team", "zone_shift"):
            rate = rate * self.ctl.mask_factor
        return np.where(sizes >= 2, rate, 0.0)

    # -- helpers ------------------------------------------------------------------------
    def _infect(self, t: int, r: np.ndarray, c: np.ndarray, setting: np.ndarray) -> None:
        if r.size == 0:
            return
        self.inf_day[r, c] = t
        self.resist[r, c] = np.inf
        np.add.at(self.out["new_infections"], (r, t, setting), 1)
        self.act_r = np.concatenate([self.act_r, r])
        self.act_c = np.concatenate([self.act_c, c])
        self.act_day = np.concatenate([self.act_day, np.full(r.size, t, np.int32)])
        new = self.courses.take((r, c))
        a = self.act_course
        self.act_course = Courses(
            *(
                np.concatenate([getattr(a, f), getattr(new, f)])
                for f in Courses.__dataclass_fields__
            )
        )

    def _schedule(self, day: int, t: int, kind: str, r, c, until: int = 0) -> None:
        if r.size == 0:
            return
        if day <= t:
            self._apply(t, kind, r, c, until)
        else:
            self.queue.setdefault(day, []).append((kind, r, c, until))

    def _apply(self, t: int, kind: str, r: np.ndarray, c: np.ndarray, until: int) -> None:
        if kind == "hold":
            self.hold_until[r, c] = np.maximum(self.hold_until[r, c], until)
            self.off_until[r, c] = np.maximum(self.off_until[r, c], until)
        elif kind == "case":
            self._cases(t, r, c)
        elif kind == "isolate":
            self.iso_until[r, c] = np.maximum(self.iso_until[r, c], until)
            self.off_until[r, c] = np.maximum(self.off_until[r, c], until)

    def _cases(self, t: int, r: np.ndarray, c: np.ndarray) -> None:
        flat = np.unique(r * self.n + c)
        r, c = flat // self.n, flat % self.n
        new = ~self.diagnosed[r, c]
        r, c = r[new], c[new]
        if r.size == 0:
            return
        ctl = self.ctl
        self.diagnosed[r, c] = True
        np.add.at(self.out["diagnosed"], (r, t), 1)
        self._apply(t, "isolate", r, c, t + ctl.isolation_days)
        action = ctl.on_positive
        if action == "none":
            return
        if action == "zone-shift":
            key, width = self.zs, len(self.pop.zones) * len(self.pop.shifts)
        else:
            key, width = self.team, self.pop.n_teams
        target = np.zeros((self.b, width), np.int32)
        np.maximum.at(target, (r, key[c]), t + ctl.quarantine_days)
        spread = target[:, key]
        if action == "test-to-stay":
            np.maximum(self.tts_until, spread, out=self.tts_until)
        else:
            np.maximum(self.quar_until, spread, out=self.quar_until)
            np.maximum(self.off_until, spread, out=self.off_until)

    def _false_positive(self, mask: np.ndarray, spec: float) -> np.ndarray:
        """Advance the false-positive clocks of the workers in ``mask`` (B, N) by one test
        each; returns the (B, N) mask of tests that came out falsely positive."""
        if spec >= 1.0:
            return np.zeros_like(mask)
        h = -np.log(spec)
        np.subtract(self.fp, h * mask, out=self.fp)
        hit = self.fp <= 0
        if hit.any():
            rows, cols = np.nonzero(hit)
            for i in np.unique(rows):
                sel = cols[rows == i]
                self.fp[i, sel] = self.rngs[i].exponential(size=sel.size)
        return hit & mask

    def _false_positive_sparse(self, r: np.ndarray, c: np.ndarray, spec: float) -> np.ndarray:
        if spec >= 1.0 or r.size == 0:
            return np.zeros(r.size, bool)
        self.fp[r, c] -= -np.log(spec)
        hit = self.fp[r, c] <= 0
        for i in np.unique(r[hit]):
            sel = c[hit & (r == i)]
            self.fp[i, sel] = self.rngs[i].exponential(size=sel.size)
        return hit

    def _sensitive(self, rows: np.ndarray, sens: float) -> np.ndarray:
        """Which of the reacting tests (replicate rows ``rows``) come out positive at the
        test's per-test ``sens``: one uniform per test from its replicate's stream."""
        if sens >= 1.0 or rows.size == 0:
            return np.ones(rows.size, bool)
        keep = np.empty(rows.size, bool)
        for i in np.unique(rows):
            sel = np.flatnonzero(rows == i)
            keep[sel] = self.rngs[i].random(sel.size) < sens
        return keep

    def _loads(self, at: float, t: int) -> np.ndarray:
        return log10_load(self.act_course, (t - self.act_day).astype(np.float32) + np.float32(at))

    # -- screening ----------------------------------------------------------------------
    def _screen(self, t: int, rnd: Round, eligible: np.ndarray) -> None:
        out = self.out
        test, k = rnd.test, rnd.pool_size
        loads = self._loads(rnd.time_of_day, t)
        act_ok = eligible[self.act_r, self.act_c]
        ready = t + rnd.turnaround_days
        out["samples"][:, t] += eligible.sum(axis=1, dtype=np.int32)
        if k <= 1:
            out["tests"][:, t] += eligible.sum(axis=1, dtype=np.int32)
            true_pos = np.zeros_like(eligible)
            sel = np.flatnonzero(act_ok & (loads >= test.lod_log10))
            sel = sel[self._sensitive(self.act_r[sel], test.sensitivity)]
            true_pos[self.act_r[sel], self.act_c[sel]] = True
            fpos = self._false_positive(eligible, test.specificity) & ~true_pos
            out["false_positives"][:, t] += fpos.sum(axis=1, dtype=np.int32)
            r, c = np.nonzero(true_pos | fpos)
            if rnd.confirm is None:
                self._schedule(ready, t, "case", r, c)
                return
            # confirm each positive on its own sample with the confirmation test
            done = ready + rnd.retest_delay_days
            self._schedule(ready, t, "hold", r, c, done)
            self._retest(t, r, c, rnd.confirm, rnd.time_of_day, done)
            return
        # pooled: consecutive eligible workers of one team (or zone) share a pool
        if rnd.pool_by == "zone":
            starts = np.searchsorted(self.zone, np.arange(len(self.pop.zones)))
            block = self.zone
        else:
            starts = self.pop.team_start
            block = self.team
        cs0 = np.zeros((self.b, self.n + 1), np.int32)
        np.cumsum(eligible, axis=1, dtype=np.int32, out=cs0[:, 1:])
        cs = cs0[:, 1:]
        before = cs0[:, starts]  # (B, blocks): eligible workers before each block
        in_block = cs0[:, np.append(starts[1:], self.n)] - before
        pools_block = -(-in_block // k)
        pool_base = np.cumsum(pools_block, axis=1) - pools_block
        n_pools = pools_block.sum(axis=1)
        rank = cs - 1 - before[:, block]
        pool_id = np.where(eligible, pool_base[:, block] + rank // k, -1)
        width = int(n_pools.max()) if n_pools.size else 0
        out["tests"][:, t] += n_pools.astype(np.int32)
        out["pools"][:, t] += n_pools.astype(np.int32)
        # which pools react: a diluted member at or above the LOD, or a false positive
        dil = loads - np.log10(k)
        sel = act_ok & (dil >= test.lod_log10)
        hot = np.zeros((self.b, max(width, 1)), bool)
        hot[self.act_r[sel], pool_id[self.act_r[sel], self.act_c[sel]]] = True
        if test.sensitivity < 1.0:  # one draw per reacting pool
            hr, hp = np.nonzero(hot)
            miss = ~self._sensitive(hr, test.sensitivity)
            hot[hr[miss], hp[miss]] = False
        leader = eligible & (rank % k == 0)
        fl = self._false_positive(leader, test.specificity)
        fr, fc = np.nonzero(fl)
        fpool = np.zeros_like(hot)
        fpool[fr, pool_id[fr, fc]] = True
        fpool &= ~hot
        out["false_positives"][:, t] += fpool.sum(axis=1, dtype=np.int32)
        hot |= fpool
        if not hot.any():
            return
        members = eligible & np.take_along_axis(hot, np.maximum(pool_id, 0), axis=1)
        r, c = np.nonzero(members)
        if self.pool_log is not None:
            _, first = np.unique(r * width + pool_id[r, c], return_index=True)
            self.pool_log.append((ready, r[first], self.zone[c[first]]))
        done = ready + rnd.retest_delay_days
        self._schedule(ready, t, "hold", r, c, done)
        self._retest(t, r, c, test, rnd.time_of_day, done)

    def _retest(self, t: int, r, c, test: TestKind, at: float, done: int) -> None:
        """Individual tests of held workers on the samples taken today; cases on ``done``."""
        if r.size == 0:
            return
        np.add.at(self.out["tests"], (r, t), 1)
        np.add.at(self.out["samples"], (r, t), 1)
        flat = r * self.n + c
        act_flat = self.act_r * self.n + self.act_c
        pos_act = act_flat[self._loads(at, t) >= test.lod_log10]
        true_pos = np.isin(flat, pos_act)
        if test.sensitivity < 1.0:
            true_pos[true_pos] = self._sensitive(r[true_pos], test.sensitivity)
        fpos = self._false_positive_sparse(r, c, test.specificity) & ~true_pos
        np.add.at(self.out["false_positives"], (r[fpos], t), 1)
        hit = true_pos | fpos
        self._schedule(done, t, "case", r[hit], c[hit])

    # -- the day ------------------------------------------------------------------------
    def step(self, t: int) -> None:
        ctl, world, out = self.ctl, self.world, self.out
        # 1. importations
        for day, count, zone in world.importations:
            if day != t:
                continue
            ok = self.inf_day < 0
            if zone >= 0:
                ok &= (self.zone == zone)[None, :]
            keyed = np.where(ok, self.key, 2.0)
            cnt = min(count, self.n)
            idx = (
                np.argpartition(keyed, cnt - 1, axis=1)[:, :cnt]
                if cnt < self.n
                else (np.tile(np.arange(self.n), (self.b, 1)))
            )
            rows = np.repeat(np.arange(self.b), idx.shape[1])
            cols = idx.ravel()
            good = keyed[rows, cols] < 2.0
            rows, cols = rows[good], cols[good]
            self._infect(t, rows, cols, np.full(rows.size, S_IDX["import"]))
        # 2. results due today
        for kind, r, c, until in self.queue.pop(t, []):
            self._apply(t, kind, r, c, until)
        # site access today (commuters in a control area, closed zones)
        closed = world.zone_closed[t][self.zone]
        if world.zone_loop is not None:
            closed = closed & ~(world.zone_loop[t][self.zone] & self.resident)
        site = ~closed
        if world.commuters_blocked[t]:
            site &= self.resident
        # 3. screening
        due = [rnd for rnd in ctl.rounds if rnd.due(t)]
        tts = ctl.on_positive == "test-to-stay" and bool((self.tts_until > t).any())
        if due or tts:
            base = self.complier & ~self.diagnosed & (self.iso_until <= t) & (self.hold_until <= t)
            on_site = site[None, :]
            for rnd in due:
                zmask = self.pop.zone_mask(rnd.zones)[None, :]
                self._screen(t, rnd, base & zmask if rnd.in_place else base & zmask & on_site)
                base = base & ~self.diagnosed & (self.hold_until <= t)
            base &= on_site
            if tts:
                rnd = Round(ctl.test_to_stay, turnaround_days=0, confirm=PCR)
                self._screen(t, rnd, base & (self.tts_until > t))
        # 4. symptom onsets: compliers isolate (policy); everyone else who falls ill
        # stays home on sick leave (params), undiagnosed
        sick = self.params.sick_leave_days
        delay = ctl.onset_to_isolation_days
        if (ctl.isolate_on_symptoms or sick > 0) and self.act_r.size:
            onset = self.act_day + self.act_course.onset
            sel = (onset >= t) & (onset < t + 1)
            r, c = self.act_r[sel], self.act_c[sel]
            free = ~self.diagnosed[r, c] & (self.iso_until[r, c] <= t)
            r, c = r[free], c[free]
            iso = self.complier[r, c] if ctl.isolate_on_symptoms else np.zeros(r.size, bool)
            if sick > 0 and (~iso).any():
                self._apply(t, "isolate", r[~iso], c[~iso], t + sick)
            r, c = r[iso], c[iso]
            if delay > 0 and ctl.isolate_on_symptoms:
                # the policy isolates compliers ``delay`` days after onset: those whose
                # symptoms started then and who are still free today
                sel = (onset + delay >= t) & (onset + delay < t + 1)
                r, c = self.act_r[sel], self.act_c[sel]
                free = ~self.diagnosed[r, c] & (self.iso_until[r, c] <= t)
                r, c = r[free], c[free]
                r, c = r[self.complier[r, c]], c[self.complier[r, c]]
            if r.size:
                self._apply(t, "isolate", r, c, t + ctl.isolation_days)
                if ctl.symptom_test is not None:
                    self._retest(
                        t, r, c, ctl.symptom_test, 0.5, t + ctl.symptom_test_turnaround_days
                    )
        # 5. mixing
        off = self.off_until > t
        present = ~off & site[None, :]
        self._transmit(t, off, present, bool(site.all()))
        # 6. counts
        if self.act_r.size:
            f = _infectiousness(
                self.act_course, (t - self.act_day).astype(np.float32), self.params.disease
            )
            out["infectious"][:, t] = np.bincount(self.act_r, weights=f > 0, minlength=self.b)
            working = (f > 0) & present[self.act_r, self.act_c]
            out["infectious_at_work"][:, t] = np.bincount(
                self.act_r, weights=working, minlength=self.b
            )
            keep = (t - self.act_day) <= self.act_course.end
            if not keep.all():
                self.act_r, self.act_c, self.act_day = (
                    self.act_r[keep],
                    self.act_c[keep],
                    self.act_day[keep],
                )
                self.act_course = self.act_course.take(keep)
        iso = (self.iso_until > t) | (self.hold_until > t)
        out["isolated"][:, t] = iso.sum(axis=1)
        out["quarantined"][:, t] = ((self.quar_until > t) & ~iso).sum(axis=1)
        out["present"][:, t] = np.add.reduceat(present, self.pop.team_start, axis=1, dtype=np.int32)

    def _transmit(self, t: int, off: np.ndarray, present: np.ndarray, site_all: bool) -> None:
        b, pop = self.b, self.pop
        comps: list[
            tuple[int, np.ndarray | None, np.ndarray | None]
        ] = []  # (setting, (B,T) hazard, agent mask)
        if self.act_r.size:
            f = _infectiousness(
                self.act_course, (t - self.act_day).astype(np.float32), self.params.disease
            )
            r, c = self.act_r, self.act_c
            at_work = present[r, c] & (f > 0)
            for s, gid, rate in self.work_groups:
                sel = at_work & (gid[self.team[c]] >= 0)
                if not sel.any():
                    continue
                ng = len(rate)
                tot = np.bincount(
                    r[sel] * ng + gid[self.team[c[sel]]], weights=f[sel], minlength=b * ng
                )
                haz = (tot.reshape(b, ng) * rate[None, :])[:, gid]  # (B, T)
                comps.append((S_IDX[s], haz, None))
            if self.dorm_groups:
                in_dorm = ~off[r, c] & self.resident[c] & (f > 0)
                for s, gid, rate in self.dorm_groups:
                    sel = in_dorm
                    if not sel.any():
                        continue
                    ng = len(rate)
                    tot = np.bincount(
                        r[sel] * ng + gid[self.team[c[sel]]], weights=f[sel], minlength=b * ng
                    )
                    haz = (tot.reshape(b, ng) * rate[None, :])[:, np.maximum(gid, 0)]
                    haz[:, gid < 0] = 0.0
                    comps.append((S_IDX[s], haz, "dorm"))
        prev = float(self.world.prevalence[t])
        if not comps and prev <= 0:
            return
        # hazard per team for those at work (h_site) and for those off site but not
        # isolated (h_home: dormitory and city); the two differ only by work settings
        h_home = np.zeros((b, pop.n_teams), np.float32)
        for _, h, m in comps:
            if m == "dorm":
                h_home += h
        if prev > 0:
            h_home += (prev * self.comm_team)[None, :].astype(np.float32)
        h_site = h_home.copy()
        for _, h, m in comps:
            if m is None:
                h_site += h
        haz = h_site[:, self.team]
        if site_all:
            haz *= present
        else:
            away = ~off & ~present
            haz = np.where(present, haz, np.where(away, h_home[:, self.team], np.float32(0)))
        np.subtract(self.resist, haz, out=self.resist)
        flat = np.flatnonzero(self.resist <= 0)
        if flat.size == 0:
            return
        r, c = flat // self.n, flat % self.n
        # attribute each new infection to a setting in proportion to today's hazards
        parts = np.zeros((r.size, len(SETTINGS)))
        for s, h, m in comps:
            mask = present[r, c] if m is None else ~off[r, c] & self.resident[c]
            parts[:, s] = h[r, self.team[c]] * mask
        if prev > 0:
            parts[:, S_IDX["community"]] = prev * self.comm_factor[c]
        cum = np.cumsum(parts, axis=1)
        u = self.u_set[r, c] * cum[:, -1]
        setting = np.minimum((cum <= u[:, None]).sum(axis=1), len(SETTINGS) - 1)
        self._infect(t, r, c, setting)

    def run(self) -> Run:
        for t in range(self.days):
            self.step(t)
        return Run(replicates=self.reps, beta=self.beta, **self.out)


# --------------------------------------------------------------------------- stepping
@dataclass(frozen=True)
class DayEvents:
    """What happened on one day, per replicate position ``b`` of the simulation: (B, N)
    masks of workers infected, confirmed as cases and falling ill (symptom onset) that
    day, the positive pools whose results arrived (replicate row, zone index), and the
    workers at work."""

    day: int
    infected: np.ndarray
    diagnosed: np.ndarray
    onset: np.ndarray
    pools: tuple[np.ndarray, np.ndarray]
    present: np.ndarray  # (B, T) by team


class Simulation:
    """:func:`simulate` one day at a time, with measures changed between days.

    A measure takes effect from the next day to be stepped, never before: the days already
    stepped are not touched, and a simulation stepped through with no measure gives the
    very numbers of :func:`simulate` (the same draws, in the same order). Used by the
    emergency-plan drill, whose plan acts on what each day's record shows.
    """

    def __init__(
        self,
        pop: Population,
        controls: Controls,
        world: World,
        params: Params,
        days: int,
        seed: int,
        replicates: Sequence[int],
        beta: float | None = None,
    ) -> None:
        if beta is None:
            beta = calibrate_beta(pop, params)
        loop = world.zone_loop if world.zone_loop is not None else np.zeros_like(world.zone_closed)
        # our own copies: measures write into them
        world = replace(world, zone_closed=world.zone_closed.copy(), zone_loop=loop.copy())
        self._scenario_closed = world.zone_closed.copy()
        self.pop, self.days = pop, days
        self._b = _Batch(pop, controls, world, params, days, seed, list(replicates), beta)
        self._b.pool_log = []
        self.day = 0

    def step(self) -> DayEvents:
        """Simulate the next day; what happened on it."""
        b, t = self._b, self.day
        if t >= self.days:
            raise ValueError(f"the simulation has {self.days} days")
        onset = np.zeros((b.b, b.n), bool)
        if b.act_r.size:
            start = b.act_day + b.act_course.onset
            sel = (start >= t) & (start < t + 1)
            onset[b.act_r[sel], b.act_c[sel]] = True
        before = b.diagnosed.copy()
        b.step(t)
        self.day = t + 1
        due = [(r, z) for day, r, z in b.pool_log if day == t]
        pools = (
            (np.concatenate([r for r, _ in due]), np.concatenate([z for _, z in due]))
            if due
            else (np.zeros(0, np.int64), np.zeros(0, np.int64))
        )
        return DayEvents(
            day=t,
            infected=b.inf_day == t,
            diagnosed=b.diagnosed & ~before,
            onset=onset,
            pools=pools,
            present=b.out["present"][:, t].copy(),
        )

    def isolated_cases(self) -> np.ndarray:
        """(B, N): confirmed cases still in isolation after the last day stepped."""
        b = self._b
        return b.diagnosed & (b.iso_until > self.day - 1)

    def close_zone(self, zone: int, closed_loop: bool = False) -> None:
        """Close a zone from the next day on (``closed_loop``: its dormitory residents keep
        working inside)."""
        w = self._b.world
        w.zone_closed[self.day :, zone] = True
        assert w.zone_loop is not None
        w.zone_loop[self.day :, zone] = closed_loop

    def open_zone(self, zone: int) -> None:
        """Open a zone from the next day on (the scenario's own closures stay)."""
        w = self._b.world
        w.zone_closed[self.day :, zone] = self._scenario_closed[self.day :, zone]
        assert w.zone_loop is not None
        w.zone_loop[self.day :, zone] = False

    def closed(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """(zones,) bool each: closed on ``day``, and closed as a closed loop."""
        w = self._b.world
        assert w.zone_loop is not None
        return w.zone_closed[day].copy(), w.zone_loop[day].copy()

    def add_round(self, rnd: Round) -> None:
        """Screening by ``rnd`` (which must not start before the next day)."""
        if rnd.start_day < self.day:
            raise ValueError(f"a round from day {rnd.start_day} is in the past (day {self.day})")
        self._b.ctl = replace(self._b.ctl, rounds=(*self._b.ctl.rounds, rnd))

    def quarantine(self, who: np.ndarray, until: int) -> None:
        """Quarantine the (B, N) mask ``who`` from the next day to day ``until`` - 1."""
        b = self._b
        until_arr = np.where(who, np.int32(until), np.int32(0))
        np.maximum(b.quar_until, until_arr, out=b.quar_until)
        np.maximum(b.off_until, until_arr, out=b.off_until)

    def result(self) -> Run:
        """The run of the days stepped so far (all of them, once finished)."""
        b = self._b
        return Run(replicates=b.reps, beta=b.beta, **b.out)
