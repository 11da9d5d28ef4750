"""Every real instrument file in ../shared/data/rdml/ imported unmodified, with a plate
map built here (the files name samples the lab's way: 'pop1_RNase P', 'katG 315'), on
SQLite and PostgreSQL. The expected verdicts are worked out in the test from the Cq
values read with the standard library's ElementTree (not our lxml reader) and the kit
rule applied by hand; the standard curve is checked against the efficiency the
instrument itself wrote into the file."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.errors import InputError
from keepline.scope import EnterpriseScope
from keepline.screening import planning, positives
from keepline.screening.models import Measurement, Sample
from keepline.screening.schemas import RoundIn
from tests.conftest import SHARED_DATA, shared_data
from tests.screening.test_service import counts
from tests.tiny_world import DAY0, load_tiny

T = EnterpriseScope("tiny", "t")
LAB = EnterpriseScope("tiny", "lab")
TODAY = DAY0 + dt.timedelta(days=1)
NS = {"r": "http://www.rdml.org"}


@dataclass(frozen=True)
class Well:
    run: str
    react: int
    well: str
    sample: str
    sample_type: str
    target: str
    cq: float | None  # as written (None: no cq element)


def independent_wells(path: Path) -> list[Well]:
    """Every data element of the file, read with ElementTree; wells labelled from the
    react number on the run's 8 × 12 plate by hand (row = (n - 1) // 12)."""
    with zipfile.ZipFile(path) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".xml")]
        root = ET.fromstring(zf.read(name))
    types = {s.get("id"): s.findtext("r:type", "", NS) for s in root.findall("r:sample", NS)}
    out = []
    for run in root.iterfind("r:experiment/r:run", NS):
        for react in run.iterfind("r:react", NS):
            rid = react.get("id", "")
            n = int(rid) if rid.isdigit() else None
            well = f"{'ABCDEFGH'[(n - 1) // 12]}{(n - 1) % 12 + 1}" if n else rid
            sample = react.find("r:sample", NS).get("id")  # type: ignore[union-attr]
            for d in react.iterfind("r:data", NS):
                text = d.findtext("r:cq", None, NS)
                out.append(
                    Well(
                        run.get("id", ""),
                        n or 0,
                        well,
                        sample,
                        types[sample],
                        d.find("r:tar", NS).get("id"),  # type: ignore[union-attr]
                        float(text) if text is not None else None,
                    )
                )
    return out


@dataclass(frozen=True)
class Setup:
    """How a real file is imported: the kit, the plate map (built from the round's
    tube ids) and the verdicts and Cts expected, worked out from the independent read."""

    kit: dict[str, object]
    plate_map: Callable[[list[str]], str]
    expected: Callable[[list[Well], list[str]], dict[str, tuple[str, float | None]]]
    match: str


def _stepone_expected(wells: list[Well], tubes: list[str]) -> dict[str, tuple[str, float | None]]:
    # The StepOne writes an undetermined well as 40.0: no Cq. Kit: RNase P detected at
    # Ct ≤ 28.9 in at least 2 of the 3 replicate wells; the Ct kept is their mean. (The
    # cut-off sits inside pop1's spread, 28.84–28.97, so the two tubes differ.)
    out = {}
    for tube, name in zip(tubes, ("pop1_RNase P", "pop2_RNase P"), strict=False):
        cqs = [w.cq for w in wells if w.sample == name and w.cq is not None and w.cq != 40.0]
        hits = [c for c in cqs if c <= 28.9]
        assert len([w for w in wells if w.sample == name]) == 3
        out[tube] = ("positive", sum(hits) / len(hits)) if len(hits) >= 2 else ("negative", None)
    return out


def _biorad_expected(wells: list[Well], tubes: list[str]) -> dict[str, tuple[str, float | None]]:
    # The plate map puts one tube in each pair of 'katG 315' wells (A7/A8, D7/D8, H7/H8).
    # Kit: EvaGreen detected at Ct ≤ 38 in all of a tube's wells; the Cy5 channels unread.
    out = {}
    for tube, pair in zip(tubes, (("A7", "A8"), ("D7", "D8"), ("H7", "H8")), strict=True):
        cqs = [w.cq for w in wells if w.well in pair and w.target == "EvaGreen"]
        assert len(cqs) == 2
        hits = [c for c in cqs if c is not None and c <= 38]
        out[tube] = ("positive", sum(hits) / 2) if len(hits) == 2 else ("negative", None)
    return out


