"""Interpret a sample's Ct values by a test kit's rule.

The default follows the instructions for use of the dual-target SARS-CoV-2 RT-PCR kits
approved in China (ORF1ab and N genes, with an internal control such as RNase P), as
in the national *Technical Guidelines for Nucleic Acid Testing* (Joint Prevention and
Control Mechanism of the State Council): both targets with Ct ≤ 40 → positive; only
one → retest; neither → negative; an internal control that does not amplify within its
limit makes the well invalid → take a new sample. Kits differ in target names and
cut-offs, so every number here is a field of :class:`AssayRule`, stored with each round.

Pure: no database or web imports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from keepline.errors import InputError


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

    def __post_init__(self) -> None:
        if not self.targets:
            raise InputError(["assay rule: 'targets' must name at least one target"])
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
        return (*self.targets, self.internal_control)

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
    ic = full[rule.internal_control]
    if ic is None or ic > rule.ic_max_ct:
        shown = "not detected" if ic is None else f"Ct {ic:g} > {rule.ic_max_ct:g}"
        return Interpretation(
            Verdict.resample, f"internal control {rule.internal_control} invalid ({shown})", full
        )
    detected = [t for t in rule.targets if full[t] is not None and full[t] <= rule.positive_max_ct]
    if len(detected) == len(rule.targets):
        return Interpretation(
            Verdict.positive,
            f"{' and '.join(rule.targets)} Ct ≤ {rule.positive_max_ct:g}",
            full,
        )
    if detected:
        other = [t for t in rule.targets if t not in detected]
        return Interpretation(
            Verdict.retest,
            f"only {', '.join(detected)} Ct ≤ {rule.positive_max_ct:g} ({', '.join(other)} not)",
            full,
        )
    return Interpretation(Verdict.negative, "no target detected", full)
