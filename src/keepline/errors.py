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

    ``problems`` holds every problem found. The message lists them all, one a line, up
    to ``MAX_SHOWN`` and then a count of the rest: a user fixes a file in one pass, not
    one error per run. The CLI prints each line as an ``error:`` line; the API joins
    them with '; ' and returns ``problems`` whole.
    """

    MAX_SHOWN = 20

    def __init__(self, problems: Sequence[str], *, unlisted: int = 0) -> None:
        """``unlisted``: problems found but left out of ``problems`` (a reader that stops
        keeping them after a bound); they are counted in the message."""
        self.problems = list(problems) or ["invalid input"]
        self.lines = shown_lines(self.problems, self.MAX_SHOWN, unlisted)
        super().__init__("\n".join(self.lines))


def shown_lines(problems: Sequence[str], limit: int, unlisted: int = 0) -> list[str]:
    """``problems`` up to ``limit``, then one line counting the rest."""
    more = max(0, len(problems) - limit) + unlisted
    if more == 0:
        return list(problems)
    return [*problems[:limit], f"… and {more} more problem{'s' * (more > 1)} not shown"]
