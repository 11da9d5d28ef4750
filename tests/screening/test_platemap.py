"""Plate maps, linking wells to tubes, replicate rules and control checks: pure parts,
worked by hand."""

from __future__ import annotations

import io
import math

import pytest
from openpyxl import Workbook

from keepline.errors import InputError
from keepline.screening.assay import (
    AssayRule,
    ControlKind,
    ControlWell,
    Verdict,
    check_controls,
    combine_replicates,
    interpret,
    standard_curve,
)
from keepline.screening.files import Reading, plate_wells, read_plate_map
from keepline.screening.platemap import MatchBy, link_wells
from keepline.screening.rdml import read_rdml, write_rdml


def reading(well: str, sample: str = "", name: str = "", target: str = "N") -> Reading:
    return Reading(f"f.rdml, well {well}", sample, target, 30.0, well, name, "unkn")


def test_plate_map_csv_in_chinese_and_english_and_xlsx() -> None:
    zh = read_plate_map("map.csv", "孔位,样本编号\nA01,R1-S00001\nb2,R1-S00002\n".encode())
    assert [(e.well, e.sample_id) for e in zh.entries] == [("A1", "R1-S00001"), ("B2", "R1-S00002")]
    wb = Workbook()
    ws = wb.active
    for row in (["Well Position", "Tube", "Sample Name"], ["C3", "R1-S00003", "lab-7"]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    en = read_plate_map("map.xlsx", buf.getvalue())
    assert en.has_names and [(e.well, e.sample_id, e.sample_name) for e in en.entries] == [
        ("C3", "R1-S00003", "lab-7")
    ]


def test_the_sampling_list_fills_the_plate_in_list_order() -> None:
    # keepline's sampling list: one row per member, tubes in order, no well column.
    text = (
        "collection_point,sample_id,kind,position,employee_no,name,team,shift\n"
        "asm,R1-P00001,pool,1,A1,张三,a,day\n"
        "asm,R1-P00001,pool,2,A2,李四,a,day\n"
        "asm,R1-P00002,pool,1,B1,王五,b,day\n"
    )
    pm = read_plate_map("list.csv", text.encode())
    assert [(e.well, e.sample_id) for e in pm.entries] == [("A1", "R1-P00001"), ("A2", "R1-P00002")]
    assert not pm.has_names  # the workers' 'name' column is not a sample name
    assert plate_wells()[11:13] == ["A12", "B1"]  # row by row


def test_bad_plate_maps_name_every_row() -> None:
    with pytest.raises(InputError) as exc:
        read_plate_map("m.csv", b"well,sample_id\nA1,T1\na01,T2\n,T3\n")
    assert exc.value.problems == [
        "m.csv row 3, field well: A1 twice (first at row 2)",
        "m.csv row 4, field well: empty",
    ]
    with pytest.raises(InputError, match="missing column 'sample_id'"):
        read_plate_map("m.csv", b"well,who\nA1,T1\n")


def test_linking_is_detected_in_order_and_stated_ways_are_kept() -> None:
    pm = read_plate_map("m.csv", b"well,sample_id,sample_name\nA1,T1,lab-1\nA2,T2,lab-2\n")
    rs = [reading("A1", "lab-1"), reading("A2", "lab-2")]
    by, linked = link_wells("f.rdml", rs, pm, {"T1", "T2"})
    assert by is MatchBy.name and [t for _, t in linked] == ["T1", "T2"]
    # Names the map does not know, wells it does: by well.
    rs = [reading("A1", "x"), reading("A2", "y")]
    assert link_wells("f.rdml", rs, pm, {"T1", "T2"})[0] is MatchBy.well
    # No plate map: the sample id, then the description (a LightCycler's UUIDs).
    rs = [reading("A1", "uuid-1", name="T1")]
    assert link_wells("f.rdml", rs, None, {"T1"})[0] is MatchBy.description
    with pytest.raises(InputError, match=r"well A1: unknown sample .uuid-1."):
        link_wells("f.rdml", rs, None, {"T1"}, MatchBy.sample_id)


def test_no_way_fits_lists_the_unlinked_wells_of_each_way_up_to_the_limit() -> None:
    pm = read_plate_map("m.csv", b"well,sample_id,sample_name\nA1,T1,lab-1\n")
    rs = [reading(w, f"s{i}") for i, w in enumerate(plate_wells()[:25])]
    with pytest.raises(InputError) as exc:
        link_wells("f.rdml", rs, pm, {"T1"})
    first, by_name, by_well = exc.value.problems
    assert first == "f.rdml: no way of linking wells to tubes fits every sample well"
    assert by_name.startswith("f.rdml: by name, 25 wells unlinked: A1 's0', A2 's1'")
    assert by_name.endswith("and 5 more")
    assert by_well.startswith("f.rdml: by well, 24 wells unlinked: A2, A3")
    assert by_well.endswith("B8, B9 and 4 more")  # 20 named, then counted


def test_a_plate_map_naming_a_stranger_tube_is_refused() -> None:
    pm = read_plate_map("m.csv", b"well,sample_id\nA1,T1\nA2,OTHER-9\n")
    with pytest.raises(InputError, match=r"m.csv row 3, field sample_id: unknown tube 'OTHER-9'"):
        link_wells("f.rdml", [reading("A1")], pm, {"T1"})


# Replicates, by hand.
KIT = AssayRule(positive_max_ct=38.0)


@pytest.mark.parametrize(
    ("rule", "cts", "expected"),
    [
        ("any", [37.0, None, None], 37.0),
        ("any", [39.0, None], None),  # 39 > 38: not detected
        ("all", [30.0, 32.0], 31.0),  # mean of the two
        ("all", [30.0, None], None),
        ("majority", [30.0, 34.0, None], 32.0),  # 2 of 3
        ("majority", [30.0, None, None], None),
        ("majority", [30.0, 31.0, None, None], None),  # 2 of 4 is no majority
        ("2-of-3", [36.0, 38.0, 40.5], 37.0),  # 40.5 beyond the cut-off
        ("2-of-3", [36.0, 40.5, None], None),
    ],
)
def test_replicate_rules(rule: str, cts: list[float | None], expected: float | None) -> None:
    kit = AssayRule(positive_max_ct=38.0, replicates=rule)
    assert combine_replicates(kit, "N", cts, "x") == expected


def test_replicate_rule_errors() -> None:
    with pytest.raises(InputError, match="reads one well per target"):
        combine_replicates(KIT, "N", [30.0, 31.0], "x")
    with pytest.raises(InputError, match="2 wells for target N; kit 'default' reads 2-of-3"):
        combine_replicates(AssayRule(replicates="2-of-3"), "N", [30.0, 31.0], "x")
    with pytest.raises(InputError, match="replicates '3-of-2'"):
        AssayRule(replicates="3-of-2")


def test_per_target_cutoffs_and_any_target_rules() -> None:
    # A leaflet's rule: ORF1ab ≤ 37 and N ≤ 40 both → positive.
    kit = AssayRule(target_max_ct={"ORF1ab": 37.0})
    assert interpret(kit, {"ORF1ab": 37.5, "N": 35.0, "IC": 30.0}).verdict is Verdict.retest
    assert interpret(kit, {"ORF1ab": 36.9, "N": 39.9, "IC": 30.0}).verdict is Verdict.positive
    anyk = AssayRule(positive_when="any")
    assert interpret(anyk, {"ORF1ab": None, "N": 35.0, "IC": 30.0}).verdict is Verdict.positive
    no_ic = AssayRule(targets=("E",), internal_control="")
    assert interpret(no_ic, {"E": None}).verdict is Verdict.negative


def test_controls_by_the_kit() -> None:
    wells = [
        ControlWell(ControlKind.ntc, "w H12", "N", None),
        ControlWell(ControlKind.ntc, "w H11", "N", 38.2),
        ControlWell(ControlKind.ntc, "w H10", "IC", 30.0),  # no template: IC not judged
        ControlWell(ControlKind.pos, "w G12", "N", 25.0),
        ControlWell(ControlKind.pos, "w G11", "ORF1ab", None),
    ]
    checks = check_controls(AssayRule(), wells)
    assert [(c.place, c.ok) for c in checks] == [
        ("w H12", True),
        ("w H11", False),  # any Cq in an NTC
        ("w G12", True),
        ("w G11", False),
    ]
    tolerant = check_controls(AssayRule(ntc_tolerated_above=37.0), wells[:2])
    assert [c.ok for c in tolerant] == [True, True]


def test_standard_curve_against_a_perfect_doubling() -> None:
    # Ct = 40 - log2(q): slope -1/log10(2) = -3.3219 per decade, efficiency 100 %.
    points = [(q, 40 - math.log2(q)) for q in (10, 100, 1000, 10000)]
    c = standard_curve(points)
    assert c.slope == pytest.approx(-3.321928, abs=1e-6)
    assert c.efficiency == pytest.approx(1.0) and c.r2 == pytest.approx(1.0)
    wells = [ControlWell(ControlKind.std, "w", "N", ct, q) for q, ct in points]
    (check,) = check_controls(AssayRule(), wells)
    assert check.ok and "efficiency 100.0%" in check.note
    # Three cycles per decade is an efficiency of 10^(1/3) - 1 = 115 %: refused.
    steep = [ControlWell(ControlKind.std, "w", "N", 40 - 3 * k, 10.0**k) for k in (1, 2, 3)]
    (bad,) = check_controls(AssayRule(), steep)
    assert not bad.ok and "efficiency 115.4%" in bad.note


def test_one_line_xml_errors_name_run_well_and_target() -> None:
    one_line = write_rdml([("1", "S1", "N", 30.0), ("2", "S2", "ORF1ab", 31.0)], zipped=False)
    one_line = b"".join(x.strip() for x in one_line.splitlines())
    assert one_line.count(b"\n") == 0
    bad_cq = one_line.replace(b"31.0", b"thirty-one")
    with pytest.raises(InputError) as exc:
        read_rdml("p.rdml", bad_cq)
    assert str(exc.value) == (
        "p.rdml, run 'run-1' well A2 target 'ORF1ab': cq is not a number: 'thirty-one'"
    )
    broken = one_line.replace(b"<cq>31.0</cq>", b"<cq>31.0</c>")
    with pytest.raises(InputError) as exc:
        read_rdml("p.rdml", broken)
    msg = str(exc.value)
    assert msg.startswith("p.rdml (column ") and "run 'run-1', well 2, target 'ORF1ab'" in msg
    assert "line" not in msg.split(":")[0]
