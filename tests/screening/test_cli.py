"""The CLI end to end on the Xuzhou reference plant with a generated roster."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from keepline import clock
from keepline.plant.yamlio import load_yaml
from keepline.screening.files import plate_wells
from keepline.workforce import from_csv, planned_headcount
from tests.conftest import XUZHOU


def test_round_results_contacts_and_availability(cli, tmp_path: Path) -> None:
    assert cli(f"plant load {XUZHOU}").code == 0
    roster = tmp_path / "roster.csv"
    assert cli(f"people generate {XUZHOU} -o {roster}").code == 0
    r = cli(f"people import {roster} -e xuzhou-qpcr")
    assert r.code == 0, r
    r = cli("screening plan xuzhou-qpcr --day 2026-12-02 --zones calibration-lab --pool-size 10")
    assert r.code == 0, r
    assert "round 1" in r.out
    html, lst = tmp_path / "list.html", tmp_path / "list.csv"
    r = cli(f"screening list xuzhou-qpcr 1 --html {html} --csv {lst}")
    assert r.code == 0, r
    rows = list(csv.DictReader(io.StringIO(lst.read_text(encoding="utf-8"))))
    # calibration-lab: cal-day 56 + cal-night 30 people in pools of 10 → 6 + 3 = 9 tubes
    # (one collection point, walked team by team: 86 people → ceil(86/10) = 9).
    assert len(rows) == 86 and len({r["sample_id"] for r in rows}) == 9
    assert "<table>" in html.read_text(encoding="utf-8")

    # Tube 1 positive, the rest negative.
    tubes = sorted({r["sample_id"] for r in rows})
    lines = ["sample_id,target,ct"]
    for i, t in enumerate(tubes):
        orf, n = ("30.5", "32.1") if i == 0 else ("", "")
        lines += [f"{t},ORF1ab,{orf}", f"{t},N,{n}", f"{t},IC,27.9"]
    res = tmp_path / "plate.csv"
    res.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = cli(f"screening import xuzhou-qpcr {res}")
    assert r.code == 0, r
    assert "plate.csv" in r.out
    r = cli(f"screening import xuzhou-qpcr {res}")
    assert r.code == 0 and "already imported; nothing changed" in r.out

    # Bad input: one line naming the place, non-zero exit.
    bad = tmp_path / "bad.rdml"
    bad.write_bytes(b"<html><body>not a plate</body></html>")
    r = cli(f"screening import xuzhou-qpcr {bad}")
    assert r.code != 0
    assert r.err.strip().startswith("error: bad.rdml: not RDML")
    assert len(r.err.strip().splitlines()) == 1
    r = cli("screening plan xuzhou-qpcr --day 2026-12-02 --zones optics --pool-size 50")
    assert r.code != 0 and "national guidance" in r.err

    # The instrument's own export (a QuantStudio Results sheet naming samples the lab's
    # way), linked to tubes by the sampling list the lab filled the plate from.
    r = cli("screening plan xuzhou-qpcr --day 2026-12-02 --zones optics --pool-size 10")
    assert r.code == 0 and "round 2" in r.out, r
    lst2 = tmp_path / "list2.csv"
    assert cli(f"screening list xuzhou-qpcr 2 --csv {lst2}").code == 0
    tubes2 = list(dict.fromkeys(x["sample_id"] for x in csv.DictReader(lst2.open())))
    wb = Workbook()
    ws = wb.active
    ws.title = "Results"
    ws.append(["Instrument Type", "QuantStudio(TM) 5 System"])
    ws.append([])
    ws.append(["Well", "Well Position", "Sample Name", "Target Name", "Task", "CT"])
    for i, _ in enumerate(tubes2):
        for target, ct in (("ORF1ab", "Undetermined"), ("N", "Undetermined"), ("RNase P", 28)):
            ws.append([i + 1, plate_wells()[i], f"lab-{i}", target, "UNKNOWN", ct])
    qs = tmp_path / "qs.xlsx"
    wb.save(qs)
    r = cli(f"screening import xuzhou-qpcr {qs} --plate-map {lst2}")
    assert r.code == 0, r
    assert "wells linked to tubes by well" in r.out
    r = cli("screening results xuzhou-qpcr 2 --json")
    assert {x["verdict"] for x in json.loads(r.out)} == {"negative"}

    # The 10 members of the positive tube are isolated from today: availability over
    # the next days loses 10 calibrators (the first tube holds cal-day people).
    out = tmp_path / "wf.csv"
    today = clock.today()
    start, end = today + dt.timedelta(days=1), today + dt.timedelta(days=3)
    r = cli(f"availability xuzhou-qpcr --from {start} --to {end} --csv {out}")
    assert r.code == 0, r
    plant = load_yaml(XUZHOU).model_copy(update={"horizon_start": start})
    wf = from_csv(out, plant, 3)
    base = planned_headcount(plant)
    z, s, k = wf.index("calibration-lab", "day", "calibrator")
    assert wf.available[:, z, s, k].tolist() == [base[z, s, k] - 10] * 3
    others = np.ones(base.shape, dtype=bool)
    others[z, s, k] = False
    assert np.array_equal(wf.available[:, others], np.broadcast_to(base[others], (3, others.sum())))
