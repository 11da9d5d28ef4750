"""Render a drill (the ``drill.json`` dictionary) as one self-contained HTML page.

Chinese first with English beside it, like the assessment's report; the plots are PNGs
drawn by matplotlib (its own ``Figure``, no pyplot) and inlined as data URIs, so the page
needs nothing from the internet.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import jinja2
from matplotlib.figure import Figure

from keepline.assessment.report import write_json_and_page

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("keepline.plans", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def plot_days(drill: dict[str, Any], series: str, ylabel: str) -> str:
    """One line per run (no plan, then each plan) of the first replicate's daily series."""
    fig = Figure(figsize=(8, 3.0))
    ax = fig.subplots()
    first = drill["plans"][0]["replicates"][0]["daily"]
    days = range(len(first[series]))
    ax.plot(days, first[f"{series}_no_plan"], label="no plan", lw=1.6, color="#888888")
    for p in drill["plans"]:
        ax.plot(days, p["replicates"][0]["daily"][series], label=f"{p['id']} v{p['version']}")
    ax.set_xlabel(f"day from {drill['plant']['horizon_start']}")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    buf = io.BytesIO()
    # no timestamp in the PNG: the same drill gives the same bytes
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def render_html(drill: dict[str, Any]) -> str:
    plots = {
        "infections": plot_days(drill, "new_infections", "new infections"),
        "present": plot_days(drill, "present", "workers at work"),
    }
    return _ENV.get_template("drill.html.j2").render(d=drill, plots=plots)


def write_drill(drill: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """``drill.json`` and ``report.html`` in ``out_dir``."""
    return write_json_and_page(drill, render_html(drill), out_dir, "drill.json")
