"""Rounds, sampling lists, coverage and results import on the database (SQLite and,
when configured, PostgreSQL), on the tiny plant of ``helpers``."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.containment.models import Case, Restriction
from keepline.errors import InputError
from keepline.scope import EnterpriseScope
from keepline.screening import coverage, planning, positives, render, rounds, sampling
from keepline.screening.models import Measurement, ResultsImport, Round, Sample, SampleMember
from keepline.screening.rdml import write_rdml
from keepline.screening.samples import members_of, record_collection
from keepline.screening.schemas import CollectionIn, PoolIn, RoundIn
from tests.conftest import shared_data
from tests.tiny_world import DAY0, load_tiny

TODAY = DAY0 + dt.timedelta(days=1)
# Who acts: "t" plans and collects, "lab" imports the results.
T = EnterpriseScope("tiny", "t")
LAB = EnterpriseScope("tiny", "lab")


def counts(session: Session) -> dict[str, int]:
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
        for m in (
            Round,
            Sample,
            SampleMember,
            Measurement,
            ResultsImport,
            Restriction,
            Case,
            AuditEntry,
        )
    }


def csv_bytes(rows: list[tuple[str, str, str]]) -> bytes:
    return ("sample_id,target,ct\n" + "".join(f"{s},{t},{c}\n" for s, t, c in rows)).encode()


def pool_result(sample: str, orf: str, n: str, ic: str = "28.0") -> list[tuple[str, str, str]]:
    return [(sample, "ORF1ab", orf), (sample, "N", n), (sample, "IC", ic)]


@pytest.fixture
def tiny(session: Session) -> str:
    eid = load_tiny(session)
    session.commit()
    return eid


def members(session: Session, sample_id: str) -> list[str]:
    return [m.employee_no for m in members_of(session, T, sample_id)]


def test_round_forms_pools_by_team(session: Session, tiny: str) -> None:
    rnd = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"], pool_size=5)).round
    session.commit()
    samples = rounds.sample_results(session, T, rnd.id)
    # 15 people in asm (teams asm-a 6, asm-b 5, asm-n 4), walked team by team in 5s.
    assert [s.id for s in samples] == [f"R{rnd.id}-P0000{i}" for i in (1, 2, 3)]
    assert members(session, samples[0].id) == ["A1", "A2", "A3", "A4", "A5"]
    assert members(session, samples[1].id) == ["A6", "B1", "B2", "B3", "B4"]
    assert members(session, samples[2].id) == ["B5", "N1", "N2", "N3", "N4"]
    assert {s.collection_point for s in samples} == {"asm"}


def test_pool_sizes_and_given_pools_are_checked_nothing_written(
    session: Session, tiny: str
) -> None:
    before = counts(session)
    with pytest.raises(InputError, match="pool size 50 refused: national guidance"):
        planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"], pool_size=50))
    with pytest.raises(InputError, match=r"member A2: overlapping pool memberships"):
        planning.plan_round(
            session,
            T,
            RoundIn(
                day=DAY0,
                zones=["asm"],
                pool_size=5,
                pools=[
                    PoolIn(pool_id="LAB-1", members=["A1", "A2"]),
                    PoolIn(pool_id="LAB-2", members=["A2", "A3"]),
                ],
            ),
        )
    with pytest.raises(InputError, match="unknown zone 'paint'"):
        planning.plan_round(session, T, RoundIn(day=DAY0, zones=["paint"]))
    session.rollback()
    assert counts(session) == before


def test_pool_positive_isolates_and_retests_negative_clears(session: Session, tiny: str) -> None:
    rnd = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"], pool_size=5)).round
    session.commit()
    p1, p2, p3 = (f"R{rnd.id}-P0000{i}" for i in (1, 2, 3))
    data = csv_bytes(
        pool_result(p1, "31.2", "33.0") + pool_result(p2, "", "") + pool_result(p3, "41.5", "")
    )
    rep = positives.import_results(session, LAB, "plate1.csv", data, today=TODAY)
    session.commit()
    assert rep.verdicts == {"positive": 1, "negative": 2}
    assert (rep.isolated, rep.retests, rep.cleared) == (5, 5, 10)
    iso = session.scalars(select(Restriction).order_by(Restriction.employee_no)).all()
    assert [r.employee_no for r in iso] == ["A1", "A2", "A3", "A4", "A5"]
    assert {(r.kind, r.reason, r.start_day, r.end_day) for r in iso} == {
        ("isolation", "pool-positive", TODAY, None)
    }
    retests = [s for s in rounds.sample_results(session, T, rnd.id) if s.kind == "retest"]
    assert [(s.parent_id, members(session, s.id)) for s in retests] == [
        (p1, [no]) for no in ("A1", "A2", "A3", "A4", "A5")
    ]
    s1 = session.get(Sample, ("tiny", p1))
    assert s1.cts == {"ORF1ab": 31.2, "N": 33.0, "IC": 28.0}  # the Ct values are kept

    # The same file again changes nothing.
    before = counts(session)
    again = positives.import_results(session, LAB, "plate1.csv", data, today=TODAY)
    session.commit()
    assert again.already_imported and counts(session) == before

    # Retests: A1 positive → a case; A2..A5 negative → their isolation ends.
    rows = pool_result(retests[0].id, "24.0", "25.5")
    for s in retests[1:]:
        rows += pool_result(s.id, "", "")
    later = TODAY + dt.timedelta(days=1)
    rep2 = positives.import_results(session, LAB, "retests.csv", csv_bytes(rows), today=later)
    session.commit()
    assert rep2.verdicts == {"positive": 1, "negative": 4} and rep2.cases == 1
    case = session.scalars(select(Case)).one()
    # Retest taken (not marked collected) → sample day = result day; window from 2 days before.
    assert (case.employee_no, case.confirmed_on) == ("A1", later)
    assert case.infectious_from == later - dt.timedelta(days=2)
    ended = {r.employee_no: r.end_day for r in session.scalars(select(Restriction))}
    assert ended["A2"] == ended["A5"] == later
    # A1's pool isolation is superseded by the case isolation, open until 2 negatives.
    a1 = session.scalars(
        select(Restriction).where(Restriction.employee_no == "A1").order_by(Restriction.id)
    ).all()
    assert [(r.reason, r.end_day, r.end_rule) for r in a1] == [
        ("pool-positive", later, "negative-tests:1"),
        ("case", None, "negative-tests:2"),
    ]


def test_retest_and_resample_verdicts_create_new_tubes(session: Session, tiny: str) -> None:
    rnd = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["lab"], pool_size=1)).round
    session.commit()
    s1, s2, s3 = (f"R{rnd.id}-S0000{i}" for i in (1, 2, 3))
    data = csv_bytes(
        pool_result(s1, "35", "")  # one target only → retest
        + pool_result(s2, "", "", ic="")  # IC failed → resample
        + pool_result(s3, "", "")
    )
    rep = positives.import_results(session, LAB, "p.csv", data, today=TODAY)
    session.commit()
    assert rep.verdicts == {"retest": 1, "resample": 1, "negative": 1}
    new = {s.kind: s for s in rounds.sample_results(session, T, rnd.id) if s.parent_id}
    assert new["retest"].parent_id == s1 and members(session, new["retest"].id) == ["L1"]
    assert new["resample"].parent_id == s2 and members(session, new["resample"].id) == ["L2"]
    assert session.scalar(select(func.count()).select_from(Restriction)) == 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("R1-P00001", "ORF1ab", "30"), ("NOPE-1", "N", "30")],
            "p.csv row 3: unknown sample 'NOPE-1'",
        ),
        ([("R1-P00001", "E gene", "30")], "p.csv row 2: target 'E gene' unknown to kit 'default'"),
        ([("R1-P00001", "N", "51.2")], r"p.csv row 2: Ct 51.2 out of range \(0, 45\]"),
        ([("R1-P00001", "N", "abc")], "p.csv row 2, field ct: not a number"),
        (
            [("R1-P00001", "N", "30"), ("R1-P00001", "n gene", "31")],
            r"p.csv row 3: duplicated result for sample 'R1-P00001' target N "
            r"\(first at p.csv row 2\)",
        ),
        ([("R1-P00001", "N", "30"), ("R1-P00001", "IC", "30")], "no result for target.*ORF1ab"),
    ],
)
def test_bad_results_are_refused_naming_the_row(
    session: Session, tiny: str, rows, message: str
) -> None:
    rnd = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["asm"], pool_size=5)).round
    session.commit()
    assert rnd.id == 1
    before = counts(session)
    with pytest.raises(InputError, match=message):
        positives.import_results(session, LAB, "p.csv", csv_bytes(rows), today=TODAY)
    session.rollback()
    assert counts(session) == before


def test_rdml_import_and_conflicting_second_file(session: Session, tiny: str) -> None:
    rnd = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["lab"], pool_size=1)).round
    session.commit()
    ids = [f"R{rnd.id}-S0000{i}" for i in (1, 2, 3)]
    rows = []
    for w, sid in enumerate(ids, start=1):
        rows += [
            (str(w), sid, "ORF1ab", None),
            (str(w), sid, "N", None),
            (str(w), sid, "RNase P", 27.5),
        ]
    rows += [("10", "NTC", "N", None)]  # a plate control, declared ntc below
    data = write_rdml(rows).replace(b"", b"")
    data = write_rdml(rows, zipped=False).replace(
        b'<sample id="NTC">\n    <type>unkn</type>', b'<sample id="NTC">\n    <type>ntc</type>'
    )
    rep = positives.import_results(session, LAB, "plate.rdml", data, today=TODAY)
    session.commit()
    assert rep.format == "rdml" and rep.verdicts == {"negative": 3} and rep.controls_checked == 1
    m = session.scalars(select(Measurement).where(Measurement.target == "IC")).all()
    assert len(m) == 3 and {x.ct for x in m} == {27.5}
    assert all("well A" in x.well for x in m)
    # Another file that disagrees about a resulted sample is refused, naming it.
    other = csv_bytes(pool_result(ids[0], "30", "30"))
    with pytest.raises(InputError, match=f"sample '{ids[0]}' already has a result"):
        positives.import_results(session, LAB, "other.csv", other, today=TODAY)


def test_real_instrument_file_names_the_unknown_sample(session: Session, tiny: str) -> None:
    path = shared_data("rdml") / "BioRad_qPCR_melt.rdml"
    before = counts(session)
    with pytest.raises(
        InputError,
        match=r"BioRad_qPCR_melt.rdml, run 'Amp Step 3_FAM' well A7 target 'EvaGreen': "
        r"unknown sample 'katG 315'",
    ):
        positives.import_results(session, LAB, path.name, path.read_bytes(), today=TODAY)
    session.rollback()
    assert counts(session) == before


def test_sampling_list_and_coverage(session: Session, tiny: str) -> None:
    rnd = planning.plan_round(
        session, T, RoundIn(day=DAY0, zones=["asm", "lab"], shifts=["day"], pool_size=5)
    ).round
    session.commit()
    rows = sampling.sampling_list(session, T, rnd.id)
    # asm/day: 11 people → 3 pools (5, 5, 1); lab/day: 3 people → 1 pool.
    assert len(rows) == 14
    assert sorted({(r.collection_point, r.sample_id) for r in rows}) == [
        ("asm", f"R{rnd.id}-P00001"),
        ("asm", f"R{rnd.id}-P00002"),
        ("asm", f"R{rnd.id}-P00003"),
        ("lab", f"R{rnd.id}-P00004"),
    ]
    csv_text = render.sampling_list_csv(sampling.sampling_list(session, T, rnd.id, "lab"))
    assert csv_text.splitlines()[0] == ",".join(render.LIST_COLUMNS)
    assert len(csv_text.splitlines()) == 4
    html = render.sampling_list_html(rnd, "Tiny plant", rows)
    assert html.count("<h2>") == 2 and "Worker A1" in html and "R1-P00004" in html

    # Collect pool 1 with A3 absent and pool 4 whole; pools 2 and 3 never come.
    record_collection(session, T, f"R{rnd.id}-P00001", CollectionIn(absent=["A3"]))
    record_collection(session, T, f"R{rnd.id}-P00004", CollectionIn())
    session.commit()
    cov = {(c.zone, c.shift): c for c in coverage.coverage(session, T, rnd.id)}
    asm, lab = cov[("asm", "day")], cov[("lab", "day")]
    assert (asm.expected, asm.sampled, asm.resulted, asm.missed) == (11, 4, 0, 7)
    assert [w["employee_no"] for w in asm.missed_workers] == [
        "A3",
        "A6",
        "B1",
        "B2",
        "B3",
        "B4",
        "B5",
    ]
    assert (lab.expected, lab.sampled, lab.missed) == (3, 3, 0)
    # Results for pool 4 → resulted.
    positives.import_results(
        session,
        LAB,
        "r.csv",
        csv_bytes(pool_result(f"R{rnd.id}-P00004", "", "")),
        today=TODAY,
    )
    session.commit()
    lab = {(c.zone, c.shift): c for c in coverage.coverage(session, T, rnd.id)}[("lab", "day")]
    assert lab.resulted == 3


def test_excel_results_import(session: Session, tiny: str, tmp_path) -> None:
    rnd = planning.plan_round(session, T, RoundIn(day=DAY0, zones=["lab"], pool_size=1)).round
    session.commit()
    wb = Workbook()
    ws = wb.active
    ws.append(["Specimen", "Target", "Ct"])
    for i in (1, 2, 3):
        sid = f"R{rnd.id}-S0000{i}"
        ws.append([sid, "ORF1ab", None])
        ws.append([sid, "N", 36.0 if i == 2 else None])
        ws.append([sid, "IC", 27.25])
    path = tmp_path / "plate.xlsx"
    wb.save(path)
    # Header "Specimen" is no name of 'sample_id': the import names the missing column.
    with pytest.raises(InputError, match="missing column 'sample_id'"):
        positives.import_results(session, LAB, "plate.xlsx", path.read_bytes(), today=TODAY)
    ws["A1"] = "Sample ID"  # as a lab's export heads it: the same column as sample_id
    wb.save(path)
    rep = positives.import_results(session, LAB, "plate.xlsx", path.read_bytes(), today=TODAY)
    assert rep.format == "table" and rep.verdicts == {"negative": 2, "retest": 1}
