"""The console's two languages: Simplified Chinese first, English beside it.

The catalogs are the ``.po`` files under ``locale/``; they are compiled in memory when
first used (babel's ``read_po``/``write_mo``), so there is no build step and no ``.mo``
to fall out of step. The language is the ``keepline_lang`` cookie when set, else the
best of the browser's ``Accept-Language``, else Chinese. Dates and numbers are written
in the locale's format by babel.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from keepline import clock
from keepline.errors import InputError, KeeplineError, Msg, msg

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh_CN", "en")  # the first is the default
LANG_COOKIE = "keepline_lang"
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@functools.cache
def translations(lang: str) -> gettext.GNUTranslations:
    """The compiled catalog of ``lang`` (compiled once per process from its ``.po``)."""
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _q(part: str) -> float:
    _, _, q = part.partition(";q=")
    try:
        return float(q) if q else 1.0
    except ValueError:
        return 0.0


def negotiate(accept_language: str | None, cookie: str | None = None) -> str:
    """The language to answer in: the cookie's, else the browser's best, else Chinese."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    parts = [p.strip() for p in (accept_language or "")[:500].split(",") if p.strip()]
    wanted = [
        p.split(";")[0].strip().replace("-", "_") for p in sorted(parts, key=_q, reverse=True)
    ]
    for tag in wanted:
        base = tag.split("_")[0].lower()
        if base == "zh":
            return "zh_CN"
        if base == "en":
            return "en"
    return LANGUAGES[0]


@dataclass(frozen=True)
class Language:
    """One request's language: its gettext and babel formatters, for templates and routes."""

    code: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.code == "zh_CN" else "en"

    def gettext(self, message: str, **values: Any) -> str:
        text = translations(self.code).gettext(message)
        return text % values if values else text

    def message(self, text: object) -> str:
        """A service's message (:class:`keepline.errors.Msg`) in this language, its
        parameters too; a :class:`FieldPart` of one too; any other text as it is."""
        if isinstance(text, FieldPart):
            whole = self.message(text.whole)
            for sep in (":", "："):  # the catalogs keep the field's name and a colon
                if whole.startswith(text.field + sep):
                    return whole[len(text.field) + 1 :].strip()
            return whole
        if not isinstance(text, Msg):
            return str(text)
        params = {k: self.message(v) if isinstance(v, Msg) else v for k, v in text.params.items()}
        translated = translations(self.code).gettext(text.msgid)
        return translated % params if params else translated

    def error(self, exc: KeeplineError) -> list[str]:
        """An error's lines in this language (an ``InputError``: one a problem)."""
        if isinstance(exc, InputError):
            return [self.message(line) for line in exc.lines]
        return [self.message(exc.source)]

    def ngettext(self, singular: str, plural: str, count: int, **values: Any) -> str:
        """The form for ``count``; ``%(n)s`` is ``count`` unless ``values`` give ``n``
        (a number already written in the locale's format)."""
        text = translations(self.code).ngettext(singular, plural, count)
        return text % ({"n": count} | values)

    def date(self, day: dt.date | None) -> str:
        return "" if day is None else format_date(day, format="medium", locale=self.code)

    def datetime(self, moment: dt.datetime | None) -> str:
        if moment is None:
            return ""
        # In the plant's time zone (a naive value, as SQLite returns, is UTC): a deadline
        # reads as the plant's clock shows it.
        return format_datetime(moment, format="short", tzinfo=clock.plant_tz(), locale=self.code)

    def number(self, value: float | int | None, digits: int = 1) -> str:
        if value is None:
            return "—"
        if isinstance(value, int):
            return format_decimal(value, locale=self.code)
        return format_decimal(value, format=f"#,##0.{'#' * digits}", locale=self.code)

    def percent(self, value: float | None) -> str:
        return "—" if value is None else format_percent(value, format="#,##0.#%", locale=self.code)

    def helpers(self) -> dict[str, Callable[..., Any]]:
        """What a template sees: ``_``/``gettext``/``ngettext`` and the formatters."""
        return dict(
            _=self.gettext,
            gettext=self.gettext,
            ngettext=self.ngettext,
            fmt_date=self.date,
            fmt_datetime=self.datetime,
            fmt_number=self.number,
            fmt_percent=self.percent,
            tr=self.message,
        )


class FieldPart(str):
    """What follows ``field:`` in a translatable line (a form shows it next to the
    field): its English text, and the whole :class:`Msg` to translate it from."""

    whole: Msg
    field: str

    def __new__(cls, whole: Msg, field: str) -> FieldPart:
        self = super().__new__(cls, str(whole).partition(":")[2].strip())
        self.whole, self.field = whole, field
        return self


# pydantic's commonest refusals of a form's field, by error type, as translatable
# messages; each reads exactly as pydantic's own English (checked before it is used).
SCHEMA_MESSAGES = {
    "missing": msg("Field required"),
    "float_parsing": msg("Input should be a valid number, unable to parse string as a number"),
    "int_parsing": msg("Input should be a valid integer, unable to parse string as an integer"),
    "date_from_datetime_parsing": msg("Input should be a valid date or datetime, %(error)s"),
    "date_parsing": msg("Input should be a valid date in the format YYYY-MM-DD, %(error)s"),
    "literal_error": msg("Input should be %(expected)s"),
    "enum": msg("Input should be %(expected)s"),
    "greater_than": msg("Input should be greater than %(gt)s"),
    "greater_than_equal": msg("Input should be greater than or equal to %(ge)s"),
    "less_than": msg("Input should be less than %(lt)s"),
    "less_than_equal": msg("Input should be less than or equal to %(le)s"),
    "string_too_long": msg("String should have at most %(max_length)s characters"),
}


def schema_message(error: Mapping[str, Any]) -> str:
    """A pydantic error's message, translatable when its type is a common one (its
    English unchanged); otherwise pydantic's text."""
    text = str(error.get("msg", ""))
    template = SCHEMA_MESSAGES.get(str(error.get("type")))
    if template is None:
        return text
    ctx = error.get("ctx") or {}
    params = {
        k: format(v, "g") if isinstance(v, float) else v for k, v in ctx.items() if k != "error"
    }
    if "error" in ctx:
        params["error"] = str(ctx["error"])
    translated = Msg(template.msgid, params)
    return translated if translated == text else text


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message