SETUPS: dict[str, Setup] = {
    "stepone_std.rdml": Setup(
        kit={
            "kit": "rnasep-triplicate",
            "targets": ["RNase P"],
            "internal_control": None,
            "positive_max_ct": 28.9,
            "replicates": "2-of-3",
        },
        plate_map=lambda tubes: (
            f"sample_name,sample_id\npop1_RNase P,{tubes[0]}\npop2_RNase P,{tubes[1]}\n"
        ),
        expected=_stepone_expected,
        match="name",
    ),
    "BioRad_qPCR_melt.rdml": Setup(
        kit={
            "kit": "evagreen-duplicate",
            "targets": ["EvaGreen"],
            "internal_control": None,
            "positive_max_ct": 38.0,
            "replicates": "all",
            "ignore_targets": ["Cy5", "Cy5-2", "Cy5-2_rr"],
            # A dye assay: late primer-dimer signal in the water wells is tolerated.
            "ntc_tolerated_above": 35.0,
        },
        plate_map=lambda tubes: (
            "孔位,样本编号\n"
            + "".join(
                f"{w},{t}\n"
                for t, pair in zip(tubes, (("A7", "A08"), ("D7", "D8"), ("h7", "H8")), strict=True)
                for w in pair
            )
        ),
        expected=_biorad_expected,
        match="well",
    ),
}


def _real_files() -> list[str]:
    folder = SHARED_DATA / "rdml"
    return sorted(p.name for p in folder.glob("*.rdml")) if folder.exists() else ["(absent)"]


@pytest.fixture
def lab_round(session: Session) -> Callable[[dict[str, object]], list[str]]:
    load_tiny(session)
    session.commit()

    def plan(kit: dict[str, object]) -> list[str]:
        rnd = planning.plan_round(
            session, T, RoundIn(day=DAY0, zones=["lab"], pool_size=1, assay=kit)
        ).round
        session.commit()
        return sorted(session.scalars(select(Sample.id).where(Sample.round_id == rnd.id)).all())

    return plan


@pytest.mark.parametrize("name", _real_files())
def test_every_real_file_imports_unmodified_and_agrees_with_an_independent_read(
    session: Session, lab_round, name: str
) -> None:
    path = shared_data("rdml") / name
    setup = SETUPS.get(name)
    assert setup is not None, f"{name}: a new real file needs its kit and plate map here"
    tubes = lab_round(setup.kit)
    wells = independent_wells(path)
    expected = setup.expected(wells, tubes)
    data = path.read_bytes()
    plate = ("plate.csv", setup.plate_map(tubes).encode())
    rep = positives.import_results(session, LAB, name, data, plate_map=plate, today=TODAY)
    session.commit()
    assert rep.linked_by == setup.match
    assert rep.samples == len(expected)
    assert rep.controls_checked == sum(1 for w in wells if w.sample_type != "unkn")
    assert all(c.ok for c in rep.controls)
    got = {s.id: s for s in session.scalars(select(Sample).where(Sample.id.in_(expected)))}
    assert {v for v, _ in expected.values()} == {"positive", "negative"}  # both kinds
    for tube, (verdict, ct) in expected.items():
        target = setup.kit["targets"][0]  # type: ignore[index]
        assert got[tube].verdict == verdict, tube
        assert got[tube].cts[target] == pytest.approx(ct), tube  # type: ignore[index]
    (audited,) = session.scalars(
        select(AuditEntry.after).where(AuditEntry.table_name == "screening_imports")
    ).all()
    assert audited["plate_map"] == "plate.csv" and audited["linked_by"] == setup.match
    if name == "stepone_std.rdml":
        _check_standard_curve(path, rep)
    # The same file and plate map again: nothing changes (idempotent).
    again = positives.import_results(session, LAB, name, data, plate_map=plate, today=TODAY)
    assert again.already_imported


def _check_standard_curve(path: Path, rep) -> None:
    """The StepOne file's standards, fitted by keepline, against the efficiency StepOne
    Software itself wrote into the target element (its own fit): 93.9 % both."""
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("rdml_data.xml"))
    written = float(root.findtext("r:target/r:amplificationEfficiency", "", NS)) / 100
    (std,) = [c for c in rep.controls if c.kind == "std"]
    assert std.ok and "15 standard wells" in std.place
    ours = float(std.note.split("efficiency ")[1].split("%")[0]) / 100
    assert ours == pytest.approx(written, abs=0.0005)
    ntc = [c for c in rep.controls if c.kind == "ntc"]
    assert len(ntc) == 3 and all(c.ok and c.ct is None for c in ntc)  # 40.0 = undetermined


