"""Read RDML 1.0–1.3 files: the qPCR instruments' exchange format (rdml.org).

An ``.rdml`` file is a zip archive holding one XML document (plain XML is accepted
too). The root is ``rdml`` in the namespace ``http://www.rdml.org`` with a ``version``
attribute; reactions sit at ``experiment → run → react → data`` where ``data`` names
its target (``tar``) and may carry a quantification cycle (``cq``).

Why our own reader: the maintained reader on PyPI (``rdmlpython`` 1.7.2) only opens
archives whose member is named ``rdml_data.xml``, and Bio-Rad CFX Manager writes
``<name>.xml``; it fails on a real CFX export. The structure we need is small, so
this module parses it with lxml and checks every element it relies on.

Pure: bytes in, dataclasses out; no database or web imports.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from keepline.errors import InputError, quote
from keepline.tabular import check_zip

NS = "http://www.rdml.org"
VERSIONS = ("1.0", "1.1", "1.2", "1.3")
_N = {"r": NS}
# A defensive cap: a 384-well plate × a few targets × a few runs is far below it.
MAX_REACTIONS = 200_000


@dataclass(frozen=True)
class Reaction:
    """One target measured in one well of one run.

    ``cq`` is ``None`` when the instrument reported no quantification cycle (element
    absent, empty, negative or NaN — RDML writes -1 or leaves ``cq`` out).
    """

    experiment: str
    run: str
    react: str  # the react element's id (a well number or label)
    well: str  # a spreadsheet-style label (A1) when the plate format says how
    sample: str
    sample_type: str  # unkn, ntc, std, pos, ... ('' when the sample is not declared)
    target: str
    cq: float | None
    line: int  # line of the data element in the XML, for error messages
    description: str = ""  # the sample's description (LightCycler 96: the readable name)
    quantity: float | None = None  # a standard's declared quantity

    @property
    def place(self) -> str:
        return f"run '{self.run}' well {self.well} target '{self.target}'"


@dataclass(frozen=True)
class RdmlFile:
    version: str
    publisher: str
    reactions: tuple[Reaction, ...]
    instrument: str = ""  # the runs' instrument and software names, for the no-Cq rule
    one_line: bool = False  # the XML is one line: places are named without line numbers

    def with_cq(self) -> list[Reaction]:
        return [r for r in self.reactions if r.cq is not None]


def _xml_bytes(filename: str, data: bytes) -> bytes:
    """The XML document inside an .rdml archive (or the data itself when not zipped)."""
    if data[:2] != b"PK":
        return data
    zf = check_zip(filename, data, what="not an RDML file: broken zip archive")
    names = [n for n in zf.namelist() if not n.endswith("/")]
    xml_names = [n for n in names if n.lower().endswith(".xml")]
    # RDML names the member rdml_data.xml; instruments use other names (Bio-Rad: <run>.xml).
    pick = "rdml_data.xml" if "rdml_data.xml" in names else (xml_names or names or [None])[0]
    if pick is None:
        raise InputError([f"{filename}: not an RDML file: the zip archive is empty"])
    if len(xml_names) > 1 and pick != "rdml_data.xml":
        raise InputError(
            [f"{filename}: not an RDML file: the archive holds {len(xml_names)} XML documents"]
        )
    return zf.read(pick)


def _well_label(react_id: str, rows: int | None, cols: int | None, row_label: str) -> str:
    """React ids are 1-based well numbers (row-major) when the plate format is given."""
    if not react_id.isdigit() or not rows or not cols:
        return react_id
    n = int(react_id) - 1
    r, c = divmod(n, cols)
    if r >= rows:
        return react_id
    letters = row_label == "ABC" and r < 26
    return f"{chr(ord('A') + r) if letters else r + 1}{c + 1}"


def _int(el: etree._Element | None) -> int | None:
    try:
        return int((el.text or "").strip()) if el is not None else None
    except ValueError:
        return None


def _cq(text: str | None, where: str) -> float | None:
    t = (text or "").strip()
    if not t:
        return None
    try:
        v = float(t)
    except ValueError:
        raise InputError([f"{where}: cq is not a number: {quote(t)}"]) from None
    if math.isnan(v) or v < 0:
        return None
    if math.isinf(v):
        raise InputError([f"{where}: cq is infinite"])
    return v


def _float(text: str | None) -> float | None:
    try:
        v = float((text or "").strip())
    except ValueError:
        return None
    return v if math.isfinite(v) else None


_LAST_ID = {
    name: re.compile(rb"<(?:\w+:)?" + name.encode() + rb"\b[^>]*?\bid\s*=\s*[\"']([^\"']{0,80})")
    for name in ("run", "react", "tar")
}


def _syntax_place(xml: bytes, exc: etree.XMLSyntaxError) -> str:
    """Where a syntax error sits in a one-line document: the run, well and target whose
    elements open last before it (a line number says nothing there)."""
    line, column = exc.position if exc.position else (1, 0)
    lines = xml.split(b"\n")
    offset = sum(len(x) + 1 for x in lines[: max(line - 1, 0)]) + max(column - 1, 0)
    head = xml[:offset]
    found = {}
    for name, rx in _LAST_ID.items():
        ids = rx.findall(head)
        if ids:
            found[name] = ids[-1].decode("utf-8", "replace")
    parts = [f"column {column}"]
    if "run" in found:
        parts.append(f"run '{found['run']}'")
    if "react" in found:
        parts.append(f"well {found['react']}")
    if "tar" in found:
        parts.append(f"target '{found['tar']}'")
    return ", ".join(parts)


def read_rdml(filename: str, data: bytes) -> RdmlFile:
    """Parse and check an RDML document; raise :class:`InputError` naming the place."""
    xml = _xml_bytes(filename, data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    one_line = xml.strip().count(b"\n") == 0
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        if one_line:
            where = _syntax_place(xml, exc)
            raise InputError([f"{filename} ({where}): not XML: {exc.msg}"]) from None
        line = exc.lineno or 1
        raise InputError([f"{filename} line {line}: not XML: {exc.msg}"]) from None

    def at(el: etree._Element, place: str = "") -> str:
        """The place named for an error: a line number only when there are lines."""
        where = filename if one_line else f"{filename} line {el.sourceline}"
        return f"{where}, {place}" if place else where

    if root.tag != f"{{{NS}}}rdml":
        raise InputError(
            [
                f"{at(root)}: not RDML: the root element is "
                f"'{etree.QName(root).localname}' in namespace "
                f"'{etree.QName(root).namespace or ''}', expected 'rdml' in '{NS}'"
            ]
        )
    version = (root.get("version") or "").strip()
    if version not in VERSIONS:
        raise InputError(
            [
                f"{at(root)}: unsupported RDML version "
                f"{quote(version)} (supported: {', '.join(VERSIONS)})"
            ]
        )
    publisher = (root.findtext("r:id/r:publisher", default="", namespaces=_N) or "").strip()
    sample_types: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    quantities: dict[str, float | None] = {}
    for s in root.iterfind("r:sample", _N):
        sid = s.get("id", "")
        sample_types[sid] = (s.findtext("r:type", default="", namespaces=_N) or "").strip()
        descriptions[sid] = (s.findtext("r:description", default="", namespaces=_N) or "").strip()
        quantities[sid] = _float(s.findtext("r:quantity/r:value", default=None, namespaces=_N))
    instrument = [publisher]
    reactions: list[Reaction] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for exp in root.iterfind("r:experiment", _N):
        exp_id = exp.get("id", "")
        for run in exp.iterfind("r:run", _N):
            run_id = run.get("id", "")
            instrument += [
                (run.findtext(p, default="", namespaces=_N) or "").strip()
                for p in ("r:instrument", "r:dataCollectionSoftware/r:name")
            ]
            fmt = run.find("r:pcrFormat", _N)
            rows = _int(fmt.find("r:rows", _N)) if fmt is not None else None
            cols = _int(fmt.find("r:columns", _N)) if fmt is not None else None
            row_label = (
                (fmt.findtext("r:rowLabel", default="", namespaces=_N) or "").strip()
                if fmt is not None
                else ""
            )
            for react in run.iterfind("r:react", _N):
                react_id = react.get("id")
                if not react_id:
                    raise InputError([f"{at(react, f'run {run_id!r}')}: react has no id"])
                well = _well_label(react_id, rows, cols, row_label)
                sample_el = react.find("r:sample", _N)
                sample = sample_el.get("id", "").strip() if sample_el is not None else ""
                if not sample:
                    raise InputError(
                        [f"{at(react, f'run {run_id!r} well {well}')}: react names no sample"]
                    )
                for d in react.iterfind("r:data", _N):
                    tar = d.find("r:tar", _N)
                    target = tar.get("id", "").strip() if tar is not None else ""
                    place = f"run '{run_id}' well {well}"
                    if not target:
                        raise InputError([f"{at(d, place)}: data names no target"])
                    key = (exp_id, run_id, react_id, target)
                    if key in seen:
                        first = "" if one_line else f" (first at line {seen[key]})"
                        raise InputError(
                            [f"{at(d, f'{place} target {target!r}')}: duplicated well{first}"]
                        )
                    seen[key] = d.sourceline or 0
                    cq = _cq(
                        d.findtext("r:cq", default=None, namespaces=_N),
                        at(d, f"{place} target {target!r}"),
                    )
                    reactions.append(
                        Reaction(
                            exp_id,
                            run_id,
                            react_id,
                            well,
                            sample,
                            sample_types.get(sample, ""),
                            target,
                            cq,
                            0 if one_line else (d.sourceline or 0),
                            descriptions.get(sample, ""),
                            quantities.get(sample),
                        )
                    )
                    if len(reactions) > MAX_REACTIONS:
                        raise InputError([f"{filename}: more than {MAX_REACTIONS} reactions"])
    if not reactions:
        raise InputError(
            [f"{filename}: the RDML file holds no reactions (experiment/run/react/data)"]
        )
    return RdmlFile(
        version, publisher, tuple(reactions), " ".join(i for i in instrument if i), one_line
    )


def write_rdml(
    rows: list[tuple[str, str, str, float | None]],
    *,
    version: str = "1.2",
    run_id: str = "run-1",
    zipped: bool = True,
) -> bytes:
    """Write a minimal RDML document: ``rows`` are (well number, sample, target, cq).

    Used by the tests and by anyone who needs a small file in the format; one ``react``
    per well holds one ``data`` per target.
    """
    root = etree.Element(f"{{{NS}}}rdml", nsmap={None: NS}, version=version)
    samples = sorted({r[1] for r in rows})
    targets = sorted({r[2] for r in rows})
    for s in samples:
        el = etree.SubElement(root, f"{{{NS}}}sample", id=s)
        etree.SubElement(el, f"{{{NS}}}type").text = "unkn"
    for t in targets:
        el = etree.SubElement(root, f"{{{NS}}}target", id=t)
        etree.SubElement(el, f"{{{NS}}}type").text = "toi"
    exp = etree.SubElement(root, f"{{{NS}}}experiment", id="keepline")
    run = etree.SubElement(exp, f"{{{NS}}}run", id=run_id)
    fmt = etree.SubElement(run, f"{{{NS}}}pcrFormat")
    for tag, text in (
        ("rows", "8"),
        ("columns", "12"),
        ("rowLabel", "ABC"),
        ("columnLabel", "123"),
    ):
        etree.SubElement(fmt, f"{{{NS}}}{tag}").text = text
    by_well: dict[str, etree._Element] = {}
    for well, sample, target, cq in rows:
        react = by_well.get(well)
        if react is None:
            react = etree.SubElement(run, f"{{{NS}}}react", id=well)
            etree.SubElement(react, f"{{{NS}}}sample", id=sample)
            by_well[well] = react
        data = etree.SubElement(react, f"{{{NS}}}data")
        etree.SubElement(data, f"{{{NS}}}tar", id=target)
        if cq is not None:
            etree.SubElement(data, f"{{{NS}}}cq").text = repr(float(cq))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if not zipped:
        return xml
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("rdml_data.xml", xml)
    return buf.getvalue()
