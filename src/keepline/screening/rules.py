"""The pooling rules in force, as data: the one source of the pool sizes that the
screening record accepts and that the outbreak simulator's policies are checked against.

The rules are the national practice of 2020-2022 in China: the *Technical Specification
for 10-in-1 Pooled Nucleic Acid Testing for SARS-CoV-2* (State Council Joint Prevention
and Control Mechanism, 2020) allowed 5- and 10-in-1 pools; its 2022 revision allowed
20-in-1 for low-prevalence screening and warned that larger pools dilute a positive
below the limit of detection. Pools are a single stage: a positive pool's members are
retested individually, never re-pooled (no pools of pools).

The record refuses a size outside the rules with one line naming the field
(:func:`check_pool_size`); the simulator may still simulate one, as a what-if, and says
so (:func:`what_if`).

Pure: no database or web imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from keepline.errors import InputError


@dataclass(frozen=True)
class PoolingRules:
    """Which pools a plant may use. ``sizes`` includes 1 (individual tests)."""

    name: str
    sizes: tuple[int, ...]
    pools_of_pools: bool
    source: str

    @property
    def max_size(self) -> int:
        return max(self.sizes)

    @property
    def choices(self) -> str:
        """The allowed sizes as words: ``1, 5, 10 or 20``."""
        s = [str(x) for x in self.sizes]
        return s[0] if len(s) == 1 else f"{', '.join(s[:-1])} or {s[-1]}"


RULES_IN_FORCE = PoolingRules(
    name="national practice 2020-2022 (5-, 10- or 20-in-1, no pools of pools)",
    sizes=(1, 5, 10, 20),
    pools_of_pools=False,
    source="national guidance on pooled testing (10-in-1, 2020; 20-in-1 at most, 2022) warns "
    "that larger pools dilute positives below the limit of detection",
)


def refusal(size: int, rules: PoolingRules = RULES_IN_FORCE) -> str | None:
    """Why ``size`` is outside ``rules`` (without the field), or None if it is allowed."""
    if size in rules.sizes:
        return None
    if size > rules.max_size:
        return f"pool size {size} refused: {rules.source}; choose {rules.choices}"
    return f"pool size {size} not allowed: choose {rules.choices}"


def check_pool_size(
    size: int, field: str = "pool_size", rules: PoolingRules = RULES_IN_FORCE
) -> int:
    """``size`` if the rules allow it; otherwise an :class:`InputError` of one line that
    names ``field``."""
    why = refusal(size, rules)
    if why is not None:
        raise InputError([f"{field}: {why}"])
    return size


def what_if(size: int, where: str, rules: PoolingRules = RULES_IN_FORCE) -> str | None:
    """The warning a simulation of a pool of ``size`` carries when the rules do not allow
    it (``where`` names the policy field), or None."""
    why = refusal(size, rules)
    if why is None:
        return None
    return (
        f"{where}: pool size {size} is a what-if outside the rules in force "
        f"({rules.name}); the screening record would refuse it"
    )
