"""The words a plant's files may use, in Chinese and English: other names for a file's
columns, the words for an enum's values, and how a name given in a file is matched.

The words live next to what they name: a pydantic field lists its column's other names in
its metadata (``Field(json_schema_extra=headers("工号", "员工编号"))``), a file without a
model keeps one table (``{"sample_id": ("样本编号", ...)}``), and an enum's members carry
their words (``fever = "fever", "发热", "发烧"``). ``docs/import-files.md`` is generated
from them (``python -m keepline.filedocs``); a test fails when it drifts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel

from keepline.errors import msg

HEADERS_KEY = "x-file-headers"

# Words for the usual shift ids (a plant's shifts have ids, not display names).
SHIFT_WORDS: dict[str, tuple[str, ...]] = {
    "day": ("白班", "日班", "早班", "day shift"),
    "night": ("夜班", "晚班", "night shift"),
    "evening": ("中班", "evening shift"),
    "middle": ("中班",),
    "swing": ("中班", "swing shift"),
}
COMMUTER_WORDS = ("走读", "不住宿", "通勤")


def headers(*aliases: str) -> dict[str, Any]:
    """``json_schema_extra`` for a field whose file column may also be headed ``aliases``."""
    return {HEADERS_KEY: list(aliases)}


def model_headers(
    model: type[BaseModel], *, only: Sequence[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """Each field of ``model`` (or of ``only``, in that order) → the other names its column
    may have, from the field's metadata."""
    out: dict[str, tuple[str, ...]] = {}
    for name in only or list(model.model_fields):
        extra = model.model_fields[name].json_schema_extra
        aliases = extra.get(HEADERS_KEY, []) if isinstance(extra, dict) else []
        out[name] = tuple(str(a) for a in aliases)  # type: ignore[union-attr]
    return out


def key(text: str) -> str:
    """How two names are compared: NFKC (full-width → half-width), case, spaces, '_' and
    '-' ignored, and a unit in brackets dropped: '体温（℃）', 'Temperature C' and
    'temperature_c' all match."""
    t = unicodedata.normalize("NFKC", text)
    t = re.split(r"[(\[]", t, maxsplit=1)[0]
    return re.sub(r"[\s_\-]+", "", t).casefold()


def column_map(columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Every accepted header, as :func:`key` sees it → its column's canonical name."""
    out: dict[str, str] = {}
    for canonical, aliases in columns.items():
        for word in (canonical, *aliases):
            out.setdefault(key(word), canonical)
    return out


class Labelled(StrEnum):
    """A string enum whose members carry other words for their value (Chinese and
    English), for files: ``fever = "fever", "发热", "发烧"``. The API takes the value only;
    a file reader calls :meth:`from_text`."""

    labels: tuple[str, ...]

    def __new__(cls, value: str, *labels: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.labels = labels
        return member

    @classmethod
    def from_text(cls, text: str) -> Self | None:
        """The member ``text`` names (its value, its name or one of its words), or None."""
        if text in cls._value2member_map_:
            return cls(text)
        words = _ENUM_WORDS.get(cls)
        if words is None:
            words = Names({m.value: (m.name, *m.labels) for m in cls})
            _ENUM_WORDS[cls] = words
        found = words.get(text)
        return None if found is None else cls(found)

    @classmethod
    def described(cls) -> str:
        """'active (在职), on-leave (休假, 请假), ...' for messages and docs."""
        return ", ".join(f"{m.value} ({', '.join(m.labels)})" if m.labels else m.value for m in cls)


def known(ids: Iterable[str], limit: int = 12) -> str:
    """'(known: a, b, …)' for an 'unknown X' message."""
    ids = list(ids)
    shown = ", ".join(ids[:limit])
    if not ids:
        return msg("(none defined)")
    return msg("(known: %(ids)s)", ids=shown + (", …" if len(ids) > limit else ""))


class Names:
    """Ids and their display names (any language): which id a word in a file names."""

    def __init__(self, names: Mapping[str, Iterable[str | None]]) -> None:
        self.ids = list(names)
        self._index: dict[str, str] = {}
        for ident in self.ids:  # an id wins over another's display name
            self._index.setdefault(key(ident), ident)
        ids = set(self._index)
        by_name: dict[str, set[str]] = {}
        for ident, words in names.items():
            for w in words:
                if w and key(w) not in ids:
                    by_name.setdefault(key(w), set()).add(ident)
        # A name two of them share names neither: the file must give the id.
        self._index.update({k: next(iter(v)) for k, v in by_name.items() if len(v) == 1})

    def get(self, text: str) -> str | None:
        """The id ``text`` is or names, or None."""
        return self._index.get(key(text)) if text else None

    def __contains__(self, ident: object) -> bool:
        return ident in self.ids


_ENUM_WORDS: dict[type, Names] = {}
