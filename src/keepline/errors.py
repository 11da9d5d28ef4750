"""Errors that reach the user as one line (CLI) or a 4xx body (API)."""

from __future__ import annotations

from collections.abc import Sequence

QUOTE_CHARS = 40
"""At most this many characters of a value are quoted in an error."""
MAX_MESSAGE_CHARS = 1000
"""A message longer than this (a value quoted without ``quote``) is cut to this length."""


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """``value`` quoted for an error message: its first ``limit`` characters, escaped
    (a newline or an escape sequence in a value must not break the one line), and its
    length when it is longer. Every error that quotes input goes through this."""
    if not isinstance(value, str):
        text = repr(value)  # a number stays a number: got 10, not got '10'
        return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


def clip(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """One line of at most ``limit`` characters: the net under ``quote`` for a message
    that quotes a value some other way."""
    line = " ".join(message.splitlines()) if "\n" in message or "\r" in message else message
    if len(line) <= limit:
        return line
    return f"{line[:limit]}… ({len(line):,} characters)"


class KeeplineError(Exception):
    """An error whose message is meant for the user, in one line."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        message = clip(message)
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotFound(KeeplineError):
    exit_code = 3


class InputError(KeeplineError):
    """Bad input: names the file, the line/row and the field.

    ``problems`` holds every problem found; the message shows the first and counts the
    rest, so the CLI stays on one line while an API can return them all.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = [clip(p) for p in problems]
        first = self.problems[0] if self.problems else "invalid input"
        more = len(self.problems) - 1
        msg = first if more <= 0 else f"{first} (and {more} more problem{'s' * (more > 1)})"
        super().__init__(msg)
