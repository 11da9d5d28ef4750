"""Emergency plans: what evaluating the plan after a write adds to the write.

A 10,000-worker copy of the Xuzhou plant (the roster generated from the plant file, as
``bench/api_bench.py`` builds it), its emergency plan template loaded (rules over every
kind of trigger: positives, a cluster, fever, declarations missing, regions locked, days
of cover, the city, orders at risk, difficulties). Three kinds of write, each in its own
transaction through the service its route calls:

* ``declaration``: one health declaration (``health.service.save_declarations``, no fever),
* ``case``: one confirmed case (``containment.cases.open_case``), a new worker each time,
* ``stock``: one stock movement of KN95 masks (``materials.service.record_movement``).

Each write is timed three ways, alternating (the order rotates), in the same run:

* ``alone``: the write and its commit, nothing evaluated;
* ``full``: the write + every rule of the plan evaluated (``activations.evaluate``: what
  every write did before the evaluation followed what it changed);
* ``new``: the write + ``activations.after_write`` with the facts the route says it
  changed: only the rules whose triggers read them, reading only their part of the record.

Before timing, 90% of the roster has declared today (``--declared``: the day's
declarations are what the declarations-missing and fever triggers count), and a full
evaluation and one case open what the record makes fire (masks and disinfectant below 14
days of cover, a positive in the cases' zone); the timed evaluations are the steady
state: each cause found open.

Printed per kind: p50/p95 of the whole transaction for each way; the evaluation call's
own time (what it adds to the write: p50/p95, measured inside the transaction) and this
process's CPU time in it; and the ratio full/new of the added p95. The load average is
printed before and after each kind: the machine may be shared.

    .venv/bin/python bench/plans_bench.py [--workers 10000] [--writes 60] [--declared 0.9]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/keepline_bench] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from keepline import clock, db  # noqa: E402
from keepline.containment import cases  # noqa: E402
from keepline.containment.schemas import CaseIn  # noqa: E402
from keepline.health import service as health  # noqa: E402
from keepline.health.schemas import DeclarationIn  # noqa: E402
from keepline.materials import service as materials  # noqa: E402
from keepline.materials.models import MovementKind  # noqa: E402
from keepline.materials.schemas import MovementIn  # noqa: E402
from keepline.people import service as people  # noqa: E402
from keepline.people.generate import roster_rows  # noqa: E402
from keepline.people.models import Worker  # noqa: E402
from keepline.plans import activations, versions  # noqa: E402
from keepline.plans.engine import Fact, declared  # noqa: E402
from keepline.plans.schemas import PlanVersionIn  # noqa: E402
from keepline.plant import service as plant_service  # noqa: E402
from keepline.plant.yamlio import load_yaml  # noqa: E402
from keepline.scope import EnterpriseScope  # noqa: E402
from keepline.tabular import Table  # noqa: E402

XUZHOU = ROOT / "examples" / "xuzhou-qpcr.yaml"
PLAN = ROOT / "examples" / "plans" / "xuzhou-qpcr.yaml"
EID = "xuzhou-qpcr"
SCOPE = EnterpriseScope(EID, "bench")
WAYS = ("alone", "full", "new")

# A write: (session, k) -> the facts it changed, as its route tells after_write.
Write = Callable[[Session, int], frozenset[Fact]]


def prepare(url: str, n_workers: int, declared: float) -> list[str]:
    """A fresh database: the Xuzhou plant, ``n_workers`` on the roster, the plan loaded,
    the share ``declared`` of the roster's declarations of today made (no fever)."""
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
    nos = [r["employee_no"] for r in rows]
    made = [
        (i, DeclarationIn(employee_no=no, day=clock.today(), temperature_c=36.4))
        for i, no in enumerate(nos[: round(declared * len(nos))], 1)
    ]
    with db.session_scope(url) as s:
        health.save_declarations(s, SCOPE, made)
    return nos


def writes(url: str, nos: list[str], n: int) -> tuple[dict[str, Write], str]:
    """The three kinds of write, and a worker for the case opened before timing. Cases go
    to the workers of the smallest zone with enough of them (its positive's activation,
    screening rounds for the zone, is opened once, before timing)."""
    with db.session_scope(url) as s:
        zone = s.execute(
            select(Worker.zone_id)
            .where(Worker.enterprise_id == EID)
            .group_by(Worker.zone_id)
            .having(func.count() > 3 * n + 4)
            .order_by(func.count(), Worker.zone_id)
            .limit(1)
        ).scalar_one()
        in_zone = list(
            s.scalars(
                select(Worker.employee_no)
                .where(Worker.enterprise_id == EID, Worker.zone_id == zone)
                .order_by(Worker.employee_no)
            )
        )
    today = clock.today()

    def declaration(s: Session, k: int) -> frozenset[Fact]:
        temp = 36.0 + (k % 9) / 10  # a changed declaration each time: a real write
        body = DeclarationIn(employee_no=nos[(k * 37) % len(nos)], day=today, temperature_c=temp)
        return declared(health.save_declarations(s, SCOPE, [(1, body)]).flagged)

    def case(s: Session, k: int) -> frozenset[Fact]:
        cases.open_case(s, SCOPE, CaseIn(employee_no=in_zone[k], confirmed_on=today))
        return frozenset({Fact.positives})

    def stock(s: Session, k: int) -> frozenset[Fact]:
        kind = MovementKind.receipt if k % 2 else MovementKind.issue
        body = MovementIn(material_id="mask-kn95", kind=kind, day=today, qty=1, unit="pcs")
        materials.record_movement(s, SCOPE, body)
        return frozenset({Fact.stock})

    return {"declaration": declaration, "case": case, "stock": stock}, in_zone[-1]


