"""A process killed (SIGKILL) in the middle of a bulk import leaves the database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from keepline.audit.models import AuditEntry
from keepline.db import reset_engines, session_scope
from keepline.people import service as people
from keepline.people.generate import roster_rows
from keepline.people.models import Worker
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.tabular import write_csv
from tests.worlds import XUZHOU

COPIES = 15  # 15 × 1,204 = 18,060 workers, written in 19 chunks of 1,000


def _counts(url: str) -> tuple[int, int]:
    with session_scope(url) as s:
        workers = s.scalar(select(func.count()).select_from(Worker))
        audited = s.scalar(select(func.count()).where(AuditEntry.table_name == "workers"))
    return workers or 0, audited or 0


def test_sigkill_mid_import_writes_nothing(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        plant_service.load_plant(s, load_yaml(XUZHOU), actor="test")
    base = roster_rows(load_yaml(XUZHOU), seed=3)
    rows = [r | {"employee_no": f"K{k:02d}{r['employee_no']}"} for k in range(COPIES) for r in base]
    big = tmp_path / "big-roster.csv"
    big.write_text(write_csv(people.COLUMNS, rows), encoding="utf-8")
    assert _counts(db_url) == (0, 0)

    keepline = Path(sys.executable).parent / "keepline"
    env = os.environ | {"KEEPLINE_DATABASE_URL": db_url, "KEEPLINE_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [str(keepline), "people", "import", str(big), "--enterprise", "xuzhou-qpcr"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line.strip())
        if line.startswith("written 3000/"):  # three chunks are in the transaction
            proc.send_signal(signal.SIGKILL)
            break
    rc = proc.wait(timeout=60)
    assert rc == -signal.SIGKILL, f"the import was not killed mid-way: {seen[-3:]}"
    assert seen[-1] == f"written 3000/{len(rows)}"

    reset_engines()
    assert _counts(db_url) == (0, 0)
    # The database is whole: an import, uninterrupted, then writes everything.
    small = tmp_path / "small-roster.csv"
    small.write_text(write_csv(people.COLUMNS, rows[:300]), encoding="utf-8")
    ok = subprocess.run(
        [str(keepline), "people", "import", str(small), "--enterprise", "xuzhou-qpcr"],
        capture_output=True,
        env=env,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr[-500:]
    assert _counts(db_url) == (300, 300)
