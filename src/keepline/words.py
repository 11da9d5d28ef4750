"""Words in messages: a count with its noun in the right number, a noun with its article."""

from __future__ import annotations

# Words spelt with a vowel but said with a consonant ("a unit", "a user", "a one-off").
_A_BEFORE = ("uni", "use", "usu", "one", "eu")


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``1 enterprise``, ``2 enterprises``, ``0 policies``: the count and the noun, in
    the number the count asks for (``many`` when the plural is not regular)."""
    if n == 1:
        return f"{n} {noun}"
    if many is None:
        if noun.endswith("y") and noun[-2:-1] not in "aeiou":
            many = noun[:-1] + "ies"
        elif noun.endswith(("s", "x", "ch", "sh")):
            many = noun + "es"
        else:
            many = noun + "s"
    return f"{n} {many}"


def a(noun: str) -> str:
    """The noun with its indefinite article: ``a receipt``, ``an issue``, ``a unit``."""
    low = noun.lower()
    vowel = low[:1] in ("a", "e", "i", "o", "u") and not low.startswith(_A_BEFORE)
    return f"{'an' if vowel else 'a'} {noun}"
