"""Compare two exposure dumps (bench/exposure_dump.py) node by node: TTS, TTR and the
flag exactly; PI and units short to 1e-6 relative.

    .venv/bin/python bench/exposure_diff.py BEFORE.json AFTER.json
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path


def main() -> None:
    a, b = (json.loads(Path(p).read_text()) for p in sys.argv[1:3])
    bad = 0
    nodes = 0
    for case in a:
        if case not in b:
            print(f"{case}: missing in {sys.argv[2]}")
            bad += 1
            continue
        na, nb = a[case]["nodes"], b[case]["nodes"]
        if [(n["kind"], n["id"]) for n in na] != [(n["kind"], n["id"]) for n in nb]:
            print(f"{case}: different nodes")
            bad += 1
            continue
        for x, y in zip(na, nb, strict=True):
            nodes += 1
            same = all(x[k] == y[k] for k in ("tts_days", "ttr_days", "flagged"))
            close = all(
                math.isclose(x[k], y[k], rel_tol=1e-6, abs_tol=1e-6)
                for k in ("pi", "risk_exposure_index")
            ) and all(
                math.isclose(x["units_short"][c], y["units_short"][c], rel_tol=1e-6, abs_tol=1e-6)
                for c in x["units_short"]
            )
            if not (same and close):
                bad += 1
                print(f"{case} {x['kind']} {x['id']}: {x} != {y}")
    print(f"{len(a)} cases, {nodes} nodes compared, {bad} differences")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
