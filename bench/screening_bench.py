"""Screening and containment benchmark on PostgreSQL.

1. Contact tracing: the contacts of a case among 1,000,000 access events (10,000
   workers, 30 days), by the indexed range query + numpy sweep that keepline uses,
   side by side with a naive baseline (load every event of the infectious window, then
   a pairwise loop in Python). Both must find the same contacts. Target: < 1 s.
2. Results import: a 10,000-worker round (individual PCR, 3 targets → 30,000 rows)
   imported, interpreted and acted on in one transaction. Target: < 5 s.

    KEEPLINE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_screening \\
        .venv/bin/python bench/screening_bench.py [--events 1000000] [--workers 10000]

The database's public schema is dropped and recreated: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select, text

from keepline import clock, db
from keepline.containment import cases, contacts, tracing
from keepline.containment.models import AccessEvent
from keepline.containment.schemas import CaseIn
from keepline.db import session_scope
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.scope import EnterpriseScope
from keepline.screening import planning, rounds
from keepline.screening.files import read_readings
from keepline.screening.positives import import_results
from keepline.screening.schemas import RoundIn

# The naive baseline is the tests' oracle (tests/containment/oracles.py): one copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.containment.oracles import overlaps_naive

EID = "xuzhou-qpcr"
SCOPE = EnterpriseScope(EID, "bench")
START = dt.date(2026, 12, 1)
HERE = os.path.dirname(os.path.abspath(__file__))
XUZHOU = os.path.join(HERE, "..", "examples", "xuzhou-qpcr.yaml")


def reset(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    db.reset_engines()
    db.get_engine(url)


def make_roster(url: str, n: int, rng: np.random.Generator) -> list[tuple[str, str, str, str]]:
    """``n`` workers spread over the Xuzhou teams in proportion to their headcount."""
    plant = load_yaml(XUZHOU)
    with session_scope(url) as s:
        plant_service.load_plant(s, plant, actor="bench")
    teams = plant.teams
    weights = np.array([t.headcount for t in teams], dtype=float)
    pick = rng.choice(len(teams), size=n, p=weights / weights.sum())
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i, ti in enumerate(pick):
        t = teams[ti]
        rows.append((f"W{i:06d}", t.zone, t.shift, t.id, t.skills, t.housing))
    raw = db.get_engine(url).raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(
            "COPY workers (enterprise_id, employee_no, name, zone_id, shift_id, team_id, skills,"
            " housing, employment_status, updated_at) FROM STDIN"
        ) as cp:
            import json

            for no, zone, shift, team, skills, housing in rows:
                cp.write_row(
                    (
                        EID,
                        no,
                        f"Worker {no}",
                        zone,
                        shift,
                        team,
                        json.dumps(skills),
                        housing,
                        "active",
                        now,
                    )
                )
        raw.commit()
    finally:
        raw.close()
    return [(r[0], r[1], r[2], r[5]) for r in rows]


def make_events(
    url: str,
    roster: list[tuple[str, str, str, str]],
    days: int,
    target: int,
    rng: np.random.Generator,
) -> int:
    """Per worker-day: the shift in the work zone, a canteen meal, and extra visits to
    the warehouse/office/lab so the total is about ``target`` events."""
    n = len(roster)
    zones = [
        "assembly",
        "optics",
        "reagent",
        "calibration-lab",
        "warehouse",
        "office",
        "canteen",
        "dorm-north",
        "dorm-south",
    ]
    work_zone = np.array([zones.index(r[1]) if r[1] in zones else 5 for r in roster])
    night = np.array([r[2] == "night" for r in roster])
    extra_per_day = max(target / (n * days) - 2.0, 0.0)
    base = clock.day_start(START)
    out_w, out_z, out_in, out_out = [], [], [], []
    w_idx = np.arange(n)
    for d in range(days):
        day0 = base + d * 86400
        shift_start = day0 + np.where(night, 20 * 3600, 8 * 3600) + rng.integers(-900, 900, n)
        shift_end = shift_start + 12 * 3600 - 1800 + rng.integers(0, 1800, n)
        out_w.append(w_idx)
        out_z.append(work_zone)
        out_in.append(shift_start)
        out_out.append(shift_end)
        meal = shift_start + rng.integers(4 * 3600, 6 * 3600, n)
        out_w.append(w_idx)
        out_z.append(np.full(n, zones.index("canteen")))
        out_in.append(meal)
        out_out.append(meal + rng.integers(15 * 60, 45 * 60, n))
        k = rng.poisson(extra_per_day, n)
        who = np.repeat(w_idx, k)
        m = who.size
        t0 = shift_start[who] + rng.integers(0, 11 * 3600, m)
        out_w.append(who)
        out_z.append(rng.choice([4, 5, 3], size=m))
        out_in.append(t0)
        out_out.append(t0 + rng.integers(5 * 60, 60 * 60, m))
    w = np.concatenate(out_w)
    z = np.concatenate(out_z)
    t_in = np.concatenate(out_in)
    t_out = np.concatenate(out_out)
    # One stay per (worker, zone, time in): drop the rare exact duplicates.
    key = np.unique(np.stack([w, z, t_in]), axis=1, return_index=True)[1]
    w, z, t_in, t_out = w[key], z[key], t_in[key], t_out[key]
    raw = db.get_engine(url).raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(
            "COPY access_events (enterprise_id, employee_no, zone_id, t_in, t_out, source)"
            " FROM STDIN"
        ) as cp:
            for wi, zi, a, b in zip(
                w.tolist(), z.tolist(), t_in.tolist(), t_out.tolist(), strict=True
            ):
                cp.write_row((EID, roster[wi][0], zones[zi], a, b, "bench"))
        raw.commit()
        cur.execute("ANALYZE access_events")
        raw.commit()
    finally:
        raw.close()
    return int(w.size)


def naive_contacts(url: str, employee_no: str, window: tuple[int, int], min_seconds: int):
    """Baseline: every event of the window into Python, then a pairwise loop."""
    w0, w1 = window
    with session_scope(url) as s:
        rows = s.execute(
            select(
                AccessEvent.employee_no, AccessEvent.zone_id, AccessEvent.t_in, AccessEvent.t_out
            ).where(
                AccessEvent.enterprise_id == EID,
                AccessEvent.t_in < w1,
                AccessEvent.t_out > w0,
            )
        ).all()
    mine = [(z, max(a, w0), min(b, w1)) for no, z, a, b in rows if no == employee_no]
    others = [(no, z, a, b) for no, z, a, b in rows if no != employee_no]
    overlap = overlaps_naive(mine, [(z, a, b) for _, z, a, b in others])
    totals: dict[tuple[str, str], int] = {}
    for (no, z, _, _), total in zip(others, overlap, strict=True):
        if total:
            totals[(no, z)] = totals.get((no, z), 0) + total
    return {k: v for k, v in totals.items() if v >= min_seconds}, len(rows)


def bench_tracing(url: str, roster, repeats: int) -> dict[str, float]:
    case_worker = roster[len(roster) // 2][0]
    with session_scope(url) as s:
        c = cases.open_case(
            s,
            SCOPE,
            CaseIn(
                employee_no=case_worker,
                confirmed_on=START + dt.timedelta(days=16),
                sample_day=START + dt.timedelta(days=15),
            ),
        )
        case_id = c.id
        window = contacts.case_window(c)
    min_s = 15 * 60
    fast_t, full_t = [], []
    for _ in range(repeats):
        with session_scope(url) as s:
            t0 = time.perf_counter()
            found = contacts.access_exposures(s, SCOPE, case_worker, window, 15)
            fast_t.append(time.perf_counter() - t0)
        with session_scope(url) as s:
            t0 = time.perf_counter()
            everyone = contacts.find_contacts(s, SCOPE, case_id, min_minutes=15)
            full_t.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    naive, loaded = naive_contacts(url, case_worker, window, min_s)
    naive_t = time.perf_counter() - t0
    fast = {(no, z): sec for no, z, sec, _, _ in found}
    assert fast == naive, "the fast and naive contact lists differ"
    with session_scope(url) as s:
        plan = (
            s.execute(
                text(
                    "EXPLAIN SELECT 1 FROM access_events WHERE enterprise_id = :e AND zone_id = :z"
                    " AND t_in < :b AND t_in >= :a AND t_out > :a"
                ),
                {"e": EID, "z": "assembly", "a": window[0], "b": window[0] + 3600},
            )
            .scalars()
            .all()
        )
    return dict(
        exposures_median_s=statistics.median(fast_t),
        contacts_median_s=statistics.median(full_t),
        naive_s=naive_t,
        ratio=naive_t / statistics.median(fast_t),
        access_contacts=len(fast),
        all_contacts=len(everyone),
        window_events=loaded,
        uses_index=any("ix_access_events_zone_time" in line for line in plan),
    )


def bench_import(url: str, rng: np.random.Generator, positives: int) -> dict[str, float]:
    with session_scope(url) as s:
        t0 = time.perf_counter()
        rnd = planning.plan_round(
            s,
            SCOPE,
            RoundIn(
                day=START + dt.timedelta(days=20),
                zones=[
                    "assembly",
                    "optics",
                    "reagent",
                    "calibration-lab",
                    "warehouse",
                    "office",
                    "canteen",
                    "dorm-north",
                    "isolation",
                ],
                pool_size=1,
            ),
        ).round
        plan_t = time.perf_counter() - t0
        ids = [x.id for x in rounds.sample_results(s, SCOPE, rnd.id)]
    pos = set(rng.choice(len(ids), size=positives, replace=False).tolist())
    lines = ["sample_id,target,ct"]
    for i, sid in enumerate(ids):
        if i in pos:
            lines += [
                f"{sid},ORF1ab,{rng.uniform(20, 35):.2f}",
                f"{sid},N,{rng.uniform(20, 35):.2f}",
            ]
        else:
            lines += [f"{sid},ORF1ab,", f"{sid},N,"]
        lines.append(f"{sid},IC,{rng.uniform(24, 32):.2f}")
    data = ("\n".join(lines) + "\n").encode()
    t0 = time.perf_counter()
    with session_scope(url) as s:
        rep = import_results(s, SCOPE, "round.csv", data, today=START + dt.timedelta(days=21))
    import_t = time.perf_counter() - t0
    t0 = time.perf_counter()
    read_readings("round.csv", data)
    parse_t = time.perf_counter() - t0
    t0 = time.perf_counter()
    with session_scope(url) as s:
        again = import_results(s, SCOPE, "round.csv", data)
    again_t = time.perf_counter() - t0
    assert again.already_imported and rep.cases == positives
    return dict(
        samples=len(ids),
        rows=len(lines) - 1,
        plan_s=plan_t,
        import_s=import_t,
        parse_only_s=parse_t,
        reimport_s=again_t,
        cases=rep.cases,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    url = os.environ.get(
        "KEEPLINE_BENCH_DATABASE_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/bench_screening",
    )
    rng = np.random.default_rng(args.seed)
    reset(url)
    t0 = time.perf_counter()
    roster = make_roster(url, args.workers, rng)
    n_events = make_events(url, roster, args.days, args.events, rng)
    print(
        f"setup: {len(roster)} workers, {n_events} access events in "
        f"{time.perf_counter() - t0:.1f} s ({platform.machine()}, {os.cpu_count()} cores)"
    )
    tr = bench_tracing(url, roster, args.repeats)
    print(
        f"tracing: exposures {tr['exposures_median_s'] * 1000:.0f} ms (median of {args.repeats}),"
        f" full contact list {tr['contacts_median_s'] * 1000:.0f} ms;"
        f" naive baseline {tr['naive_s'] * 1000:.0f} ms over {tr['window_events']} window events"
        f" → {tr['ratio']:.0f}× faster; {tr['access_contacts']} access contacts (same in both),"
        f" {tr['all_contacts']} contacts with the roster; index used: {tr['uses_index']}"
    )
    im = bench_import(url, rng, positives=10)
    print(
        f"import: {im['samples']} samples / {im['rows']} rows: plan {im['plan_s']:.2f} s,"
        f" import {im['import_s']:.2f} s (parse alone {im['parse_only_s']:.2f} s,"
        f" {im['import_s'] / im['parse_only_s']:.0f}× parse), re-import {im['reimport_s']:.2f} s,"
        f" {im['cases']} cases opened"
    )
    _ = tracing  # the engine under test, imported for the reader


if __name__ == "__main__":
    main()
