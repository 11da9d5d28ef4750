"""Screening and containment policies: the YAML file format and its translation into the
engine's :class:`~keepline.outbreak.engine.Controls`.

A policy file (see ``examples/policies/``)::

    name: every-3-days 10-in-1 PCR
    screening:
      - {test: pcr, every_days: 3, pool_size: 10, pool_by: team}
    symptoms: {isolate: true, test: true}
    on_positive: {action: team, days: 14}

Errors name the file, the line and the field, on one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from keepline import yamlkit
from keepline.errors import InputError
from keepline.outbreak.engine import Controls, Round, TestKind
from keepline.outbreak.population import Population
from keepline.screening.rules import what_if


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class TestSpec(_Strict):
    lod_log10: float = Field(
        ge=0, le=12, description="Limit of detection, log10 copies/ml (undiluted sample)."
    )
    specificity: float = Field(
        gt=0.5, le=1, description="Share of samples below the LOD that test negative."
    )
    sensitivity: float = Field(
        1.0,
        gt=0,
        le=1,
        description="Per-test sensitivity as the kit's leaflet states it: each test of a "
        "sample at or above the LOD is positive with this probability, drawn independently "
        "at each test (1 = every such sample is found).",
    )
    turnaround_days: int = Field(
        ge=0, le=14, description="Days from sampling to result (0 = same day)."
    )


def _pcr() -> TestSpec:
    return TestSpec(lod_log10=3.0, specificity=0.998, turnaround_days=1)


def _antigen() -> TestSpec:
    return TestSpec(lod_log10=5.0, specificity=0.996, turnaround_days=0)


class Tests(_Strict):
    pcr: TestSpec = Field(default_factory=_pcr, description="RT-PCR (LOD 10^3 copies/ml).")
    antigen: TestSpec = Field(
        default_factory=_antigen, description="Rapid antigen test (LOD 10^5 copies/ml)."
    )


class ScreeningRound(_Strict):
    test: Literal["pcr", "antigen"] = Field(description="Test used in this round.")
    every_days: int = Field(1, ge=1, le=365, description="Repeat every n days (1 = daily).")
    start_day: int = Field(0, ge=0, description="First day of the round (0 = horizon start).")
    time: Literal["morning", "evening"] = Field(
        "morning", description="When samples are taken; two rounds a day give twice-daily."
    )
    pool_size: int = Field(
        1,
        ge=1,
        le=50,
        description="Samples per pooled reaction (1 = none). The rules in force allow 1, 5, 10 "
        "or 20; another size is simulated as a what-if outside the rules, flagged and never "
        "recommended.",
    )
    pool_by: Literal["team", "zone"] = Field("team", description="Pools are formed within this.")
    zones: list[str] = Field(
        default_factory=list, description="Zones screened (empty = every zone)."
    )
    turnaround_days: int | None = Field(
        None, ge=0, le=14, description="Days to the result (default: the test's turnaround)."
    )
    retest_delay_days: int = Field(
        1, ge=0, le=14, description="Pooled/confirmed: days from a positive to the retest result."
    )
    confirm_with_pcr: bool = Field(
        False, description="Hold each positive and confirm it by PCR on the same sample."
    )


class Symptoms(_Strict):
    isolate: bool = Field(True, description="Workers with symptoms are isolated.")
    test: bool = Field(True, description="Isolated symptomatic workers get a PCR.")
    onset_to_isolation_days: int = Field(
        0,
        ge=0,
        le=14,
        description="Days from symptom onset to isolation (0 = the day symptoms start); "
        "until then the worker keeps working.",
    )


class OnPositive(_Strict):
    action: Literal["none", "team", "zone-shift", "test-to-stay"] = Field(
        "team",
        description="On a confirmed case: quarantine the case's team, or its whole zone and "
        "shift, or test the team daily (antigen, PCR-confirmed) while it keeps working.",
    )
    days: int = Field(14, ge=1, le=60, description="Days of quarantine or test-to-stay.")


class Policy(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    screening: list[ScreeningRound] = Field(default_factory=list)
    tests: Tests = Field(default_factory=Tests)
    symptoms: Symptoms = Field(default_factory=Symptoms)
    on_positive: OnPositive = Field(default_factory=OnPositive)
    isolation_days: int = Field(14, ge=1, le=60, description="Days a confirmed case is isolated.")
    closed_loop: bool = Field(False, description="Dormitory residents do not meet the city.")
    staggered_canteen: bool = Field(False, description="Meals staggered by zone.")
    masks: float = Field(
        1.0, gt=0, le=1, description="Transmission factor at work (team, zone×shift); 1 = none."
    )
    compliance: float = Field(
        1.0, ge=0, le=1, description="Share of workers who get tested and isolate on symptoms."
    )

    def rules_broken(self) -> list[str]:
        """The prevention rules in force this policy breaks (empty: it keeps them). A
        confirmed case must be isolated, so a sick worker must be found: one with
        symptoms is sent home and tested. A policy that breaks them is a reference to
        compare against, never a choice."""
        out = self.outside_rules()
        if not self.symptoms.isolate:
            out.append("workers with symptoms are not isolated: the sick keep working")
        if not self.symptoms.test and not self.screening:
            out.append("nobody is tested, so no case is confirmed and isolated")
        return out

    def outside_rules(self) -> list[str]:
        """The pool sizes of this policy that the pooling rules in force do not allow
        (:data:`keepline.screening.rules.RULES_IN_FORCE`, the screening record's rules):
        such a policy is simulated as a what-if, never recommended."""
        out = []
        for i, r in enumerate(self.screening):
            why = what_if(r.pool_size, f"screening.{i}.pool_size")
            if why:
                out.append(why)
        return out

    @property
    def is_baseline(self) -> bool:
        """The do-nothing reference: no screening, no isolation, no quarantine."""
        return (
            not self.screening
            and not self.symptoms.isolate
            and not self.symptoms.test
            and self.on_positive.action == "none"
        )


NO_SCREENING = Policy(
    name="no screening, no isolation",
    symptoms=Symptoms(isolate=False, test=False),
    on_positive=OnPositive(action="none"),
)


def _kind(name: str, spec: TestSpec) -> TestKind:
    return TestKind(name, spec.lod_log10, spec.specificity, spec.sensitivity)


def to_controls(policy: Policy, pop: Population, source: str = "policy") -> Controls:
    """The engine's controls; ``source`` names the file in errors."""
    rounds = []
    problems = []
    for i, r in enumerate(policy.screening):
        spec = getattr(policy.tests, r.test)
        zones = None
        if r.zones:
            bad = [z for z in r.zones if z not in pop.zones]
            if bad:
                problems.append(
                    f"{source} screening.{i}.zones: unknown zone '{bad[0]}' "
                    f"(known: {', '.join(pop.zones)})"
                )
                continue
            zones = tuple(pop.zones.index(z) for z in r.zones)
        rounds.append(
            Round(
                test=_kind(r.test, spec),
                every_days=r.every_days,
                start_day=r.start_day,
                time_of_day=0.25 if r.time == "morning" else 0.75,
                pool_size=r.pool_size,
                pool_by=r.pool_by,
                zones=zones,
                turnaround_days=spec.turnaround_days
                if r.turnaround_days is None
                else r.turnaround_days,
                retest_delay_days=r.retest_delay_days,
                confirm=_kind("pcr", policy.tests.pcr) if r.confirm_with_pcr else None,
            )
        )
    if problems:
        raise InputError(problems)
    return Controls(
        rounds=tuple(rounds),
        isolate_on_symptoms=policy.symptoms.isolate,
        onset_to_isolation_days=policy.symptoms.onset_to_isolation_days,
        symptom_test=_kind("pcr", policy.tests.pcr) if policy.symptoms.test else None,
        symptom_test_turnaround_days=policy.tests.pcr.turnaround_days,
        on_positive=policy.on_positive.action,
        quarantine_days=policy.on_positive.days,
        test_to_stay=_kind("antigen", policy.tests.antigen),
        isolation_days=policy.isolation_days,
        closed_loop=policy.closed_loop,
        staggered_canteen=policy.staggered_canteen,
        mask_factor=policy.masks,
        compliance=policy.compliance,
    )


def _line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the YAML node at ``loc``, or of its deepest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for key in loc:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            nxt = node.value[key] if key < len(node.value) else None
        if nxt is None:
            break
        node, line = nxt, nxt.start_mark.line + 1
    return line


def load_policy(path: Path | str) -> Policy:
    """Read a policy YAML; raises :class:`InputError` naming file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{path}: not UTF-8 text"]) from None
    try:
        node = yamlkit.compose(text)
        data = yamlkit.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        why = getattr(exc, "problem", None)
        raise InputError([f"{path}:{line}: not valid YAML" + (f": {why}" if why else "")]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}:1: expected a mapping with at least 'name'"])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        probs = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            field = ".".join(str(p) for p in loc) or "(top)"
            line = _line(node, loc)
            where = f"{path}:{line}" if line else str(path)
            probs.append(f"{where} {field}: {e['msg']}")
        raise InputError(probs) from None
