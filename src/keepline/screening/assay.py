"""Interpret a sample's Ct values by a test kit's rule.

The default follows the instructions for use of the dual-target SARS-CoV-2 RT-PCR kits
approved in China (ORF1ab and N genes, with an internal control such as RNase P), as
in the national *Technical Guidelines for Nucleic Acid Testing* (Joint Prevention and
Control Mechanism of the State Council): both targets with Ct ≤ 40 → positive; only
one → retest; neither → negative; an internal control that does not amplify within its
limit makes the well invalid → take a new sample. Kits differ in target names and
cut-offs, so every number here is a field of :class:`AssayRule`, stored with each round.

A kit also says how to read several wells of one tube (replicates, or one target per
well: :func:`combine_replicates`) and what its plate controls must show
(:func:`check_controls`): a no-template control (NTC) with a Cq invalidates the plate,
as does a positive control that does not amplify or a standard curve whose efficiency
is out of range (the MIQE guidelines, Bustin et al., Clin Chem 2009, ask for 90–110 %).

Pure: no database or web imports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from keepline.errors import InputError, quote


class Verdict(StrEnum):
    positive = "positive"
    negative = "negative"
    retest = "retest"  # one target only: test the same person again
    resample = "resample"  # internal control invalid: take a new swab


@dataclass(frozen=True)
class AssayRule:
    """A kit's interpretation rule.

    ``targets`` must all amplify with Ct ≤ ``positive_max_ct`` for a positive; a
    subset is a retest. ``internal_control`` must amplify with Ct ≤ ``ic_max_ct``.
    ``aliases`` maps the names labs and instruments write (case-insensitive) to the
    rule's names. A Ct outside (0, ``max_cycles``] is an error in the file.
    ``undetermined_ct`` lists values an instrument writes for "no Cq" (the StepOne
    exports undetermined wells as 40.0), read as not detected.
    """

    kit: str = "default"
    targets: tuple[str, ...] = ("ORF1ab", "N")
    internal_control: str = "IC"
    positive_max_ct: float = 40.0
    ic_max_ct: float = 40.0
    max_cycles: float = 45.0
    aliases: dict[str, str] = field(
        default_factory=lambda: {
            "orf1ab": "ORF1ab",
            "orf1a/b": "ORF1ab",
            "orf1": "ORF1ab",
            "n": "N",
            "n gene": "N",
            "n-gene": "N",
            "ic": "IC",
            "internal control": "IC",
            "rnase p": "IC",
            "rnasep": "IC",
            "rp": "IC",
        }
    )
    undetermined_ct: tuple[float, ...] = ()
    # Per-target cut-offs where the kit's leaflet gives one (else positive_max_ct).
    target_max_ct: dict[str, float] = field(default_factory=dict)
    # "all": every target detected → positive, some → retest (the national rule);
    # "any": one target detected is a positive.
    positive_when: str = "all"
    # How several wells of one tube and target combine: "single" (a second well is an
    # error), "any", "all", "majority" or "K-of-N" (e.g. "2-of-3": exactly N wells,
    # at least K detected).
    replicates: str = "single"
    # Channels the file reports that the kit does not read (a passive reference dye).
    ignore_targets: tuple[str, ...] = ()
    # An NTC Cq above this is tolerated (late non-specific signal of a dye assay);
    # None: any Cq in an NTC invalidates the plate.
    ntc_tolerated_above: float | None = None
    # A positive control must show every target with Cq ≤ this (None: positive_max_ct).
    pos_max_ct: float | None = None
    # A standard curve's amplification efficiency must lie in this range, and its fit
    # reach this R² (checked when the plate has standards of ≥ 3 known quantities).
    std_efficiency: tuple[float, float] = (0.90, 1.10)
    std_min_r2: float = 0.98

    def __post_init__(self) -> None:
        if not self.targets:
            raise InputError(["assay rule: 'targets' must name at least one target"])
        if self.positive_when not in ("all", "any"):
            raise InputError(["assay rule: positive_when must be 'all' or 'any'"])
        replicate_rule(self.replicates)  # raises on a rule it cannot read
        for t, v in self.target_max_ct.items():
            if t not in self.targets or not 0 < v <= self.max_cycles:
                raise InputError(
                    [f"assay rule: target_max_ct {t}: a target of the kit, Ct in (0, max_cycles]"]
                )
        if not 0 < self.positive_max_ct <= self.max_cycles:
            raise InputError(
                [f"assay rule: positive_max_ct must be in (0, max_cycles={self.max_cycles}]"]
            )
        if not 0 < self.ic_max_ct <= self.max_cycles:
            raise InputError(
                [f"assay rule: ic_max_ct must be in (0, max_cycles={self.max_cycles}]"]
            )

    @property
    def all_targets(self) -> tuple[str, ...]:
        """The targets and the internal control (a kit without one: ``""``)."""
        return (*self.targets, self.internal_control) if self.internal_control else self.targets

    def cutoff(self, target: str) -> float:
        if target == self.internal_control:
            return self.ic_max_ct
        return self.target_max_ct.get(target, self.positive_max_ct)

    def ignored(self, name: str) -> bool:
        low = name.strip().lower()
        return any(t.lower() == low for t in self.ignore_targets)

    def canonical(self, name: str) -> str | None:
        """The rule's name for a target as written in a file, or None if unknown."""
        n = name.strip()
        if n in self.all_targets:
            return n
        low = n.lower()
        for t in self.all_targets:
            if t.lower() == low:
                return t
        alias = self.aliases.get(low)
        return alias if alias in self.all_targets else None

    def check_ct(self, ct: float | None, where: str) -> float | None:
        """Validate one Ct as read from a file; return None for "not detected"."""
        if ct is None:
            return None
        if ct in self.undetermined_ct:
            return None
        if not 0 < ct <= self.max_cycles:
            raise InputError(
                [f"{where}: Ct {ct:g} out of range (0, {self.max_cycles:g}] for kit '{self.kit}'"]
            )
        return ct

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["targets"] = list(self.targets)
        d["undetermined_ct"] = list(self.undetermined_ct)
        d["ignore_targets"] = list(self.ignore_targets)
        d["std_efficiency"] = list(self.std_efficiency)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> AssayRule:
        if not d:
            return cls()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(d) - known)
        if unknown:
            raise InputError([f"assay rule: unknown field(s) {', '.join(unknown)}"])
        kw = dict(d)
        if "targets" in kw:
            kw["targets"] = tuple(kw["targets"])
        if "undetermined_ct" in kw:
            kw["undetermined_ct"] = tuple(float(x) for x in kw["undetermined_ct"])
        for name in ("ignore_targets", "std_efficiency"):
            if name in kw:
                kw[name] = tuple(kw[name])
        if "target_max_ct" in kw:
            kw["target_max_ct"] = {str(k): float(v) for k, v in kw["target_max_ct"].items()}
        if kw.get("internal_control") is None and "internal_control" in kw:
            kw["internal_control"] = ""
        if "aliases" in kw:
            kw["aliases"] = {str(k).lower(): str(v) for k, v in kw["aliases"].items()}
        return cls(**kw)


