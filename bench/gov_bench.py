"""Benchmark of the government side (issue 16).

A synthetic city (``generate-city``) of N enterprises and W workers with ``history``
days of reports and one day of daily record; then:

* computing and storing every enterprise's daily report for the record day
  (``send_due``, one transaction);
* the dashboard for the city and for one district: p95 over ``--calls`` calls;
* the baseline: the city's dashboard figures computed straight from the daily record
  (``daily_report.compute`` for every enterprise, then the same aggregation).

    python bench/gov_bench.py --url postgresql+psycopg://postgres@127.0.0.1/bench_gov \
        --enterprises 2000 --workers 1000000
    python bench/gov_bench.py --url sqlite:////tmp/gov_bench.db --enterprises 200 --workers 100000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from keepline import clock, db
from keepline.government import daily_report, dashboard, generate, staffing
from keepline.government.schemas import JurisdictionFile, JurisdictionSpec
from keepline.scope import JurisdictionScope

CITY = "bench-city"


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = db.make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    db.reset_engines()


def _p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) >= 2 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--enterprises", type=int, default=200)
    ap.add_argument("--workers", type=int, default=100_000)
    ap.add_argument("--history", type=int, default=29)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--keep", action="store_true", help="Reuse the database as it is.")
    a = ap.parse_args()
    if a.url.startswith("sqlite") and not a.keep:
        path = a.url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)
    if not a.keep:
        _reset(a.url)
    engine = db.get_engine(a.url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    scope = JurisdictionScope(CITY, "bench")
    day = clock.today()
    if not a.keep:
        tree = JurisdictionFile(
            jurisdiction=JurisdictionSpec(
                id=CITY,
                name="Bench city",
                children=[
                    JurisdictionSpec(id=f"{CITY}-d{i}", name=f"District {i}", kind="district")
                    for i in range(1, 9)
                ],
            )
        )
        t0 = time.perf_counter()
        with factory() as s:
            staffing.load_file(s, tree, "bench")
            generate.generate_city(
                s,
                scope,
                generate.CityPlan(a.enterprises, a.workers, 1, a.history, seed=7),
            )
            s.commit()
        print(f"generate: {time.perf_counter() - t0:.1f} s")
    with factory() as s:
        if a.keep:  # time the day's reports again
            s.execute(
                text("DELETE FROM gov_daily_reports WHERE day = :d"),
                {"d": day},
            )
            s.commit()
        t0 = time.perf_counter()
        n = daily_report.send_due(s, scope, day)
        s.commit()
        t_reports = time.perf_counter() - t0
    print(f"reports for {day}: {n} computed and stored in {t_reports:.2f} s")
    results = {}
    for label, where in (("city", None), ("district", f"{CITY}-d3")):
        times = []
        with factory() as s:
            for _ in range(a.calls):
                t0 = time.perf_counter()
                d = dashboard.dashboard(s, scope, day, jurisdiction=where)
                times.append(time.perf_counter() - t0)
        results[label] = (_p95(times), statistics.median(times), d.total)
        print(
            f"dashboard {label}: p95 {_p95(times) * 1000:.0f} ms, median "
            f"{statistics.median(times) * 1000:.0f} ms "
            f"(registered {d.total.registered}, reported {d.total.reported})"
        )
    # The baseline: the day's figures straight from the daily record.
    with factory() as s:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            sel = dashboard.select_units(s, scope, day)
            states = dashboard.states_on(s, sel, [day])[day]
            figures = daily_report.compute(s, sel.enterprise_ids, day)
            units = [
                dashboard.Unit(
                    e,
                    states.get(e, "not-resumed"),
                    f.rostered,
                    f.on_site,
                    f.utilisation,
                    f.positives,
                    f.new_cases,
                    f.zones_locked,
                    f.front_line_at_risk,
                    f.livelihood_at_risk,
                    f.min_days_of_cover,
                )
                for e, f in figures.items()
            ]
            base = dashboard.aggregate(CITY, units)
            times.append(time.perf_counter() - t0)
    stored = results["city"][2]
    assert (base.rostered, base.on_site) == (stored.rostered, stored.on_site), (base, stored)
    print(
        f"baseline (city, from the daily record, no trend): median "
        f"{statistics.median(times) * 1000:.0f} ms over {len(times)} calls; same figures"
    )


if __name__ == "__main__":
    main()
