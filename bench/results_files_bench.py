"""Reading a results file: keepline's template (CSV, 30,000 rows: 10,000 tubes × 3
targets) by the importer before issue 20 (main's ``files.read_readings``, loaded from
git) and now (``files.read_lab_file``, which first looks for an instrument's header),
and a Bio-Rad CFX 'Quantification Cq Results' CSV of the same size, now only.

    .venv/bin/python bench/results_files_bench.py [--tubes 10000] [--repeats 5] [--base main]

Parsing only: no database. Prints medians and the ratio now / before.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from keepline.screening.files import plate_wells, read_lab_file


def old_reader(base: str):
    src = subprocess.run(
        ["git", "show", f"{base}:src/keepline/screening/files.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "files_before.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("files_before", path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["files_before"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod.read_readings


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tubes", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--base", default="main")
    a = ap.parse_args()
    template = "sample_id,target,ct\n" + "".join(
        f"R1-S{i:05d},{t},{'' if t != 'IC' else '27.5'}\n"
        for i in range(a.tubes)
        for t in ("ORF1ab", "N", "IC")
    )
    wells = plate_wells(16, 24)
    cfx = ",Well,Fluor,Target,Content,Sample,Cq,Starting Quantity (SQ)\n" + "".join(
        f",{wells[i % len(wells)]},{f},,Unkn,T{i},{'NaN' if f != 'Cy5' else '27.5'},NaN\n"
        for i in range(a.tubes)
        for f in ("FAM", "VIC", "Cy5")
    )
    before = old_reader(a.base)
    data_t, data_c = template.encode(), cfx.encode()
    assert len(before("t.csv", data_t)[1]) == len(read_lab_file("t.csv", data_t).readings)
    old = median_ms(lambda: before("t.csv", data_t), a.repeats)
    new = median_ms(lambda: read_lab_file("t.csv", data_t), a.repeats)
    vendor = median_ms(lambda: read_lab_file("cfx.csv", data_c), a.repeats)
    rows = 3 * a.tubes
    print(
        f"template CSV, {rows:,} rows: before {old:,.0f} ms, now {new:,.0f} ms, "
        f"ratio {new / old:.2f}"
    )
    print(
        f"Bio-Rad CFX CSV, {rows:,} rows: now {vendor:,.0f} ms ({vendor / old:.2f}× the "
        "template before)"
    )


if __name__ == "__main__":
    sys.exit(main())
