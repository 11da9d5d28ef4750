"""Flow: the continuity assessment of a loaded enterprise, run as a background job (the
console's assessment page): the plant exported from the database, policies and a
scenario chosen by name from the folders the server offers (``settings.policies_dir``,
``settings.scenarios_dir``), the same ``assess`` as ``keepline assess``, its progress fed
by the sweep's tasks done over tasks in all, and its ``report.html`` and ``report.json``
kept with the job, under the enterprise."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from keepline import settings
from keepline.assessment.report import render_html
from keepline.assessment.run import NamedPolicy, NamedScenario, Settings, assess, default_scenario
from keepline.assessment.schemas import AssessmentIn
from keepline.errors import InputError, KeeplineError, quote
from keepline.jobs.runner import Outcome
from keepline.outbreak.policy import load_policy
from keepline.plant.schema import PlantFile
from keepline.plant.service import export_plant
from keepline.recordkit import bad
from keepline.scenario import load_scenario
from keepline.scope import EnterpriseScope

SWEEP_SHARE = 0.9  # of the bar: the sweep's tasks; the rest is drawing the report
STAGE_SWEEP = "outbreak, plans and exposure"
STAGE_REPORT = "writing the report"


@dataclass(frozen=True)
class Choice:
    name: str
    path: Path


# The choices offered, kept per folder while none of its files changes (name, size and
# modification time): parsing every policy and scenario file was most of the assessment
# page's time. A file added, removed or edited changes the key: read again at once.
_offered: dict[str, tuple[Any, list[Choice]]] = {}


def _stamp(folder: Path) -> tuple[Any, ...]:
    """The folder's YAML files as they stand (name, size, modification time)."""
    if not folder.is_dir():
        return ()
    out = []
    for path in sorted(folder.glob("*.yaml")):
        st = path.stat()
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return (str(folder), *out)


def _choices(kind: str, key: Any, load: Callable[[], list[Choice]]) -> list[Choice]:
    kept = _offered.get(kind)
    if kept is not None and kept[0] == key:
        return list(kept[1])
    found = load()
    _offered[kind] = (key, found)
    return list(found)


def _read(folder: Path, parse: Callable[[Path], str]) -> list[Choice]:
    """The files of ``folder`` that parse, by the name ``parse`` reads (others left out)."""
    out = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            out.append(Choice(parse(path), path))
        except KeeplineError:
            continue
    return out


def policies() -> list[Choice]:
    """The policies offered, by name (a file that does not read is left out)."""
    folder = settings.policies_dir()
    return _choices(
        "policies", _stamp(folder), lambda: _read(folder, lambda p: load_policy(p).name)
    )


def scenarios(plant: PlantFile) -> list[Choice]:
    """The scenarios offered for ``plant``: those that name only its nodes."""
    folder = settings.scenarios_dir()
    key = (_stamp(folder), plant.model_dump_json())
    return _choices("scenarios", key, lambda: _read(folder, lambda p: load_scenario(p, plant).name))


def plant_of(session: Session, scope: EnterpriseScope) -> PlantFile:
    return export_plant(session, scope.enterprise_id)


def prepare(plant: PlantFile, body: AssessmentIn) -> tuple[list[NamedPolicy], list[NamedScenario]]:
    """The named policies and scenario of ``body``; an unknown name is refused."""
    offered = {c.name: c for c in policies()}
    unknown = [p for p in body.policies if p not in offered]
    if unknown:
        raise bad("policies", f"no policy named {quote(unknown[0])} (known: {', '.join(offered)})")
    named_p = []
    for name in dict.fromkeys(body.policies):
        path = offered[name].path
        named_p.append(NamedPolicy(name, path.name, load_policy(path)))
    if not body.scenario:
        return named_p, [default_scenario()]
    found = {c.name: c for c in scenarios(plant)}
    if body.scenario not in found:
        raise bad("scenario", f"no scenario named {quote(body.scenario)} for this plant")
    path = found[body.scenario].path
    return named_p, [NamedScenario(body.scenario, path.name, load_scenario(path, plant), 0)]


def run_job(
    factory: sessionmaker[Session],
    scope: EnterpriseScope,
    params: dict[str, Any],
    progress: Callable[[float, str], None],
) -> Outcome:
    """The assessment job: nothing is written but the job's two files."""
    try:
        body = AssessmentIn.model_validate(params)
    except ValueError as exc:
        raise InputError([f"params: {exc}"]) from None
    with factory() as session:
        plant = plant_of(session, scope)
    named_p, named_s = prepare(plant, body)
    done = 0

    def step(_stage: str, n: int, total: int) -> None:
        nonlocal done
        done += n
        progress(SWEEP_SHARE * done / max(1, total), STAGE_SWEEP)

    settings_ = Settings(body.days, body.replicates, body.seed)
    report = assess(plant, named_p, named_s, settings_, step)
    progress(SWEEP_SHARE, STAGE_REPORT)
    html = render_html(report)
    data = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    rec = report["recommendation"]
    return Outcome(
        {
            "files": ["report.html", "report.json"],
            "recommended": rec["policy"],
            "critical_on_time": rec["critical_on_time"],
        },
        {
            "report.html": ("text/html; charset=utf-8", html.encode("utf-8")),
            "report.json": ("application/json", data.encode("utf-8")),
        },
    )
