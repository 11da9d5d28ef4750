"""Render an assessment (the ``report.json`` dictionary) as one self-contained HTML page.

Plots are PNGs drawn with matplotlib (a ``Figure`` of its own, saved through Agg: no
pyplot, no global backend) and inlined as data URIs, so the page needs
nothing from the internet to be read.
"""

from __future__ import annotations

import base64
import gettext
import io
import json
from pathlib import Path
from typing import Any

import jinja2
from matplotlib.figure import Figure

PRIORITIES = ("front-line", "livelihood", "standard")


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def plot_available(report: dict[str, Any], scenario: str) -> str:
    """Workers available per day, one line per policy (mean with the 5–95 % band)."""
    fig = Figure(figsize=(8, 3.4))
    ax = fig.subplots()
    for cell in report["cells"]:
        if cell["scenario"] != scenario:
            continue
        series = cell["outbreak"]["available_per_day"]
        days = range(len(series["mean"]))
        ax.plot(days, series["mean"], label=cell["policy"], lw=1.6)
        ax.fill_between(days, series["p5"], series["p95"], alpha=0.15)
    ax.set_xlabel(f"day from {report['plant']['horizon_start']}")
    ax.set_ylabel("workers available")
    ax.set_title(f"Workers available — {scenario}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    return _png(fig)


def plot_fill(report: dict[str, Any]) -> str:
    """Share of ordered units shipped by their due date, by priority class: the headline
    mean over the planned replicates, with its 95 % confidence interval."""
    cells = report["cells"]
    fig = Figure(figsize=(8, 0.45 * len(cells) + 1.4))
    ax = fig.subplots()
    labels = [f"{c['policy']} · {c['scenario']}" for c in cells]
    width = 0.27
    for i, pr in enumerate(PRIORITIES):
        stats = [c["headline"]["fill_by_due"].get(pr) for c in cells]
        vals = [100 * s["mean"] if s else 0.0 for s in stats]
        err = [
            [100 * (s["mean"] - max(0.0, s["low"])) if s and s["low"] is not None else 0.0
             for s in stats],
            [100 * (min(1.0, s["high"]) - s["mean"]) if s and s["high"] is not None else 0.0
             for s in stats],
        ]  # fmt: skip
        ax.barh(
            [y + (i - 1) * width for y in range(len(cells))],
            vals,
            height=width,
            label=pr,
            xerr=err,
            error_kw={"elinewidth": 0.8, "capsize": 1.5},
        )
    ax.set_yticks(range(len(cells)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(
        "% of ordered units shipped by their due date "
        "(mean over the planned replicates, 95 % confidence interval)"
    )
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


_LOADER = jinja2.PackageLoader("keepline.assessment", "templates")


def _env(translations: gettext.NullTranslations) -> jinja2.Environment:
    """The template's environment with ``translations`` for its ``_()`` (new-style: a
    ``%`` in a message is written ``%%``)."""
    env = jinja2.Environment(
        loader=_LOADER,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def render_html(
    report: dict[str, Any],
    translations: gettext.NullTranslations | None = None,
    html_lang: str = "en",
) -> str:
    """The page, in English (the messages as written) unless ``translations`` are given:
    the console passes its catalog of the reader's language (``html_lang``). The plots'
    labels and the texts the assessment wrote (the recommendation's reason, the plans'
    reasons) stay in English."""
    plots = {
        "fill": plot_fill(report),
        "available": {sc: plot_available(report, sc) for sc in report["settings"]["scenarios"]},
    }
    env = _env(translations or gettext.NullTranslations())
    return env.get_template("report.html.j2").render(r=report, plots=plots, html_lang=html_lang)


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    return write_json_and_page(report, render_html(report), out_dir, "report.json")


def write_json_and_page(
    data: dict[str, Any], html: str, out_dir: Path, json_name: str
) -> tuple[Path, Path]:
    """``json_name`` (the numbers) and ``report.html`` (the page) in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / json_name
    js.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    page = out_dir / "report.html"
    page.write_text(html, encoding="utf-8")
    return js, page
