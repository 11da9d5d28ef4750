"""Benchmark: the stock ledger and the outlook on the Zhengzhou reference plant.

Side by side in one run, on SQLite (a temp file) and PostgreSQL (when
KEEPLINE_BENCH_DATABASE_URL is set):

1. recording movements through the service (checks: unit, dates, no negative stock on any
   later day; audited) against a bare INSERT of the same rows (the baseline: no checks,
   no audit), at a ledger of N movements per material;
2. the outlook (cover + reorder + warnings for 15 materials, 60 days) from the database,
   against the pure engines alone on the same inputs.

Run: .venv/bin/python bench/bench_materials.py [N]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time

import numpy as np
from sqlalchemy import insert, text
from sqlalchemy.orm import sessionmaker

from keepline import db
from keepline.logistics import purchases
from keepline.logistics.schemas import PurchaseIn
from keepline.materials import outlook as mo
from keepline.materials import reorder
from keepline.materials import service as ms
from keepline.materials.models import MovementKind, StockMovement
from keepline.materials.schemas import MovementIn
from keepline.materials.supply_options import supply_options_on
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.scope import EnterpriseScope

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZZ = os.path.join(ROOT, "examples", "zhengzhou-meters.yaml")
EID = "zhengzhou-meters"
SCOPE = EnterpriseScope(EID, "bench")
D0 = dt.date(2026, 12, 1)


def fresh(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("postgresql"):
        eng = db.make_engine(url)
        with eng.begin() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    db.reset_engines()
    eng = db.get_engine(url)
    S = sessionmaker(bind=eng, expire_on_commit=False)
    with S() as s:
        plant_service.load_plant(s, load_yaml(ZZ))
        s.commit()
    return S


def bench(url: str, n: int) -> dict[str, float]:
    S = fresh(url)
    out: dict[str, float] = {}
    # 1. service writes: n receipts and issues on mcu-chip, one day each (commit per 100)
    t0 = time.perf_counter()
    with S() as s:
        for i in range(n):
            day = D0 + dt.timedelta(days=i // 10)
            kind = MovementKind.receipt if i % 2 == 0 else MovementKind.issue
            ms.record_movement(
                s,
                SCOPE,
                MovementIn(material_id="mcu-chip", kind=kind, day=day, qty=100, unit="pcs"),
            )
            if i % 100 == 99:
                s.commit()
        s.commit()
    out["service_ms_per_write"] = (time.perf_counter() - t0) * 1000 / n
    # the baseline: the same rows inserted bare into another material's ledger
    rows = [
        dict(
            enterprise_id=EID,
            material_id="nb-iot-module",
            day=D0 + dt.timedelta(days=i // 10),
            kind="receipt",
            qty=100.0,
            counted_qty=None,
            unit="pcs",
            reason="",
            ref=None,
            actor="bench",
            recorded_at=dt.datetime.now(dt.UTC),
        )
        for i in range(n)
    ]
    t0 = time.perf_counter()
    with S() as s:
        for k in range(0, n, 100):
            for r in rows[k : k + 100]:
                s.execute(insert(StockMovement), [r])
            s.commit()
    out["bare_insert_ms_per_write"] = (time.perf_counter() - t0) * 1000 / n
    # 2. outlook from the database vs the engines alone (after 50 open shipments)
    with S() as s:
        for i in range(50):
            purchases.create_purchase(
                s,
                SCOPE,
                PurchaseIn(
                    id=f"PO-{i}",
                    material_id="lcd-display",
                    supplier_id="shenzhen-lcd",
                    qty=1000,
                    ordered_on=D0,
                    eta=D0 + dt.timedelta(days=i),
                ),
            )
        s.commit()
    as_of = D0 + dt.timedelta(days=n // 10)
    reps = 5
    with S() as s:
        mo.outlook(s, SCOPE, as_of, 60)  # warm
        t0 = time.perf_counter()
        for _ in range(reps):
            result = mo.outlook(s, SCOPE, as_of, 60)
        out["outlook_db_ms"] = (time.perf_counter() - t0) * 1000 / reps
        uses = mo.expected_use(s, SCOPE, as_of, 60)
        rec = purchases.scheduled_receipts(s, SCOPE, as_of, 60)
        opts = supply_options_on(s, SCOPE, as_of, 60)

    states = [
        reorder.MaterialState(
            r.material_id,
            r.unit,
            r.on_hand,
            r.safety_stock,
            uses.use[r.material_id],
            rec.get(r.material_id, np.zeros(60)),
            tuple(opts.get(r.material_id, ())),
        )
        for r in result.cover
    ]
    t0 = time.perf_counter()
    for _ in range(reps):
        for st in states:
            reorder.outlook(st)
    out["outlook_engine_ms"] = (time.perf_counter() - t0) * 1000 / reps
    db.reset_engines()
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    urls = [f"sqlite:///{tempfile.mkdtemp()}/bench.db"]
    if os.environ.get("KEEPLINE_BENCH_DATABASE_URL"):
        urls.append(os.environ["KEEPLINE_BENCH_DATABASE_URL"])
    for url in urls:
        r = bench(url, n)
        name = url.split(":")[0].split("+")[0]
        print(f"{name}: {n} movements on one material")
        print(
            f"  write through the service  {r['service_ms_per_write']:.2f} ms "
            f"(bare insert {r['bare_insert_ms_per_write']:.2f} ms; ratio "
            f"{r['service_ms_per_write'] / r['bare_insert_ms_per_write']:.1f}x)"
        )
        print(
            f"  outlook, 15 materials x 60 days  {r['outlook_db_ms']:.1f} ms "
            f"(engines alone {r['outlook_engine_ms']:.2f} ms; ratio "
            f"{r['outlook_db_ms'] / r['outlook_engine_ms']:.0f}x)"
        )


if __name__ == "__main__":
    main()
