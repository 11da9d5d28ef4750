"""The RDML reader, on files real instruments wrote and on small files we write."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from keepline.errors import InputError
from keepline.screening.rdml import NS, read_rdml, write_rdml
from tests.conftest import shared_data


def _xml(path) -> bytes:
    zf = zipfile.ZipFile(path)
    (name,) = zf.namelist()
    return zf.read(name)


@pytest.mark.parametrize("name", ["BioRad_qPCR_melt.rdml", "stepone_std.rdml"])
def test_real_files_cq_match_an_independent_xpath_count(name: str) -> None:
    path = shared_data("rdml") / name
    doc = read_rdml(name, path.read_bytes())
    # Independent: XPath over the raw XML, no code of ours.
    root = etree.fromstring(_xml(path))
    ns = {"r": NS}
    datas = root.xpath("//r:experiment/r:run/r:react/r:data", namespaces=ns)
    cq_texts = root.xpath("//r:experiment/r:run/r:react/r:data/r:cq/text()", namespaces=ns)
    assert len(doc.reactions) == len(datas)
    with_cq = [float(t) for t in cq_texts if float(t) >= 0]
    assert len(doc.with_cq()) == len(with_cq)
    assert sorted(r.cq for r in doc.with_cq()) == sorted(with_cq)
    assert sum(r.cq for r in doc.with_cq()) == pytest.approx(sum(with_cq))


def test_biorad_cfx_file_as_its_readme_describes() -> None:
    path = shared_data("rdml") / "BioRad_qPCR_melt.rdml"
    doc = read_rdml(path.name, path.read_bytes())
    assert doc.version == "1.1"
    assert doc.publisher.startswith("Bio-Rad")
    # README: 60 reactions, 26 with a Cq; sample types unkn, ntc, pos.
    assert len(doc.reactions) == 60
    assert len(doc.with_cq()) == 26
    assert {r.sample_type for r in doc.reactions} == {"unkn", "ntc", "pos"}
    first = doc.reactions[0]
    # react id 1 on an 8 × 12 plate labelled ABC/123 is well A1; its Cq as in the file.
    assert (first.well, first.sample, first.target) == ("A1", "Alm12", "EvaGreen")
    assert first.cq == pytest.approx(27.7514537682101)


def test_stepone_file_reads_version_1_0_with_labelled_wells() -> None:
    path = shared_data("rdml") / "stepone_std.rdml"
    doc = read_rdml(path.name, path.read_bytes())
    assert doc.version == "1.0"
    assert {r.target for r in doc.reactions} == {"RNase P"}
    assert doc.reactions[0].well == "A1"
    # Undetermined wells are exported as 40.0 (README): they read as numbers here; the
    # assay rule's undetermined_ct turns them into "not detected".
    assert sum(1 for r in doc.reactions if r.cq == 40.0) >= 3


def test_written_file_round_trips() -> None:
    rows = [("1", "S1", "ORF1ab", 31.5), ("1", "S1", "N", 33.0), ("2", "S2", "N", None)]
    for zipped in (True, False):
        doc = read_rdml("x.rdml", write_rdml(rows, zipped=zipped))
        got = [(r.react, r.sample, r.target, r.cq) for r in doc.reactions]
        assert got == rows
        assert [r.well for r in doc.reactions] == ["A1", "A1", "A2"]


def _zip(name: str, payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, payload)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not xml", "bad.rdml (column 1): not XML"),
        (_zip("rdml_data.xml", b"<rdml version='1.2'><unclosed></rdml>"), "not XML"),
        (
            b"<?xml version='1.0'?>\n<html/>",
            "bad.rdml line 2: not RDML: the root element is 'html'",
        ),
        (b"<rdml xmlns='http://example.org' version='1.2'/>", "not RDML"),
        (b"<rdml xmlns='http://www.rdml.org' version='2.0'/>", "unsupported RDML version '2.0'"),
        (b"PK\x03\x04garbage", "broken zip archive"),
        (b"<rdml xmlns='http://www.rdml.org' version='1.2'/>", "holds no reactions"),
    ],
)
def test_bad_files_are_refused_naming_the_place(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as exc:
        read_rdml("bad.rdml", data)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_duplicated_well_is_refused_with_both_lines() -> None:
    data = write_rdml([("3", "S1", "N", 30.0), ("3", "S1", "N", 31.0)], zipped=False)
    with pytest.raises(
        InputError,
        match=r"line \d+, run 'run-1' well A3 target 'N': duplicated well \(first at line \d+\)",
    ):
        read_rdml("dup.rdml", data)


def test_non_numeric_cq_names_the_line() -> None:
    data = write_rdml([("1", "S1", "N", 30.0)], zipped=False).replace(b"30.0", b"thirty")
    with pytest.raises(
        InputError, match=r"line \d+, run 'run-1' well A1 target 'N': cq is not a number"
    ):
        read_rdml("x.rdml", data)


def test_negative_cq_means_no_cq() -> None:
    doc = read_rdml("x.rdml", write_rdml([("1", "S1", "N", -1.0)]))
    assert doc.reactions[0].cq is None
