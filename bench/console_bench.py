"""Console benchmark: server time of each console page on the 10,000-worker plant, p95,
beside the API route(s) the page shows (the same services, answered as JSON).

The app runs in-process (Starlette's TestClient: no network, no second process), so a
request's time is the server's. 10,000 workers on the Xuzhou plant, 9,000 of them have
declared today (1 in 50 with a fever, so held until cleared).

    python bench/console_bench.py [--workers 10000] [--repeats 30] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from api_bench import EID, PASSWORD, prepare  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from keepline import clock, db  # noqa: E402
from keepline.api import create_app  # noqa: E402
from keepline.health import service as health  # noqa: E402
from keepline.health.schemas import DeclarationIn  # noqa: E402
from keepline.scope import EnterpriseScope  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# page → the API route(s) behind it (None: no API peer)
PAGES: list[tuple[str, list[str]]] = [
    ("/console/today", ["/declarations/missing", "/workers?cleared=false", "/stock/outlook"]),
    ("/console/workers", ["/workers"]),
    ("/console/workers?cleared=false", ["/workers?cleared=false"]),
    ("/console/workers?q=B1X", ["/workers?q=B1X"]),
    ("/console/workers?page=150", ["/workers?offset=7450"]),
    ("/console/missing", ["/declarations/missing"]),
    ("/console/clearance", ["/declarations?flagged=true"]),
    ("/console/badges", []),
]


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


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def timed(client: TestClient, path: str, repeats: int, **kw) -> list[float]:  # type: ignore[no-untyped-def]
    client.get(path, **kw)  # warm (caches, the first QR codes)
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        r = client.get(path, **kw)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--url", default=None, help="database (default: a temp SQLite file)")
    args = ap.parse_args()
    home = tempfile.mkdtemp()
    os.environ["KEEPLINE_HOME"] = home
    url = args.url or f"sqlite:///{home}/bench.db"
    numbers = prepare(url, args.workers)
    declare(url, numbers)
    client = TestClient(create_app(url))
    token = client.post(
        "/auth/login", json={"email": "bench@a.example", "password": PASSWORD}
    ).json()["token"]
    api_headers = {"Authorization": f"Bearer {token}"}
    # The console signs in through its form (its own cookie and CSRF value).
    page = client.get("/console/login")
    r = client.post(
        "/console/login",
        data={
            "email": "bench@a.example",
            "password": PASSWORD,
            "csrf_token": CSRF.search(page.text).group(1),
        },  # type: ignore[union-attr]
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    cpu_lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in cpu_lines if ln.startswith("model name")),
        platform.processor(),
    )
    print(
        f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {cpu}, load {os.getloadavg()[0]:.1f}, "
        f"{args.workers:,} workers, {db.get_engine(url).dialect.name}, "
        f"{args.repeats} requests a page"
    )
    print("| page | p50 ms | p95 ms | API route(s) p95 ms | page / API |")
    print("|---|---|---|---|---|")
    for path, peers in PAGES:
        ms = timed(client, path, args.repeats)
        api = [p95(timed(client, peer, args.repeats, headers=api_headers)) for peer in peers]
        ratio = f"{p95(ms) / sum(api):.2f}" if api else "—"
        print(
            f"| `{path}` | {statistics.median(ms):.1f} | {p95(ms):.1f} | "
            f"{' + '.join(f'{a:.1f}' for a in api) or '—'} | {ratio} |"
        )


if __name__ == "__main__":
    main()
