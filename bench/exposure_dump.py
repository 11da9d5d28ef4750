"""Dump TTS/TTR/PI/flags of every node of every Willems chain (and the two reference
plants) to JSON, to compare two versions of the exposure code node by node.

    PYTHONPATH=src .venv/bin/python bench/exposure_dump.py OUT.json [--chains 1-38]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from keepline.continuity.exposure import exposure_input
from keepline.continuity.model import build_input
from keepline.continuity.willems import chain_path, convert
from keepline.plant.yamlio import load_yaml

ROOT = Path(__file__).resolve().parents[1]
WILLEMS = ROOT.parent / "shared" / "data" / "willems"


def cases(chains: list[int]):
    for name in ("xuzhou-qpcr", "zhengzhou-meters"):
        yield name, build_input(load_yaml(ROOT / "examples" / f"{name}.yaml"), horizon=90)
    for number in chains:
        chain = convert(chain_path(WILLEMS, number), horizon_days=56)
        yield f"willems-{number}", build_input(chain.plant, horizon=8, outbound=chain.outbound)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--chains", default="1-38")
    a = ap.parse_args()
    lo, _, hi = a.chains.partition("-")
    chains = list(range(int(lo), int(hi or lo) + 1))
    out = {}
    for name, inp in cases(chains):
        t = time.perf_counter()
        run = exposure_input(inp)
        secs = time.perf_counter() - t
        nodes = sorted((n.to_dict() for n in run.nodes), key=lambda d: (d["kind"], d["id"]))
        out[name] = {"seconds": secs, "solves": run.solves, "nodes": nodes}
        print(f"{name}: {len(nodes)} nodes {secs:.1f} s {run.solves} solves", flush=True)
    Path(a.out).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