def test_failed_controls_refuse_the_biorad_plate_naming_each_well(
    session: Session, lab_round
) -> None:
    path = shared_data("rdml") / "BioRad_qPCR_melt.rdml"
    setup = SETUPS["BioRad_qPCR_melt.rdml"]
    wells = independent_wells(path)
    before = counts(session)
    # A strict kit (any Cq in an NTC fails): the three water wells that amplified.
    strict = {k: v for k, v in setup.kit.items() if k != "ntc_tolerated_above"}
    tubes = lab_round(strict)
    dirty = [w for w in wells if w.sample_type == "ntc" and w.cq is not None]
    assert len(dirty) == 3
    plate = ("plate.csv", setup.plate_map(tubes).encode())
    with pytest.raises(InputError) as exc:
        positives.import_results(
            session, LAB, path.name, path.read_bytes(), plate_map=plate, today=TODAY
        )
    session.rollback()
    problems = exc.value.problems
    assert len(problems) == 3
    for w, line in zip(dirty, problems, strict=True):
        assert f"run '{w.run}' well {w.well} target '{w.target}'" in line
        assert f"plate invalid: ntc control EvaGreen: Ct {w.cq:g}" in line
        assert " line " not in line  # a one-line XML file: no line numbers
    # A kit whose positive control must reach Ct ≤ 37: by hand, the positive-control
    # wells with an EvaGreen Cq above 37 (Alm14 at 37.16).
    late = [
        w
        for w in wells
        if w.sample_type == "pos" and w.target == "EvaGreen" and (w.cq is None or w.cq > 37)
    ]
    assert [w.well for w in late] == ["A6"]
    tubes = lab_round({**setup.kit, "pos_max_ct": 37.0})
    plate = ("plate.csv", setup.plate_map(tubes).encode())
    with pytest.raises(InputError) as exc:
        positives.import_results(
            session, LAB, path.name, path.read_bytes(), plate_map=plate, today=TODAY
        )
    session.rollback()
    (line,) = exc.value.problems
    assert "well A6 target 'EvaGreen': plate invalid: pos control EvaGreen: Ct 37.1582" in line
    # Nothing written by either (the rounds planned here aside).
    after = counts(session)
    assert {k: after[k] - before[k] for k in ("screening_measurements", "screening_imports")} == {
        "screening_measurements": 0,
        "screening_imports": 0,
    }


def _lightcycler_rdml(rows: list[tuple[int, str, str, str, str | None]]) -> bytes:
    """An RDML file as a LightCycler 96 writes one: sample ids are UUIDs, the readable
    name is the sample's description, a well without amplification has Cq 100 or none.
    Written with ElementTree, not our writer. ``rows``: (well, uuid, description,
    target, cq text)."""
    r = "http://www.rdml.org"
    root = ET.Element(f"{{{r}}}rdml", version="1.2")
    ET.SubElement(ET.SubElement(root, f"{{{r}}}id"), f"{{{r}}}publisher").text = "Roche"
    for uid, desc in dict.fromkeys((u, d) for _, u, d, _, _ in rows):
        s = ET.SubElement(root, f"{{{r}}}sample", id=uid)
        ET.SubElement(s, f"{{{r}}}description").text = desc
        ET.SubElement(s, f"{{{r}}}type").text = "unkn"
    run = ET.SubElement(ET.SubElement(root, f"{{{r}}}experiment", id="e"), f"{{{r}}}run", id="r")
    ET.SubElement(run, f"{{{r}}}instrument").text = "LightCycler 96"
    fmt = ET.SubElement(run, f"{{{r}}}pcrFormat")
    for tag, text in (("rows", "8"), ("columns", "12"), ("rowLabel", "ABC")):
        ET.SubElement(fmt, f"{{{r}}}{tag}").text = text
    reacts: dict[int, ET.Element] = {}
    for well, uid, _, target, cq in rows:
        if well not in reacts:
            reacts[well] = ET.SubElement(run, f"{{{r}}}react", id=str(well))
            ET.SubElement(reacts[well], f"{{{r}}}sample", id=uid)
        d = ET.SubElement(reacts[well], f"{{{r}}}data")
        ET.SubElement(d, f"{{{r}}}tar", id=target)
        if cq is not None:
            ET.SubElement(d, f"{{{r}}}cq").text = cq
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("rdml_data.xml", ET.tostring(root))
    return buf.getvalue()


def test_a_lightcycler_file_links_by_description_and_reads_100_as_no_cq(
    session: Session, lab_round
) -> None:
    tubes = lab_round({})  # the default dual-target kit
    u = [str(uuid.UUID(int=i)) for i in (1, 2, 3)]
    rows = [
        # tube 1: both targets → positive; tube 2: Cq 100 and none → negative;
        # tube 3: N only → retest.
        (1, u[0], tubes[0], "ORF1ab", "31.2"),
        (1, u[0], tubes[0], "N", "33.9"),
        (1, u[0], tubes[0], "RNase P", "27.0"),
        (2, u[1], tubes[1], "ORF1ab", "100"),
        (2, u[1], tubes[1], "N", None),
        (2, u[1], tubes[1], "RNase P", "26.5"),
        (3, u[2], tubes[2], "ORF1ab", "100"),
        (3, u[2], tubes[2], "N", "36.0"),
        (3, u[2], tubes[2], "RNase P", "28.1"),
    ]
    rep = positives.import_results(session, LAB, "lc96.rdml", _lightcycler_rdml(rows), today=TODAY)
    session.commit()
    assert rep.linked_by == "description"
    got = {s.id: (s.verdict, s.cts) for s in session.scalars(select(Sample)) if s.verdict}
    assert got[tubes[0]] == ("positive", {"ORF1ab": 31.2, "N": 33.9, "IC": 27.0})
    assert got[tubes[1]] == ("negative", {"ORF1ab": None, "N": None, "IC": 26.5})
    assert got[tubes[2]] == ("retest", {"ORF1ab": None, "N": 36.0, "IC": 28.1})
    wells = session.scalars(select(Measurement.well).where(Measurement.sample_id == tubes[0]))
    assert all("well A1" in w for w in wells)
