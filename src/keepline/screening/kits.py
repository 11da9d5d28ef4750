"""How instruments write "no Cq": each file format's convention, as data.

A well that did not amplify has no quantification cycle, and each instrument's software
writes that its own way. The reader applies the convention of the instrument that wrote
the file (told from the file: an RDML file's publisher, instrument and software; a
table's headers), and the kit may add values of its own (``AssayRule.undetermined_ct``,
e.g. ``[0]`` for a lab whose CSVs write 0). The table below is what
``docs/import-files.md`` prints (``python -m keepline.filedocs``).

Pure: no database or web imports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class NoCq:
    """An instrument's way of writing "no Cq"."""

    key: str
    instrument: str
    match: tuple[str, ...]  # lower-case words in the file that name this instrument
    values: tuple[float, ...] = ()  # numbers that mean no Cq (StepOne: 40.0)
    texts: tuple[str, ...] = ()  # words that mean no Cq (lower case)
    absent: bool = True  # an empty or missing Cq means no Cq (every format)
    source: str = ""


CONVENTIONS: tuple[NoCq, ...] = (
    NoCq(
        "lightcycler",
        "Roche LightCycler 96 / 480",
        ("lightcycler", "roche"),
        values=(100.0,),
        source="as issue 20 states (Cq 100, or the Cq left out); not checked against a "
        "LightCycler export here",
    ),
    NoCq(
        "stepone",
        "Applied Biosystems StepOne (RDML)",
        ("stepone",),
        values=(40.0,),
        texts=("undetermined",),
        source="StepOne Software's RDML export writes undetermined wells as Cq 40.0 "
        "(see ../shared/data/rdml/stepone_std.rdml: its NTC wells)",
    ),
    NoCq(
        "quantstudio",
        "Applied Biosystems QuantStudio (Results sheet)",
        ("quantstudio",),
        texts=("undetermined",),
        source="QuantStudio 'Results' sheet / text export: CT 'Undetermined' (header 'CT', "
        "some versions 'Cт')",
    ),
    NoCq(
        "biorad",
        "Bio-Rad CFX (CFX Manager / Maestro)",
        ("bio-rad", "biorad", "cfx"),
        texts=("nan", "n/a"),
        source="CFX Maestro 'Quantification Cq Results': Cq 'NaN' (allotropy's test export "
        "tests/parsers/cfxmaestro/testdata/example01.csv); RDML: cq left out "
        "(../shared/data/rdml/BioRad_qPCR_melt.rdml)",
    ),
    NoCq(
        "slan",
        "Hongshi SLAN / Bioer / Tianlong (Chinese-language exports)",
        ("slan", "宏石", "bioer", "博日", "tianlong", "天隆"),
        texts=("no ct", "noct", "undet", "无ct", "无ct值", "未检出", "n/a", "-"),
        source="assumed from these instruments' Chinese-language result tables; "
        "to be checked against a real export",
    ),
)
GENERIC = NoCq(
    "table",
    "any other table (keepline's own results template)",
    (),
    texts=(
        "-",
        "n/a",
        "na",
        "nd",
        "undetermined",
        "undet",
        "no ct",
        "no cq",
        "none",
        "未检出",
        "阴性未扩增",
        "无ct",
        "无扩增",
        "无",
    ),
    source="keepline's results template: blank or one of these words",
)
BY_KEY = {c.key: c for c in (*CONVENTIONS, GENERIC)}


def convention_for(*texts: str) -> NoCq:
    """The convention of the instrument these texts (publisher, instrument, software,
    sheet title) name; the generic one when none does."""
    low = " ".join(texts).lower()
    for c in CONVENTIONS:
        if any(m in low for m in c.match):
            return c
    return GENERIC


def is_no_cq(convention: NoCq, value: float | str | None) -> bool:
    """Whether ``value`` as the file wrote it means "no Cq" under ``convention``."""
    if value is None:
        return convention.absent
    if isinstance(value, str):
        t = value.strip().lower()
        if not t:
            return convention.absent
        if t in convention.texts or (convention is not GENERIC and t in GENERIC.texts):
            return True
        try:
            value = float(t)
        except ValueError:
            return False
    if math.isnan(value):
        return True  # NaN is never a cycle number, whichever instrument wrote it
    return value in convention.values
