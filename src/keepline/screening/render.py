"""Sampling lists as CSV and as a printable HTML page (one page per collection point,
``templates/sampling_list.html.j2``)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

import jinja2

from keepline.screening.models import Round
from keepline.screening.schemas import ListRowOut
from keepline.tabular import write_csv

LIST_COLUMNS = (
    "collection_point",
    "sample_id",
    "kind",
    "position",
    "employee_no",
    "name",
    "team",
    "shift",
)
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("keepline.screening", "templates"), autoescape=True
)


def sampling_list_csv(rows: Sequence[ListRowOut]) -> str:
    return write_csv(LIST_COLUMNS, [r.model_dump() for r in rows])


def sampling_list_html(rnd: Round, enterprise: str, rows: Sequence[ListRowOut]) -> str:
    groups = [(k, list(g)) for k, g in groupby(rows, key=lambda r: r.collection_point)]
    template = _ENV.get_template("sampling_list.html.j2")
    return template.render(rnd=rnd, enterprise=enterprise, groups=groups)
