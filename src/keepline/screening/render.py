"""Sampling lists as CSV and as a printable HTML page (one page per collection point,
``templates/sampling_list.html.j2``)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

import jinja2

from keepline.fitness import Reason
from keepline.screening.models import Round
from keepline.screening.schemas import ExcludedOut, ListRowOut
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
REASON_LABELS = {
    Reason.isolated.value: "isolated 隔离",
    Reason.quarantined.value: "quarantined 隔离观察",
    Reason.not_cleared.value: "health declaration not cleared 健康申报未放行",
    Reason.zone_locked.value: "zone locked 区域封控",
}
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("keepline.screening", "templates"), autoescape=True
)


def sampling_list_csv(rows: Sequence[ListRowOut]) -> str:
    return write_csv(LIST_COLUMNS, [r.model_dump() for r in rows])


def reason_text(reasons: Sequence[str]) -> str:
    return "; ".join(REASON_LABELS.get(r, r) for r in reasons)


def sampling_list_html(
    rnd: Round,
    enterprise: str,
    rows: Sequence[ListRowOut],
    excluded: Sequence[ExcludedOut] = (),
) -> str:
    """The printable list; ``excluded`` (who is not swabbed in this round, and why)
    follows the collection points' pages."""
    groups = [(k, list(g)) for k, g in groupby(rows, key=lambda r: r.collection_point)]
    template = _ENV.get_template("sampling_list.html.j2")
    left_out = [(e, reason_text(e.reasons)) for e in excluded]
    return template.render(rnd=rnd, enterprise=enterprise, groups=groups, excluded=left_out)
