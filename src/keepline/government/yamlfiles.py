"""Read the jurisdiction and checklist files (YAML), naming ``file:line`` in every error."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from keepline import yamlkit
from keepline.errors import InputError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]
MAX_BYTES = 2_000_000


def _line_map(node: yaml.Node, path: Loc, out: dict[Loc, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _line_map(value_node, path + (key_node.value,), out)
            out[path + (key_node.value,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, path + (i,), out)


def _path_str(loc: Loc) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _key_path(head: str) -> Loc:
    """``jurisdiction.children[0].difficulties`` → ('jurisdiction', 'children', 0,
    'difficulties'): a validator naming a nested key (the inverse of :func:`_path_str`)."""
    out: list[str | int] = []
    for part in head.split("."):
        name, *indexes = part.split("[")
        out += [name] if name else []
        out += [int(i.rstrip("]")) for i in indexes if i.rstrip("]").isdigit()]
    return tuple(out)


def parse(text: str, name: str, model: type[M]) -> M:
    """Parse and validate YAML ``text`` as ``model``; errors read ``name:line path: why``."""
    if len(text.encode()) > MAX_BYTES:
        raise InputError([f"{name}: larger than {MAX_BYTES} bytes"])
    if not text.strip():
        raise InputError([f"{name}:1: the file is empty"])
    node, data = yamlkit.read_nodes(text, name)
    lines: dict[Loc, int] = {}
    if node is not None:
        _line_map(node, (), lines)

    def locate(loc: Loc) -> int:
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                return lines[loc[:n]]
        return 1

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = tuple(p for p in e["loc"] if isinstance(p, str | int))
            msg = str(e["msg"]).removeprefix("Value error, ")
            head, _, rest = msg.partition(": ")
            if rest and loc + (head,) in lines:  # a validator naming the key it checked
                loc, msg = loc + (head,), rest
            elif rest and " " not in head and len(_key_path(head)) > 1:  # a nested key
                loc, msg = loc + _key_path(head), rest
            where = _path_str(loc)
            problems.append(f"{name}:{locate(loc)} {where + ': ' if where else ''}{msg}")
        raise InputError(problems) from None


def read(path: Path, model: type[M]) -> M:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror}"]) from None
    return parse(text, str(path), model)
