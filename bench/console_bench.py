"""Console benchmark: server time of each console page on the 10,000-worker plant, p95,
beside the API route(s) the page shows (the same services, answered as JSON), for this
checkout's code ("new") and, side by side in the same run on the same database, the code
of a git ref ("old", ``--old``, default ``main``; ``--old ''`` measures the new only).

The app runs in-process (Starlette's TestClient: no network), so a request's time is the
server's. Each side runs in its own process (the old one from ``git archive REF src``),
old, new, old, new, on one database: 10,000 workers on the Xuzhou plant, 9,000 of them
have declared today (1 in 50 with a fever, so held until cleared), and what ``seed``
makes (movements, shipments, passes, three days of access events, an open case, a
pooled round, stored plans, the city's officers). Every console page beside its API
route(s); then Today and the case's page with a write before each request (what the
pages keep per version of the record read again). About 3 minutes on 2 cores.

    python bench/console_bench.py [--workers 10000] [--repeats 20] [--old main] [--url ...]
    python bench/console_bench.py --pages cases,materials   # paths holding these only
    python bench/console_bench.py --pages write             # only the two after-write rows
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC_ENV = "KEEPLINE_BENCH_SRC"  # the side's source tree (the old code's, in its process)
sys.path.insert(0, os.environ.get(SRC_ENV) or str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
# The side's package, imported first: api_bench puts this checkout's src first on the
# path, but the submodules of a package already imported come from its own directory.
importlib.import_module("keepline")

from api_bench import EID, PASSWORD, prepare  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from keepline import clock, db  # noqa: E402
from keepline.api import create_app  # noqa: E402
from keepline.government import registry, staffing, yamlfiles  # noqa: E402
from keepline.government.schemas import JurisdictionFile, RegistrationIn  # noqa: E402
from keepline.health import service as health  # noqa: E402
from keepline.health.schemas import DeclarationIn  # noqa: E402
from keepline.materials import service as materials  # noqa: E402
from keepline.materials.schemas import MovementIn  # noqa: E402
from keepline.people.models import Worker  # noqa: E402
from keepline.scope import EnterpriseScope, JurisdictionScope  # noqa: E402

ARGS = argparse.Namespace(workers=10_000, pages="")  # the parent's, for the sides' processes
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

EXAMPLES = ROOT / "examples"
CITY = "xuzhou-municipal"
OFFICER = "deputy.mayor@xuzhou.gov.example"
ADMIN = "bench@a.example"
MOVEMENTS = 3000  # stock movements over the last 60 days
SHIPMENTS = 200  # inbound, and as many delivery notes out
PASSES = 100
EVENT_DAYS = 3  # access events: every worker's shift in their zone, these last days
# Filled in by ``seed`` (the ids the pages are opened with); read back by ``measure``.
IDS = {"case": "{case}", "round": "{round}"}

# page → the API route(s) behind it (None: no API peer); ``{case}``, ``{round}``: the
# seeded case's and round's ids. Government pages are read by the city's officer.
PAGES: list[tuple[str, list[str]]] = [
    ("/console/today", ["/declarations/missing", "/workers?cleared=false", "/stock/outlook"]),
    ("/console/workers", ["/workers"]),
    ("/console/workers?cleared=false", ["/workers?cleared=false"]),
    ("/console/workers?q=B1X", ["/workers?q=B1X"]),
    ("/console/workers?page=150", ["/workers?offset=7450"]),
    ("/console/missing", ["/declarations/missing"]),
    ("/console/clearance", ["/declarations?flagged=true"]),
    ("/console/badges", []),
    ("/console/declared", ["/declarations"]),
    ("/console/materials", ["/stock/outlook"]),
    ("/console/materials/movements", ["/materials/peltier-module/movements"]),
    ("/console/shipments?direction=in", ["/purchase-shipments"]),
    ("/console/shipments?direction=out", ["/customer-shipments"]),
    ("/console/suppliers", ["/suppliers", "/lanes"]),
    ("/console/passes", ["/transport-passes"]),
    ("/console/output", ["/output", "/output/daily"]),
    ("/console/production-plan", ["/plans?limit=1"]),
    ("/console/assessment", ["/jobs"]),
    ("/console/cases", ["/cases"]),
    ("/console/cases/{case}", ["/cases/{case}", "/cases/{case}/contacts"]),
    ("/console/zones", ["/zones/states"]),
    ("/console/screening", ["/screening/rounds"]),
    ("/console/screening/rounds/{round}", ["/screening/rounds/{round}/coverage"]),
    ("/console/drills", ["/drills"]),
    ("/console/plans", ["/emergency-plans"]),
    ("/console/activations", ["/activations"]),
    ("/console/tasks", ["/tasks"]),
    ("/console/difficulties", ["/difficulties"]),
    ("/console/rectifications", ["/rectifications"]),
    ("/console/gov", ["/gov/difficulties?limit=1"]),
    ("/console/gov/difficulties", ["/gov/difficulties"]),
    ("/console/gov/visits", ["/gov/visits"]),
]
GOV = "/console/gov"


AFTER_WRITE = "`/console/today`, a roster write before each"
CASE_AFTER_WRITE = "`/console/cases/{case}`, a roster write before each"
AFTER_WRITES = [AFTER_WRITE, CASE_AFTER_WRITE]


def declare(url: str, numbers: list[str], share: float = 0.9) -> None:
    today = clock.today()
    items = [
        (
            i + 1,
            DeclarationIn(employee_no=no, day=today, temperature_c=38.0 if i % 50 == 0 else 36.6),
        )
        for i, no in enumerate(numbers[: int(len(numbers) * share)])
    ]
    with db.session_scope(url) as s:
        health.save_declarations(s, EnterpriseScope(EID, "bench"), items)


def seed(url: str) -> None:
    """Everything else the pages list, made through the API's routes (as a user would)
    or its services (the bulk of it): stock movements, shipments in and out, passes, a
    loaded emergency plan, access events of every worker's last days, an open case with
    its contacts (and so the plan's activations and tasks), a screening round of the
    case's zone in pools of 10, a stored production plan, and the city's officers with
    the plant registered and its difficulties."""
    today = clock.today()
    scope = EnterpriseScope(EID, "bench")
    with db.session_scope(url) as s:
        f = yamlfiles.read(EXAMPLES / "jurisdictions" / "xuzhou.yaml", JurisdictionFile)
        staffing.load_file(s, f, "bench", PASSWORD)
        reg = {"enterprise_id": EID, "industry": "medical devices", "scale": "large"}
        registry.register(
            s,
            JurisdictionScope(CITY, "bench"),
            RegistrationIn.model_validate(reg | {"registered_on": today - dt.timedelta(30)}),
        )
        mats = [(m.id, m.unit) for m in materials.materials(s, scope)]
        for i in range(MOVEMENTS):  # receipts, and issues a third of their size
            mid, unit = mats[i % len(mats)]
            kind = "receipt" if (i // len(mats)) % 2 == 0 else "issue"
            body = dict(material_id=mid, kind=kind, day=today, qty=30 if kind == "receipt" else 10)
            materials.record_movement(s, scope, MovementIn(**body, unit=unit, reason="bench"))
        workers = s.execute(
            select(Worker.employee_no, Worker.zone_id, Worker.shift_id).where(
                Worker.enterprise_id == EID
            )
        ).all()
    client = TestClient(create_app(url))
    h = {
        "Authorization": "Bearer "
        + client.post("/auth/login", json={"email": ADMIN, "password": PASSWORD}).json()["token"]
    }

    def post(path: str, body: Any) -> Any:
        r = client.post(path, json=body, headers=h)
        assert r.status_code in (200, 201), (path, r.status_code, r.text[:300])
        return r.json()

    plan = (EXAMPLES / "plans" / "xuzhou-qpcr.yaml").read_text()
    post("/emergency-plans", {"yaml": plan, "filename": "xuzhou-qpcr.yaml"})
    for i in range(SHIPMENTS):
        d = str(today - dt.timedelta(i % 20))
        post(
            "/purchase-shipments",
            dict(
                id=f"PO-{i}",
                material_id="peltier-module",
                supplier_id="suzhou-thermo",
                qty=100,
                ordered_on=d,
                eta=str(today + dt.timedelta(i % 10)),
            ),
        )
        post(
            "/customer-shipments",
            dict(
                id=f"DN-{i}",
                order_id="JS-CDC-001",
                qty=1,
                planned_on=str(today),
            ),
        )
    for i in range(PASSES):
        post(
            "/transport-passes",
            dict(
                id=f"XP-{i}",
                vehicle=f"苏C·{i:05d}",
                driver="王师傅",
                valid_from=str(today),
                valid_until=str(today + dt.timedelta(7)),
                shipment_id=f"PO-{i}",
            ),
        )
    hours = {"day": (8, 20), "night": (20, 32)}
    events = []
    for k in range(1, EVENT_DAYS + 1):
        base = dt.datetime.combine(today - dt.timedelta(k), dt.time())
        for no, zone, shift in workers:
            a, b = hours.get(shift, (8, 20))
            events.append(
                dict(
                    employee_no=no,
                    zone=zone,
                    time_in=str(base + dt.timedelta(hours=a)),
                    time_out=str(base + dt.timedelta(hours=b)),
                )
            )
    post("/access-events", {"source": "gate", "events": events})
    no, zone, _ = workers[1]  # (the first declared with a fever: not cleared)
    post("/screening/rounds", dict(day=str(today), zones=[zone], pool_size=10))
    post(
        "/cases",
        dict(employee_no=no, confirmed_on=str(today), sample_day=str(today - dt.timedelta(1))),
    )
    post("/plans", {"horizon_days": 14})
    for i in range(20):
        post("/difficulties", dict(category="raw-materials", text=f"resin supply {i}"))


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def timed(client: TestClient, path: str, repeats: int, before=None, **kw) -> list[float]:  # type: ignore[no-untyped-def]
    """Request times of ``path`` (ms); ``before``: called before each (not timed)."""
    client.get(path, **kw)  # warm (caches, the first QR codes)
    out = []
    for i in range(repeats):
        if before is not None:
            before(i)
        t = time.perf_counter()
        r = client.get(path, **kw)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return out


def sign_in(client: TestClient, email: str = ADMIN) -> dict[str, str]:
    """The API's bearer header; the console's cookie is signed in through its form."""
    token = client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]
    page = client.get("/console/login")
    r = client.post(
        "/console/login",
        data={
            "email": email,
            "password": PASSWORD,
            "csrf_token": CSRF.search(page.text).group(1),  # type: ignore[union-attr]
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return {"Authorization": f"Bearer {token}"}


def chosen() -> list[tuple[str, list[str]]]:
    """The pages ``--pages`` names (substrings of their paths; all when not given)."""
    if not ARGS.pages:
        return PAGES
    words = ARGS.pages.split(",")
    return [(p, peers) for p, peers in PAGES if any(w in p for w in words)]


def measure(url: str, repeats: int) -> dict[str, list[float]]:
    """Each page's request times (``page``) and its API peers' p95 (``page api``), ms."""
    client = TestClient(create_app(url))
    api_headers = sign_in(client)
    gov = TestClient(client.app)
    gov_headers = sign_in(gov, OFFICER)
    ids = {
        "case": client.get("/cases", params={"limit": 1}, headers=api_headers).json()["items"][0][
            "id"
        ],
        "round": client.get("/screening/rounds", params={"limit": 1}, headers=api_headers).json()[
            "items"
        ][0]["id"],
    }
    out: dict[str, list[float]] = {}
    for path, peers in chosen():
        c, hdr = (gov, gov_headers) if path.startswith(GOV) else (client, api_headers)
        out[path] = timed(c, path.format(**ids), repeats)
        out[path + " api"] = [p95(timed(c, p.format(**ids), repeats, headers=hdr)) for p in peers]
    if ARGS.pages and "write" not in ARGS.pages.split(","):
        return out

    first = client.get("/workers", params={"limit": 1}, headers=api_headers).json()
    no = first["items"][0]["employee_no"]

    def write(i: int) -> None:  # an audited write of the roster (a phone number)
        body = {"phone": f"1380000{i:04d}"}
        r = client.patch(f"/workers/{no}", json=body, headers=api_headers)
        assert r.status_code == 200, r.text[:200]

    # (a write changes the version: what the pages keep is read again)
    out[AFTER_WRITE] = timed(client, "/console/today", repeats, before=write)
    out[AFTER_WRITE + " api"] = []
    out[CASE_AFTER_WRITE] = timed(client, f"/console/cases/{ids['case']}", repeats, before=write)
    out[CASE_AFTER_WRITE + " api"] = []
    return out


def side(url: str, repeats: int, src: str | None, mode: str = "--measure") -> Any:
    """``measure`` (or ``--prepare``) in a process of its own, on ``src``'s code (None:
    this checkout's)."""
    env = dict(os.environ, **{SRC_ENV: src or ""})
    args = [sys.executable, __file__, mode, "--url", url, "--repeats", str(repeats)]
    args += ["--workers", str(ARGS.workers), "--pages", ARGS.pages]
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def old_source(ref: str, into: str) -> str:
    """``ref``'s ``src`` tree, unpacked under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src", "examples"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return str(Path(into) / "src")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--url", default=None, help="database (default: a temp SQLite file)")
    ap.add_argument("--old", default="main", help="git ref of the old code ('': none)")
    ap.add_argument(
        "--pages", default="", help="only the pages whose path holds one of these (a,b,...)"
    )
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = ARGS.__dict__.update(vars(ap.parse_args())) or ARGS
    if args.measure:  # one side, in its own process, on a prepared database
        print(json.dumps(measure(args.url, args.repeats)))
        return
    if args.prepare:  # the database, made by the old side's code (its schema)
        declare(args.url, prepare(args.url, args.workers))
        seed(args.url)
        print("null")
        return
    if args.old and args.url:
        ap.error("old against new needs the default SQLite file (each side its own copy)")
    home = tempfile.mkdtemp()
    os.environ["KEEPLINE_HOME"] = home
    src = old_source(args.old, home) if args.old else None
    # The database is made once, by the old code, and copied: the new side migrates its
    # copy (the old code cannot open a database migrated past its own head).
    url = args.url or f"sqlite:///{home}/bench.db"
    side(url, 0, src, "--prepare")
    new_url = url
    if src:
        shutil.copyfile(f"{home}/bench.db", f"{home}/bench-new.db")
        new_url = f"sqlite:///{home}/bench-new.db"
    cpu_lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in cpu_lines if ln.startswith("model name")),
        platform.processor(),
    )
    load_before = os.getloadavg()[0]
    # Old, new, old, new (half the requests each time): a load that changes during the
    # run weighs on both sides alike.
    half = max(2, args.repeats // 2)
    old: dict[str, list[float]] = {}
    new: dict[str, list[float]] = {}
    for _ in range(2):
        if src:
            for k, v in side(url, half, src).items():
                old.setdefault(k, []).extend(v)
        for k, v in side(new_url, half, None).items():
            new.setdefault(k, []).extend(v)
    print(
        f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {cpu}, load {load_before:.1f} → "
        f"{os.getloadavg()[0]:.1f}, {args.workers:,} workers, "
        f"{url.split(':', 1)[0]}, {args.repeats} requests a page, "
        f"old = {args.old or '—'}, new = this checkout"
    )
    print(
        "| page | old p50 ms | old p95 ms | new p50 ms | new p95 ms | new / old p95 "
        "| new API route(s) p95 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for path, peers in [*chosen(), *[(w, []) for w in AFTER_WRITES]]:
        if path not in new:
            continue
        o = [statistics.median(old[path]), p95(old[path])] if old else [float("nan")] * 2
        n = [statistics.median(new[path]), p95(new[path])]
        api_p95 = new[path + " api"]  # two runs' p95 of each peer: the larger
        api = " + ".join(f"{max(api_p95[i :: len(peers)]):.1f}" for i in range(len(peers))) or "—"
        shown = path if path in AFTER_WRITES else f"`{path}`"
        print(
            f"| {shown} | {o[0]:.1f} | {o[1]:.1f} | {n[0]:.1f} | {n[1]:.1f} "
            f"| {n[1] / o[1]:.2f} | {api} |"
        )


if __name__ == "__main__":
    main()