@dataclass(frozen=True)
class Interpretation:
    verdict: Verdict
    reason: str
    cts: dict[str, float | None]  # every target of the rule, None = not detected


def interpret(rule: AssayRule, cts: dict[str, float | None]) -> Interpretation:
    """Apply ``rule`` to one sample's Ct values (keys: the rule's target names).

    A target absent from ``cts`` is an error: the import must report every target.
    """
    missing = [t for t in rule.all_targets if t not in cts]
    if missing:
        raise InputError([f"no result for target(s) {', '.join(missing)} (kit '{rule.kit}')"])
    full = {t: cts[t] for t in rule.all_targets}
    if rule.internal_control:
        ic = full[rule.internal_control]
        if ic is None or ic > rule.ic_max_ct:
            shown = "not detected" if ic is None else f"Ct {ic:g} > {rule.ic_max_ct:g}"
            return Interpretation(
                Verdict.resample,
                f"internal control {rule.internal_control} invalid ({shown})",
                full,
            )
    detected = [t for t in rule.targets if (c := full[t]) is not None and c <= rule.cutoff(t)]
    cut = _cutoffs(rule, rule.targets)
    if len(detected) == len(rule.targets) or (detected and rule.positive_when == "any"):
        return Interpretation(Verdict.positive, f"{' and '.join(detected)} Ct ≤ {cut}", full)
    if detected:
        other = [t for t in rule.targets if t not in detected]
        return Interpretation(
            Verdict.retest,
            f"only {', '.join(detected)} Ct ≤ {cut} ({', '.join(other)} not)",
            full,
        )
    return Interpretation(Verdict.negative, "no target detected", full)