def one(url: str, write: Write, k: int, way: str) -> tuple[float, float, float]:
    """(seconds for the write's transaction, seconds of the evaluation in it, CPU
    seconds of this process in the evaluation)."""
    t0 = time.perf_counter()
    with db.session_scope(url) as s:
        changed = write(s, k)
        s.flush()
        t1, c1 = time.perf_counter(), time.process_time()
        if way == "full":
            activations.evaluate(s, SCOPE, clock.today())
        elif way == "new":
            activations.after_write(s, SCOPE, clock.today(), changed)
        t2, c2 = time.perf_counter(), time.process_time()
    return time.perf_counter() - t0, t2 - t1, c2 - c1


def pct(xs: list[float], q: int) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] * 1000


def load() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def run(url: str, n_workers: int, n: int, declared: float) -> None:
    t0 = time.perf_counter()
    nos = prepare(url, n_workers, declared)
    kinds, first_case = writes(url, nos, n)
    print(
        f"prepared {n_workers} workers, {declared:.0%} of them declared today, "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    with db.session_scope(url) as s:
        opened = activations.evaluate(s, SCOPE, clock.today()).opened
        cases.open_case(s, SCOPE, CaseIn(employee_no=first_case, confirmed_on=clock.today()))
        opened += activations.after_write(s, SCOPE, clock.today(), {Fact.positives}).opened
    print("opened before timing:", ", ".join(a.cause_key for a in opened) or "nothing")
    print(
        f"{'write':<12} {'way':<6} {'whole p50':>10} {'p95':>7}   {'eval p50':>10} {'p95':>7}   "
        f"{'CPU p50':>9} {'p95':>7}    n   load before -> after"
    )
    used = dict.fromkeys(kinds, 0)
    for name, write in kinds.items():
        for k in range(3):  # warm-up: caches, the database's pages
            one(url, write, used[name], WAYS[k])
            used[name] += 1
        before = load()
        whole: dict[str, list[float]] = {w: [] for w in WAYS}
        added: dict[str, list[float]] = {w: [] for w in WAYS}
        cpu: dict[str, list[float]] = {w: [] for w in WAYS}
        for k in range(n):
            for j in range(3):
                way = WAYS[(k + j) % 3]  # the order rotates
                a, b, c = one(url, write, used[name], way)
                used[name] += 1
                whole[way].append(a)
                added[way].append(b)
                cpu[way].append(c)
        after = load()
        for way in WAYS:
            w, e, c = whole[way], added[way], cpu[way]
            ev = (
                f"{pct(e, 50):10.1f} {pct(e, 95):7.1f}   {pct(c, 50):9.1f} {pct(c, 95):7.1f}"
                if way != "alone"
                else f"{'-':>10} {'-':>7}   {'-':>9} {'-':>7}"
            )
            print(
                f"{name:<12} {way:<6} {pct(w, 50):10.1f} {pct(w, 95):7.1f}   {ev}  "
                f"{len(w):>3}   {before} -> {after}"
            )
        full95, new95 = pct(added["full"], 95), pct(added["new"], 95)
        print(
            f"{name:<12} added p95: full {full95:.1f} ms, new {new95:.1f} ms, "
            f"full/new {full95 / new95:.1f}x; whole p95 new/alone "
            f"{pct(whole['new'], 95) / pct(whole['alone'], 95):.2f}x"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--writes", type=int, default=60, help="writes of each kind, each way")
    ap.add_argument(
        "--declared", type=float, default=0.9, help="share of the roster declared before timing"
    )
    ap.add_argument("--pg", default=None, help="also on this PostgreSQL URL (dropped!)")
    ap.add_argument("--skip-sqlite", action="store_true")
    args = ap.parse_args()
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {cpu}, {os.cpu_count()} CPUs")
    print(
        "ms; whole: the write's transaction; eval: the evaluation's own time in it (what it\n"
        "adds to the write); CPU: this process's CPU time in the evaluation (less sensitive\n"
        "to the load; on PostgreSQL the server's CPU is not in it)"
    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            print("== SQLite")
            run(f"sqlite:///{tmp}/plans_bench.db", args.workers, args.writes, args.declared)
    if args.pg:
        print("== PostgreSQL")
        run(args.pg, args.workers, args.writes, args.declared)


if __name__ == "__main__":
    main()
