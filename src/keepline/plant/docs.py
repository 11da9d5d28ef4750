"""Generate ``docs/plant-file.md`` from the pydantic models (run ``make docs``).

A test regenerates the text and compares it with the committed file, so the document
cannot drift from the schema.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from keepline.plant import schema as s

INTRO = """# The plant file

One YAML file (or the equivalent Excel workbook) holds everything static about a plant:
zones, shifts, teams, lines, products and bills of materials, materials with reserves,
suppliers with primary and backup options, logistics lanes, recovery times and
customers' orders. `keepline plant load FILE` validates it and loads it into the
database; `keepline plant export ID -o FILE` writes it back without loss.

This page is generated from the pydantic models in `src/keepline/plant/schema.py`
(`make docs`); a test fails if it drifts. The JSON Schema is printed by
`keepline plant schema` and kept in `docs/plant-file.schema.json`; the Excel template
with the same tables is written by `keepline plant template -o plant.xlsx`.

Conventions: identifiers are short slugs (`assembly-a`, `qpcr-96`: lower-case letters,
digits, `.`, `_`, `-`); region codes are six-digit GB/T 2260 administrative codes
(quote them in YAML: `'320300'`); times are `'HH:MM'` (quoted); dates are ISO
(`2026-12-01`); days count from `horizon_start`. Every cross-reference is checked, and
every error names the file, the line and the field, e.g.
`examples/x.yaml:42 lines[2].zone: unknown zone 'assembly-z' (known: assembly-a, optics)`.

The two reference plants in `examples/` show every section in use.
"""

SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("(top level)", s.PlantFile, "The file's top-level keys."),
    ("enterprise", s.Enterprise, "Who the plant is and who oversees it."),
    ("zones[]", s.Zone, "Areas of the site; people in a zone and shift meet each other."),
    ("shifts[]", s.Shift, "Working shifts."),
    ("teams[]", s.Team, "Groups of workers: where and when they work, where they live."),
    ("lines[]", s.Line, "Production lines; crew comes from the line's zone."),
    ("products[]", s.Product, "What the plant makes."),
    ("materials[]", s.Material, "Raw, prevention and consumable materials with their stock."),
    ("materials[].supply_options[]", s.SupplyOption, "Where a material can be bought."),
    ("suppliers[]", s.Supplier, "Suppliers and where they are."),
    ("lanes[]", s.Lane, "Transport from a supplier region to the plant."),
    ("recovery", s.Recovery, "Time to recover (TTR) after a node is lost."),
    ("orders[]", s.Order, "Customers' orders."),
]


def type_name(ann: Any) -> str:
    """A field's type in words for the generated file documentation (plant and plan files)."""
    origin = get_origin(ann)
    if origin is list:
        return f"list of {type_name(get_args(ann)[0])}"
    if origin is dict:
        k, v = get_args(ann)
        return f"map {type_name(k)} → {type_name(v)}"
    if origin is Literal:
        return " \\| ".join(f"`{json.dumps(a)}`" for a in get_args(ann))
    if origin in (Union, UnionType):  # `X | None`: the field's default says it may be empty
        return " or ".join(type_name(a) for a in get_args(ann) if a is not type(None))
    if origin is Annotated or hasattr(ann, "__metadata__"):
        return type_name(get_args(ann)[0])
    if isinstance(ann, type) and issubclass(ann, Enum):
        return " \\| ".join(f"`{m.value}`" for m in ann)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann.__name__
    if ann is dt.timedelta:
        return "duration"
    return {str: "text", int: "integer", float: "number", bool: "boolean"}.get(
        ann, getattr(ann, "__name__", str(ann))
    )


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "optional (defaults below)"
        if isinstance(value, dict):
            value = {str(getattr(k, "value", k)): v for k, v in value.items()}
        return f"default `{json.dumps(value)}`" if value else "optional"
    return f"default `{json.dumps(getattr(field.default, 'value', field.default))}`"


def render() -> str:
    out = [INTRO]
    for title, model, what in SECTIONS:
        out.append(f"## `{title}`\n\n{what}\n")
        out.append("| field | type | unit | | meaning |")
        out.append("|---|---|---|---|---|")
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            unit = extra.get("unit", "")
            desc = (f.description or "").replace("|", "\\|").replace("\n", " ")
            out.append(
                f"| `{name}` | {type_name(f.annotation)} | {unit} | {_default(f)} | {desc} |"
            )
        out.append("")
    return "\n".join(out)


def schema_text(model: type[BaseModel]) -> str:
    """``model``'s JSON Schema as the committed ``docs/*.schema.json`` holds it."""
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def json_schema_text() -> str:
    return schema_text(s.PlantFile)


def main(render: Callable[[], str], json_schema: Callable[[], str]) -> None:
    """``python -m …docs``: the Markdown page; with ``--json-schema``, the JSON Schema."""
    sys.stdout.write(json_schema() if sys.argv[1:2] == ["--json-schema"] else render())


if __name__ == "__main__":
    main(render, json_schema_text)
