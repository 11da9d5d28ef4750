"""The briefing pack as one self-contained HTML page (no script, no CDN): Chinese first
with English beside it. Pure: a pack's JSON in, the page out."""

from __future__ import annotations

from typing import Any

import jinja2

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("keepline.government", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)

TOPICS = {
    "prevention": "疫情防控 Prevention",
    "resumption": "复工复产 Resumption",
    "capacity": "产能订单产值 Capacity, orders, output",
    "materials": "原材料运输 Raw materials and transport",
    "backup-suppliers": "备用供应商 Backup suppliers",
    "logistics": "物流 Logistics",
    "living": "员工生活 Living conditions",
}
STATES = {
    "not-resumed": "未复工 not resumed",
    "partly": "部分复工 partly resumed",
    "fully": "全面复工 fully resumed",
    "suspended": "停工 suspended",
}


def render_html(pack: dict[str, Any]) -> str:
    """The page of a pack (``BriefingOut.model_dump(mode="json")``)."""
    return _ENV.get_template("briefing.html.j2").render(b=pack, topics=TOPICS, states=STATES)
