"""Read and write plant files as YAML, keeping line numbers for error messages."""

from __future__ import annotations

import re
from pathlib import Path as FsPath
from typing import Any

import yaml

from keepline.errors import InputError
from keepline.plant.schema import PlantFile
from keepline.plant.validate import MAX_FILE_BYTES, Locator, Path, path_str, validate_plant
from keepline.yamlkit import NoAliasLoader, read_nodes


class _Loader(NoAliasLoader):
    """The no-alias SafeLoader, reading ``20:00`` as a string, not as YAML 1.1 base-60 ``1200``."""


_Loader.yaml_implicit_resolvers = {
    k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_TIME = re.compile(r"^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$")
for _digit in "0123456789":
    _Loader.yaml_implicit_resolvers.setdefault(_digit, []).insert(
        0, ("tag:yaml.org,2002:str", _TIME)
    )


def _line_map(
    node: yaml.Node, path: Path, out: dict[Path, int], dupes: list[str], name: str
) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append(
                    f"{name}:{key_node.start_mark.line + 1} "
                    f"{path_str(path + (key,))}: duplicate key '{key}'"
                )
            seen.add(key)
            out[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), out, dupes, name)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, path + (i,), out, dupes, name)


def read_located(text: str, name: str, what: str = "plant file") -> tuple[Any, Locator]:
    """Parse YAML text into plain data and a locator from a field path to ``name:line``.

    ``what`` names the kind of file in messages ("plant file", "plan file").
    """
    if not text.strip():
        raise InputError([f"{name}:1: the {what} is empty"])
    node, data = read_nodes(text, name, _Loader)
    lines: dict[Path, int] = {}
    dupes: list[str] = []
    if node is not None:
        _line_map(node, (), lines, dupes, name)
    if dupes:
        raise InputError(dupes)

    def locate(path: Path) -> str:
        for n in range(len(path), -1, -1):
            if path[:n] in lines:
                return f"{name}:{lines[path[:n]]}"
        return f"{name}:1"

    return data, locate


def parse_yaml(text: str, name: str) -> PlantFile:
    """Parse and validate plant-file text; ``name`` is used in error messages."""
    data, locate = read_located(text, name)
    return validate_plant(data, locate)


def read_text_checked(path: FsPath, what: str = "plant file") -> str:
    if not path.exists():
        raise InputError([f"{path}: no such file"])
    if path.is_dir():
        raise InputError([f"{path}: is a folder, not a {what}"])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(
            [
                f"{path}: file is {size / 2**20:.1f} MiB; a {what} may be at most "
                f"{MAX_FILE_BYTES / 2**20:.0f} MiB"
            ]
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None


def load_yaml(path: FsPath | str) -> PlantFile:
    path = FsPath(path)
    return parse_yaml(read_text_checked(path), str(path))


def plant_to_data(plant: PlantFile) -> dict[str, Any]:
    """Plain data in the plant file's layout, without defaults that add nothing."""
    data = plant.model_dump(mode="json", exclude_defaults=False)
    for section, keys in (("zones", ("name_zh",)), ("teams", ("name", "name_zh"))):
        for item in data.get(section, []):
            for k in keys:  # optional display names, unset: not worth a key per row
                if item.get(k) is None:
                    item.pop(k, None)
    return data


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Quote strings that YAML 1.1 would read back as something else (times, codes).
    if _TIME.match(value) or value.isdigit():
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(plant: PlantFile, header: str | None = None) -> str:
    body = yaml.dump(
        plant_to_data(plant), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    if header:
        body = "".join(f"# {ln}\n" if ln else "#\n" for ln in header.splitlines()) + body
    return body
