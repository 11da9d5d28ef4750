"""A :class:`keepline.scenario.Scenario` as the engine's :class:`World` arrays and the
disease :class:`Params` it sets."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from keepline.outbreak.engine import Params, World
from keepline.outbreak.population import Population
from keepline.plant.schema import NodeKind
from keepline.scenario import Scenario


def world_from_scenario(
    scenario: Scenario, pop: Population, days: int, index_cases: int = 0
) -> World:
    """City prevalence, control-area days, closed zones and importations over ``days``.

    ``index_cases`` workers (any zone) are infected on day 0 on top of the scenario's
    importations. Zone disruptions close the zone: its workers stay away (unavailable,
    not exposed at work). Supplier, region, lane and line disruptions are the planner's.
    """
    closed = np.zeros((days, len(pop.zones)), dtype=bool)
    for z, zone in enumerate(pop.zones):
        closed[:, z] = scenario.down(NodeKind.zone, zone, days)
    imps = [(0, index_cases, -1)] if index_cases > 0 else []
    for imp in scenario.importations:
        if imp.day < days:
            imps.append((imp.day, imp.count, pop.zones.index(imp.zone) if imp.zone else -1))
    return World(
        prevalence=scenario.prevalence_series(days),
        commuters_blocked=scenario.commuters_blocked(days),
        zone_closed=closed,
        importations=tuple(imps),
    )


def params_for(scenario: Scenario, r0: float, base: Params | None = None) -> Params:
    """The engine's parameters: ``r0`` as the scenario defines it, its symptomatic share
    (the defaults leave :class:`Params` as it is)."""
    base = base or Params()
    d = scenario.disease
    return replace(
        base,
        r0=r0,
        r0_definition=d.r0_definition,
        disease=replace(base.disease, symptomatic_fraction=d.symptomatic_share),
    )