def _cutoffs(rule: AssayRule, targets: Sequence[str]) -> str:
    values = {rule.cutoff(t) for t in targets}
    if len(values) == 1:
        return f"{values.pop():g}"
    return "/".join(f"{rule.cutoff(t):g}" for t in targets)


def replicate_rule(text: str) -> tuple[int, int | None] | str:
    """A replicate rule read: "single", "any", "all", "majority" as they are, "K-of-N"
    as ``(K, N)``."""
    if text in ("single", "any", "all", "majority"):
        return text
    m = re.fullmatch(r"(\d+)-of-(\d+)", text.strip())
    if not m or not 0 < int(m.group(1)) <= int(m.group(2)):
        raise InputError(
            [
                f"assay rule: replicates {quote(text)}: one of single, any, all, majority "
                "or K-of-N (e.g. 2-of-3)"
            ]
        )
    return int(m.group(1)), int(m.group(2))


def combine_replicates(
    rule: AssayRule, target: str, cts: Sequence[float | None], where: str
) -> float | None:
    """One Ct for a target measured in several wells of one tube, by the kit's rule.

    A well counts as detected when its Ct is at or below the target's cut-off. When the
    rule holds, the result is the mean Ct of the detected wells; when it does not, "not
    detected" (None). One well is returned as it is.
    """
    if len(cts) == 1:
        return cts[0]
    how = replicate_rule(rule.replicates)
    if how == "single":
        raise InputError(
            [
                f"{where}: {len(cts)} wells for target {target}; kit '{rule.kit}' reads "
                "one well per target (declare its 'replicates' rule: any, all, majority, K-of-N)"
            ]
        )
    cut = rule.cutoff(target)
    hits = [c for c in cts if c is not None and c <= cut]
    n = len(cts)
    if isinstance(how, tuple):
        need, total = how
        if n != total:
            raise InputError(
                [
                    f"{where}: {n} wells for target {target}; "
                    f"kit '{rule.kit}' reads {need}-of-{total}"
                ]
            )
    else:
        need = {"any": 1, "all": n, "majority": n // 2 + 1}[how]
    return sum(hits) / len(hits) if len(hits) >= need else None


class ControlKind(StrEnum):
    ntc = "ntc"  # no-template / negative control: nothing may amplify
    pos = "pos"  # positive control: every target must amplify
    std = "std"  # standards of known quantity: the curve's efficiency


# Sample types (RDML's, and what instrument tables write) by the control they are.
CONTROL_TYPES: dict[str, ControlKind] = {
    **dict.fromkeys(("ntc", "nac", "ntp", "nrt", "neg", "neg ctrl", "negative"), ControlKind.ntc),
    **dict.fromkeys(("pos", "ptc", "pos ctrl", "positive"), ControlKind.pos),
    **dict.fromkeys(("std", "standard"), ControlKind.std),
}


@dataclass(frozen=True)
class ControlWell:
    """One control reaction as read: its kind, place, the kit's target and Ct."""

    kind: ControlKind
    place: str
    target: str
    ct: float | None
    quantity: float | None = None


@dataclass(frozen=True)
class ControlCheck:
    """A control's result for the import report; ``ok`` False invalidates the plate."""

    kind: str
    place: str
    target: str
    ct: float | None
    ok: bool
    note: str


def check_controls(rule: AssayRule, wells: Sequence[ControlWell]) -> list[ControlCheck]:
    """Each control well checked by the kit's rule (and the standard curve once).

    NTC: no target of the kit may show a Ct (above ``ntc_tolerated_above`` is tolerated);
    the internal control is not judged in an NTC (it has no template). Positive control:
    every target with Ct ≤ ``pos_max_ct``. Standards: efficiency and R² of Ct against
    log10(quantity), when ≥ 3 quantities are given.
    """
    out: list[ControlCheck] = []
    for w in wells:
        if w.kind is ControlKind.ntc:
            if w.target == rule.internal_control:
                continue
            bad = w.ct is not None and (
                rule.ntc_tolerated_above is None or w.ct <= rule.ntc_tolerated_above
            )
            allowed = (
                "none"
                if rule.ntc_tolerated_above is None
                else f"none ≤ {rule.ntc_tolerated_above:g}"
            )
            note = f"Ct {w.ct:g}; kit '{rule.kit}' allows {allowed}" if bad else "clean"
            out.append(ControlCheck(w.kind.value, w.place, w.target, w.ct, not bad, note))
        elif w.kind is ControlKind.pos:
            cut = rule.pos_max_ct if rule.pos_max_ct is not None else rule.cutoff(w.target)
            ok = w.ct is not None and w.ct <= cut
            shown = "no Ct" if w.ct is None else f"Ct {w.ct:g}"
            note = f"{shown} ≤ {cut:g}" if ok else f"{shown}; kit '{rule.kit}' needs Ct ≤ {cut:g}"
            out.append(ControlCheck(w.kind.value, w.place, w.target, w.ct, ok, note))
    out += _standard_curves(rule, [w for w in wells if w.kind is ControlKind.std])
    return out


@dataclass(frozen=True)
class StandardCurve:
    slope: float
    intercept: float
    r2: float
    efficiency: float  # 10^(-1/slope) - 1: 1.0 is a perfect doubling per cycle


def standard_curve(points: Sequence[tuple[float, float]]) -> StandardCurve:
    """Least-squares line of Ct against log10(quantity); ``points`` are (quantity, Ct)."""
    xs = [math.log10(q) for q, _ in points]
    ys = [c for _, c in points]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    syy = sum((y - my) ** 2 for y in ys)
    slope = sxy / sxx
    r2 = (sxy * sxy) / (sxx * syy) if syy else 1.0
    return StandardCurve(slope, my - slope * mx, r2, 10 ** (-1 / slope) - 1)


def _standard_curves(rule: AssayRule, wells: Sequence[ControlWell]) -> list[ControlCheck]:
    out = []
    by_target: dict[str, list[ControlWell]] = {}
    for w in wells:
        by_target.setdefault(w.target, []).append(w)
    lo, hi = rule.std_efficiency
    for target, ws in by_target.items():
        points = [(w.quantity, w.ct) for w in ws if w.quantity and w.quantity > 0 and w.ct]
        place = f"{len(ws)} standard wells from {ws[0].place}"
        if len({q for q, _ in points}) < 3:
            out.append(
                ControlCheck(
                    "std", place, target, None, True, "fewer than 3 quantities: not fitted"
                )
            )
            continue
        curve = standard_curve(points)  # type: ignore[arg-type]
        ok = curve.slope < 0 and lo <= curve.efficiency <= hi and curve.r2 >= rule.std_min_r2
        note = (
            f"efficiency {curve.efficiency:.1%} (slope {curve.slope:.3f}), R² {curve.r2:.4f}; "
            f"kit '{rule.kit}' needs {lo:.0%}–{hi:.0%}, R² ≥ {rule.std_min_r2:g}"
        )
        out.append(ControlCheck("std", place, target, None, ok, note))
    return out
