"""Scenarios: what the world does to a plant — the city's epidemic and supply disruptions.

One scenario file (YAML) feeds both the outbreak engine (city prevalence, importations,
control area) and the continuity planner (suppliers, regions, lanes, zones or lines
unavailable over given days; transit days raised). Days count from the plant's
``horizon_start`` (day 0); a window covers ``start_day`` .. ``start_day + days - 1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from keepline import yamlkit
from keepline.errors import InputError
from keepline.plant.schema import NodeKind, PlantFile


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Window(_Strict):
    start_day: int = Field(ge=0, description="First day, counted from the horizon start (0).")
    days: int = Field(
        ge=1, description="How many days it lasts.", json_schema_extra={"unit": "days"}
    )

    def mask(self, horizon: int) -> np.ndarray:
        out = np.zeros(horizon, dtype=bool)
        out[self.start_day : min(horizon, self.start_day + self.days)] = True
        return out


class PrevalencePoint(_Strict):
    day: int = Field(ge=0)
    infectious_per_100k: float = Field(
        ge=0, le=100_000, description="People infectious in the city per 100,000."
    )


class Importation(_Strict):
    day: int = Field(ge=0, description="Day the infections are introduced.")
    count: int = Field(ge=1, description="Workers infected from outside on that day.")
    zone: str | None = Field(None, description="Zone of the infected workers (any if empty).")


class Disruption(Window):
    kind: NodeKind = Field(description="supplier, region, lane, zone or line.")
    id: str = Field(description="The node's id (a region by its six-digit code).")


class TransitDelay(Window):
    region: str = Field(description="Region code whose lane to the plant slows down.")
    extra_days: int = Field(ge=1, description="Days added to transit.")


class Disease(_Strict):
    """What the virus does in this scenario, where it differs from the defaults."""

    symptomatic_share: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Share of infections that ever show symptoms (Larremore et al. 2021: 0.35).",
    )
    r0_definition: Literal["without_isolation", "with_isolation"] = Field(
        "without_isolation",
        description="How the R0 given (`--r0`) is meant: without_isolation = the "
        "infections of a case over its whole course, nobody isolated; with_isolation = a "
        "symptomatic case stops infecting on the day symptoms start (Paltiel et al. 2020's "
        "Rt). Converted exactly to the one transmission rate the engine uses.",
    )


class Scenario(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    prevalence: list[PrevalencePoint] = Field(
        default_factory=list,
        description="City prevalence over time, linear between points, flat after the last.",
    )
    importations: list[Importation] = Field(default_factory=list)
    control_area: list[Window] = Field(
        default_factory=list,
        description="Days the city is a control area: commuters cannot come to the plant.",
    )
    disruptions: list[Disruption] = Field(default_factory=list)
    transit_delays: list[TransitDelay] = Field(default_factory=list)
    disease: Disease = Field(default_factory=Disease)

    def prevalence_series(self, horizon: int) -> np.ndarray:
        """City infectious fraction (0..1) per day."""
        if not self.prevalence:
            return np.zeros(horizon)
        pts = sorted(self.prevalence, key=lambda p: p.day)
        xs = np.array([p.day for p in pts], dtype=float)
        ys = np.array([p.infectious_per_100k for p in pts]) / 100_000
        return np.interp(np.arange(horizon, dtype=float), xs, ys)

    def commuters_blocked(self, horizon: int) -> np.ndarray:
        out = np.zeros(horizon, dtype=bool)
        for w in self.control_area:
            out |= w.mask(horizon)
        return out

    def down(self, kind: NodeKind | str, node_id: str, horizon: int) -> np.ndarray:
        """Days on which node ``kind:node_id`` is unavailable."""
        kind = NodeKind(kind)
        out = np.zeros(horizon, dtype=bool)
        for d in self.disruptions:
            if d.kind == kind and d.id == node_id:
                out |= d.mask(horizon)
        return out

    def extra_transit(self, region: str, horizon: int) -> np.ndarray:
        out = np.zeros(horizon, dtype=int)
        for t in self.transit_delays:
            if t.region == region:
                out[t.mask(horizon)] += t.extra_days
        return out


NO_SCENARIO = Scenario(name="no disruption")


def load_scenario(path: Path | str, plant: PlantFile | None = None) -> Scenario:
    """Read a scenario YAML; with ``plant``, check that every node it names exists."""
    path = Path(path)
    try:
        data: Any = yamlkit.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        why = getattr(exc, "problem", None)
        raise InputError([f"{path}:{line}: not valid YAML" + (f": {why}" if why else "")]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}: expected a mapping with at least 'name'"])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        probs = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"])
            probs.append(f"{path} {loc}: {e['msg']}")
        raise InputError(probs) from None
    if plant is not None:
        probs = [f"{path} {p}" for p in check_scenario(scenario, plant)]
        if probs:
            raise InputError(probs)
    return scenario


def check_scenario(scenario: Scenario, plant: PlantFile) -> list[str]:
    ids = {
        NodeKind.supplier: {s.id for s in plant.suppliers},
        NodeKind.region: {s.region_code for s in plant.suppliers},
        NodeKind.lane: {ln.id for ln in plant.lanes},
        NodeKind.zone: {z.id for z in plant.zones},
        NodeKind.line: {ln.id for ln in plant.lines},
    }
    out = []
    for i, d in enumerate(scenario.disruptions):
        if d.id not in ids[d.kind]:
            known = ", ".join(sorted(ids[d.kind]))
            out.append(f"disruptions.{i}.id: unknown {d.kind.value} '{d.id}' (known: {known})")
    for i, t in enumerate(scenario.transit_delays):
        if t.region not in ids[NodeKind.region]:
            out.append(f"transit_delays.{i}.region: no supplier is in region '{t.region}'")
    for i, imp in enumerate(scenario.importations):
        if imp.zone is not None and imp.zone not in ids[NodeKind.zone]:
            out.append(f"importations.{i}.zone: unknown zone '{imp.zone}'")
    return out
