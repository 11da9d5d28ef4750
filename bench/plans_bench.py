"""Emergency plans: what evaluating every rule after a write adds to the write.

A 10,000-worker copy of the Xuzhou plant (the roster generated from the plant file, as
``bench/api_bench.py`` builds it), its emergency plan template loaded (ten rules over
every kind of trigger the plant has: positives, declarations missing, fever, regions
locked, days of cover, the city, orders at risk). The write is one health declaration
saved through ``health.service.save_declarations`` in its own transaction, exactly as
``POST /declarations`` saves it; the same write is timed with and without
``plans.activations.after_write`` in the same run, alternating, on the same database.

Before timing, one evaluation opens what the record makes fire (declarations missing
for most of the roster); the timed evaluations are the steady state after a write:
read the snapshot, evaluate every rule, find each cause already open.

    .venv/bin/python bench/plans_bench.py [--workers 10000] [--writes 200]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/keepline_bench]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from keepline import clock, db  # noqa: E402
from keepline.health import service as health  # noqa: E402
from keepline.health.schemas import DeclarationIn  # noqa: E402
from keepline.people import service as people  # noqa: E402
from keepline.people.generate import roster_rows  # noqa: E402
from keepline.plans import activations, snapshot, versions  # noqa: E402
from keepline.plans.schemas import PlanVersionIn  # noqa: E402
from keepline.plant import service as plant_service  # noqa: E402
from keepline.plant.yamlio import load_yaml  # noqa: E402
from keepline.scope import EnterpriseScope  # noqa: E402
from keepline.tabular import Table  # noqa: E402

XUZHOU = ROOT / "examples" / "xuzhou-qpcr.yaml"
PLAN = ROOT / "examples" / "plans" / "xuzhou-qpcr.yaml"
EID = "xuzhou-qpcr"
SCOPE = EnterpriseScope(EID, "bench")


def prepare(url: str, n_workers: int) -> list[str]:
    """A fresh database: the Xuzhou plant, ``n_workers`` on the roster, the plan loaded."""
    if url.startswith("postgresql"):
        eng = db.make_engine(url)
        with eng.begin() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    db.reset_engines()
    plant = load_yaml(XUZHOU)
    base = roster_rows(plant, seed=1)
    copies = -(-n_workers // len(base))
    rows = [r | {"employee_no": f"B{k}{r['employee_no']}"} for k in range(copies) for r in base][
        :n_workers
    ]
    with db.session_scope(url) as s:
        plant_service.load_plant(s, plant, actor="bench")
    with db.session_scope(url) as s:
        people.import_roster(
            s, SCOPE, Table("bench.csv", list(people.COLUMNS), list(enumerate(rows, 2)))
        )
    with db.session_scope(url) as s:
        versions.load_version(s, SCOPE, PlanVersionIn(yaml=PLAN.read_text(encoding="utf-8")))
    return [r["employee_no"] for r in rows]


def one_write(url: str, no: str, temp: float, evaluate: bool) -> float:
    """Seconds for one declaration's transaction (with the plans evaluated after it)."""
    t0 = time.perf_counter()
    with db.session_scope(url) as s:
        body = DeclarationIn(employee_no=no, day=clock.today(), temperature_c=temp)
        health.save_declarations(s, SCOPE, [(1, body)])
        if evaluate:
            activations.after_write(s, SCOPE, body.day)
    return time.perf_counter() - t0


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] * 1000


def parts(url: str, repeats: int = 20) -> dict[str, float]:
    """Median ms of each part of the snapshot, for the record of where the time goes."""
    plans = [versions.parsed(v) for v in versions_in_force(url)]
    day = clock.today()
    out: dict[str, float] = {}
    steps = {
        "positives": lambda s: snapshot.positives(s, SCOPE, day, 3),
        "declarations": lambda s: snapshot.declarations(s, SCOPE, day, ["09:00"]),
        "fevers": lambda s: snapshot.fevers(s, SCOPE, day),
        "locked_regions": lambda s: snapshot.locked_regions(s, SCOPE, day),
        "days_of_cover (all)": lambda s: snapshot.days_of_cover(s, SCOPE, day),
        "orders_at_risk": lambda s: snapshot.orders_at_risk(s, SCOPE, day),
        "plant_for_rules": lambda s: snapshot.plant_for_rules(s, SCOPE),
        "whole snapshot": lambda s: snapshot.read_snapshot(
            s, SCOPE, day, plans, plant=snapshot.plant_for_rules(s, SCOPE)
        ),
    }
    for name, fn in steps.items():
        times = []
        for _ in range(repeats):
            with db.session_scope(url) as s:
                t0 = time.perf_counter()
                fn(s)
                times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times) * 1000
    return out


def versions_in_force(url: str) -> list:
    with db.session_scope(url) as s:
        return versions.in_force(s, SCOPE)


def run(url: str, n_workers: int, writes: int) -> None:
    t0 = time.perf_counter()
    nos = prepare(url, n_workers)
    print(f"prepared {n_workers} workers in {time.perf_counter() - t0:.1f} s")
    with db.session_scope(url) as s:
        opened = activations.evaluate(s, SCOPE, clock.today()).opened
    print("opened before timing:", ", ".join(a.cause_key for a in opened) or "nothing")
    for k in range(10):  # warm-up: caches, the plan's parse, the database's pages
        one_write(url, nos[k], 36.5, evaluate=k % 2 == 0)
    plain: list[float] = []
    evaluated: list[float] = []
    for k in range(writes):
        no = nos[(k * 37) % len(nos)]
        temp = 36.0 + (k % 9) / 10  # a changed declaration each time: a real write
        if k % 2:
            evaluated.append(one_write(url, no, temp, evaluate=True))
            plain.append(one_write(url, no, temp + 0.05, evaluate=False))
        else:
            plain.append(one_write(url, no, temp, evaluate=False))
            evaluated.append(one_write(url, no, temp + 0.05, evaluate=True))
    p50p, p95p = pct(plain, 50), pct(plain, 95)
    p50e, p95e = pct(evaluated, 50), pct(evaluated, 95)
    print(f"write alone:           p50 {p50p:7.1f} ms  p95 {p95p:7.1f} ms  (n={len(plain)})")
    print(f"write + evaluation:    p50 {p50e:7.1f} ms  p95 {p95e:7.1f} ms  (n={len(evaluated)})")
    print(f"added by evaluation:   p50 {p50e - p50p:7.1f} ms  p95 {p95e - p95p:7.1f} ms")
    print(f"ratio (p95):           {p95e / p95p:.2f}x")
    for name, ms in parts(url).items():
        print(f"  snapshot part {name:<16} median {ms:7.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--writes", type=int, default=200, help="writes of each kind")
    ap.add_argument("--pg", default=None, help="also on this PostgreSQL URL (dropped!)")
    ap.add_argument("--skip-sqlite", action="store_true")
    args = ap.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            print("== SQLite")
            run(f"sqlite:///{tmp}/plans_bench.db", args.workers, args.writes)
    if args.pg:
        print("== PostgreSQL")
        run(args.pg, args.workers, args.writes)


if __name__ == "__main__":
    main()
