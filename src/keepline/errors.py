"""Errors that reach the user as one line (CLI) or a 4xx body (API)."""

from __future__ import annotations

from collections.abc import Sequence


class KeeplineError(Exception):
    """An error whose message is meant for the user, in one line."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
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
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "invalid input"
        more = len(self.problems) - 1
        msg = first if more <= 0 else f"{first} (and {more} more problem{'s' * (more > 1)})"
        super().__init__(msg)
