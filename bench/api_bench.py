"""API benchmark: 10,000 declarations in one bulk call; read endpoints' latency at 100 req/s.

Runs a real ``keepline serve`` (uvicorn) on 127.0.0.1 for each database, SQLite and (when
given) PostgreSQL, and talks to it over loopback with httpx:

1. bulk: POST /declarations/bulk with 10,000 declarations (new; the same again, which
   changes nothing; then all changed, which replaces each and audits it). The baseline in
   the same run is the obvious implementation: one ORM ``merge`` and one audit row per
   declaration, in-process (no HTTP at all), on the same database. Reported as a ratio.
2. reads: an open-loop load of 100 requests/s (requests are sent on schedule whether or
   not earlier ones have answered, so queueing shows in the latency) spread over five
   read endpoints, for a bounded number of requests; p50/p95/p99 per endpoint. Before
   it, each endpoint alone (``--sequential``): latency and the server's CPU per request
   (from /proc). During it, the CPU of the server, of the load generator and of
   everything else on the machine, so that a run on a busy machine says so.

    .venv/bin/python bench/api_bench.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/keepline_bench]
        [--rate 100] [--seconds 20] [--declarations 10000] [--workers 1] [--sequential 50]
        [--no-baseline] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from keepline import clock, db  # noqa: E402
from keepline.accounts import service as accounts  # noqa: E402
from keepline.audit import service as audit  # noqa: E402
from keepline.health.models import Declaration  # noqa: E402
from keepline.people import service as people  # noqa: E402
from keepline.people.generate import roster_rows  # noqa: E402
from keepline.plant import service as plant_service  # noqa: E402
from keepline.plant.yamlio import load_yaml  # noqa: E402
from keepline.scope import EnterpriseScope  # noqa: E402
from keepline.tabular import Table  # noqa: E402

XUZHOU = ROOT / "examples" / "xuzhou-qpcr.yaml"
PASSWORD = "benchmark password"
EID = "xuzhou-qpcr"


def prepare(url: str, n_workers: int) -> list[str]:
    """A fresh database: the Xuzhou plant, ``n_workers`` on the roster, one admin."""
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
            s,
            EnterpriseScope(EID, "bench"),
            Table("bench.csv", list(people.COLUMNS), list(enumerate(rows, 2))),
        )
        accounts.create_user(
            s,
            email="bench@a.example",
            password=PASSWORD,
            role="admin",
            enterprise_id=EID,
            actor="bench",
        )
    return [r["employee_no"] for r in rows]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, home: str, workers: int = 1) -> None:
        self.port = free_port()
        # The server runs this tree's code (as this script does), not whichever keepline
        # the venv's console script was installed from.
        path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
        env = os.environ | {"KEEPLINE_DATABASE_URL": url, "KEEPLINE_HOME": home, "PYTHONPATH": path}
        exe = Path(sys.executable).parent / "keepline"
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(self.port), "--log-level", "warning"]
            + ["--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def declarations(nos: list[str], day: dt.date, temp: float) -> list[dict]:
    return [
        {"employee_no": no, "day": day.isoformat(), "temperature_c": temp + (i % 7) / 10}
        for i, no in enumerate(nos)
    ]


def bench_bulk(base: str, token: str, nos: list[str]) -> dict[str, float]:
    day = clock.today()
    h = {"Authorization": f"Bearer {token}"}
    out: dict[str, float] = {}
    with httpx.Client(base_url=base, headers=h, timeout=120) as c:
        for label, temp in (("new", 36.1), ("same again", 36.1), ("all changed", 36.2)):
            body = {"declarations": declarations(nos, day, temp)}
            t = time.perf_counter()
            r = c.post("/declarations/bulk", json=body)
            out[label] = time.perf_counter() - t
            assert r.status_code == 200, r.text[:300]
    return out


def bench_naive(url: str, nos: list[str]) -> float:
    """The baseline: one ORM merge and one audit entry per declaration, one transaction."""
    from keepline.health.schemas import DeclarationIn
    from keepline.health.service import flags_of

    day = clock.today() - dt.timedelta(days=1)
    t = time.perf_counter()
    with db.session_scope(url) as s:
        for d in declarations(nos, day, 36.1):
            m = DeclarationIn.model_validate(d)
            s.merge(
                Declaration(
                    enterprise_id=EID,
                    employee_no=m.employee_no,
                    day=m.day,
                    temperature_c=m.temperature_c,
                    symptoms=[],
                    health_code="green",
                    risk_travel=False,
                    close_contact=False,
                    flags=flags_of(m),
                    flagged=bool(flags_of(m)),
                    declared_at=dt.datetime.now(dt.UTC),
                )
            )
            audit.record(
                s,
                enterprise_id=EID,
                actor="bench",
                action="insert",
                table="declarations",
                key=f"{m.employee_no}/{m.day}",
                after=d,
            )
    return time.perf_counter() - t


def read_paths() -> list[str]:
    """The five read endpoints of the load ('{no}': a worker's employee number)."""
    day = clock.today().isoformat()
    return [
        "/workers?limit=50&team=asm-day-1",
        "/workers/{no}",
        "/workers/summary",
        f"/declarations/missing?date={day}&limit=50",
        f"/declarations?date={day}&limit=50&sort=-temperature_c",
    ]


def _ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its children (uvicorn's worker processes)."""
    pids = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(d))
            except OSError:
                pass
    return sum(_ticks(p) for p in pids) / os.sysconf("SC_CLK_TCK")


def postgres_ticks() -> dict[int, int]:
    """CPU ticks used so far by each process of the PostgreSQL server on this machine."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/comm") as f:
                    if f.read().strip() != "postgres":
                        continue
            except OSError:
                continue
            out[int(d)] = _ticks(int(d))
    return out


def postgres_cpu(before: dict[int, int]) -> float:
    """CPU seconds PostgreSQL's processes used since ``before`` (a process that came and
    went in between, such as an autovacuum worker, counts as everything else)."""
    now = postgres_ticks()
    used = sum(now[p] - t for p, t in before.items() if p in now)
    used += sum(t for p, t in now.items() if p not in before)
    return used / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds all cores have been busy (not idle, not waiting for I/O) since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def sequential(base: str, token: str, nos: list[str], pid: int, n: int) -> None:
    """Each endpoint alone, one request at a time: latency and the server's CPU per request."""
    print(f"sequential, {n} requests per endpoint (server CPU from /proc, whole process tree):")
    print(f"  {'endpoint':28s} {'ms each':>8s} {'CPU ms':>8s}")
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        for p in read_paths():
            for i in range(3):
                c.get(p.format(no=nos[i]))
            cpu, t = tree_cpu(pid), time.perf_counter()
            for i in range(n):
                r = c.get(p.format(no=nos[(i * 7919) % len(nos)]))
                assert r.status_code == 200, r.text[:300]
            wall, cpu = (time.perf_counter() - t) / n, (tree_cpu(pid) - cpu) / n
            print(f"  {p.split('?')[0]:28s} {wall * 1e3:8.1f} {cpu * 1e3:8.1f}")


