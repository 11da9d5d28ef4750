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
    """One line of at most ``limit`` characters: the net under ``quote`` for a problem
    that quotes a value some other way (a newline in it becomes a space)."""
    line = " ".join(message.splitlines()) if "\n" in message or "\r" in message else message
    if len(line) <= limit:
        return line
    return f"{line[:limit]}… ({len(line):,} characters)"


class Msg(str):
    """A message for the user that can be translated: it *is* its English text (what the
    API's JSON and the CLI show, unchanged), and it keeps its ``msgid`` (English, with
    ``%(name)s`` placeholders) and ``params``, so the console shows it in the user's
    language through its catalogs. A parameter may be a ``Msg`` itself (translated too);
    values quoted from input stay as they are."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, params: dict[str, object]) -> Msg:
        text = msgid % {k: str(v) for k, v in params.items()} if params else msgid
        self = super().__new__(cls, text)
        self.msgid, self.params = msgid, params
        return self

    def __reduce__(self) -> tuple[object, ...]:  # copied and pickled as itself
        return (Msg, (self.msgid, self.params))


def msg(msgid: str, **params: object) -> Msg:
    """A translatable message (``msgid`` is extracted into the console's catalogs by
    ``keepline.console.catalog``; a test fails while it lacks a translation)."""
    return Msg(msgid, params)


class KeeplineError(Exception):
    """An error whose message is meant for the user, in one line."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.source = message  # a Msg keeps what it needs to be translated
        # Each line cut (an InputError's message is one line per problem).
        message = "\n".join(clip(line) for line in message.split("\n"))
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
        self.problems = [clip(p) for p in problems] or ["invalid input"]
        self.lines = shown_lines(self.problems, self.MAX_SHOWN, unlisted)
        super().__init__("\n".join(self.lines))


def shown_lines(problems: Sequence[str], limit: int, unlisted: int = 0) -> list[str]:
    """``problems`` up to ``limit``, then one line counting the rest."""
    more = max(0, len(problems) - limit) + unlisted
    if more == 0:
        return list(problems)
    return [*problems[:limit], more_line(more)]


def more_line(more: int) -> Msg:
    if more == 1:
        return msg("… and 1 more problem not shown")
    return msg("… and %(n)s more problems not shown", n=more)