async def _http_get(reader, writer, host: str, path: str, token: str) -> int:  # type: ignore[no-untyped-def]
    """One HTTP/1.1 GET on a kept-alive connection; returns the status."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Connection: keep-alive\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("closed by the server (keep-alive timeout)")
    length = 0
    chunked = False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value:
            chunked = True
    if chunked:
        while (size := int((await reader.readline()).strip(), 16)) > 0:
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(length)
    return int(status_line.split()[1])


async def load(
    base: str, token: str, nos: list[str], rate: float, seconds: float, connections: int = 64
) -> tuple[dict[str, list[float]], int]:
    """Open loop: request i is due at start + i/rate whatever happened before; its latency
    runs from when it was due (so waiting for a free connection counts, no coordinated
    omission). A minimal asyncio HTTP/1.1 client keeps the load generator's own CPU small
    on this 2-core machine (httpx costs more per request than the server does)."""
    host, port = base.removeprefix("http://").split(":")
    paths = read_paths()
    n = int(rate * seconds)
    lat: dict[str, list[float]] = {p.split("?")[0]: [] for p in paths}
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection(host, int(port)))
    errors = 0
    for p in paths:  # warm up each endpoint once
        conn = await pool.get()
        await _http_get(*conn, host, p.format(no=nos[0]), token)
        pool.put_nowait(conn)

    async def one(i: int, due: float) -> None:
        nonlocal errors
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        p = paths[i % len(paths)]
        conn = await pool.get()
        path = p.format(no=nos[(i * 7919) % len(nos)])
        try:
            try:
                status = await asyncio.wait_for(_http_get(*conn, host, path, token), 30)
            except ConnectionResetError:  # an idle connection the server closed: reopen
                conn[1].close()
                conn = await asyncio.open_connection(host, int(port))
                status = await asyncio.wait_for(_http_get(*conn, host, path, token), 30)
            errors += status != 200
        except (TimeoutError, OSError, ValueError):
            errors += 1
            conn = await asyncio.open_connection(host, int(port))
        pool.put_nowait(conn)
        lat[p.split("?")[0]].append(time.perf_counter() - due)

    start = time.perf_counter() + 0.2
    await asyncio.gather(*(one(i, start + i / rate) for i in range(n)))
    while not pool.empty():
        _, writer = pool.get_nowait()
        writer.close()
    return lat, errors


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def run(url: str, label: str, args: argparse.Namespace) -> None:
    print(f"\n## {label}")
    t = time.perf_counter()
    nos = prepare(url, args.declarations)
    print(f"set-up: plant + {len(nos)} workers in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as home:
        server = Server(url, home, args.workers)
        try:
            token = httpx.post(
                server.base + "/auth/login", json={"email": "bench@a.example", "password": PASSWORD}
            ).json()["token"]
            bulk = bench_bulk(server.base, token, nos)
            print(f"bulk POST /declarations/bulk, {len(nos)} declarations over HTTP:")
            for k, v in bulk.items():
                print(f"  {k:12s} {v:6.2f} s  ({len(nos) / v:,.0f} per s)")
            if not args.no_baseline:
                naive = bench_naive(url, nos)
                print(
                    f"baseline (ORM merge + audit row each, in-process, no HTTP): {naive:.2f} s"
                    f" -> bulk call is {naive / bulk['new']:.1f}x faster"
                )
            if args.sequential:
                sequential(server.base, token, nos, server.proc.pid, args.sequential)
            load_before = os.getloadavg()[0]
            busy, cpu, own = machine_busy(), tree_cpu(server.proc.pid), time.process_time()
            pg = postgres_ticks()
            t = time.perf_counter()
            lat, errors = asyncio.run(load(server.base, token, nos, args.rate, args.seconds))
            wall = time.perf_counter() - t
            busy, cpu = machine_busy() - busy, tree_cpu(server.proc.pid) - cpu
            own, pg = time.process_time() - own, postgres_cpu(pg)
            allx = [x for v in lat.values() for x in v]
            print(
                f"reads: {len(allx)} requests at {args.rate:.0f}/s, open loop, "
                f"{args.seconds:.0f} s, {args.workers} uvicorn worker(s)"
            )
            print(
                f"  during the load: server {cpu / len(allx) * 1e3:.1f} ms CPU a request "
                f"({cpu / wall:.2f} cores), load generator {own / wall:.2f} cores, PostgreSQL "
                f"{pg / wall:.2f} cores, everything else on the machine "
                f"{max(0.0, busy - cpu - own - pg) / wall:.2f} cores of "
                f"{os.cpu_count()}; load average {load_before:.2f} before, "
                f"{os.getloadavg()[0]:.2f} after"
            )
            print(f"  {'endpoint':28s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}")
            for p, xs in [*lat.items(), ("all", allx)]:
                print(
                    f"  {p:28s} {len(xs):5d} {pct(xs, 0.5) * 1e3:8.1f} {pct(xs, 0.95) * 1e3:8.1f}"
                    f" {pct(xs, 0.99) * 1e3:8.1f}"
                )
            print(f"  mean {statistics.mean(allx) * 1e3:.1f} ms; failed: {errors}")
        finally:
            server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--pg", default=os.environ.get("KEEPLINE_BENCH_PG_URL"), help="PostgreSQL URL (emptied!)"
    )
    ap.add_argument("--rate", type=float, default=100.0, help="read requests per second")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the read load")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument(
        "--sequential",
        type=int,
        default=50,
        metavar="N",
        help="first time each read endpoint alone, N requests (0: skip)",
    )
    ap.add_argument(
        "--no-baseline", action="store_true", help="skip the in-process ORM baseline of the bulk"
    )
    ap.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only (with --pg)")
    ap.add_argument(
        "--declarations", type=int, default=10_000, help="declarations in the bulk call"
    )
    args = ap.parse_args()
    print(
        f"# keepline API bench, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as d:
            run(f"sqlite:///{d}/bench.db", "SQLite (embedded, WAL)", args)
    if args.pg:
        run(args.pg, "PostgreSQL 15 (local)", args)


if __name__ == "__main__":
    main()
