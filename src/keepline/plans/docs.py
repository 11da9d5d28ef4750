"""Generate ``docs/plans.md`` and ``docs/plan-file.schema.json`` from the plan models.

Run ``make docs``. A test regenerates both and compares them with the committed files,
so the documents cannot drift from :mod:`keepline.plans.schema`.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from pydantic import BaseModel

from keepline.plans import schema as s
from keepline.plant.docs import main, schema_text, type_name

INTRO = """# Emergency plans

An emergency plan is data: one YAML file per enterprise and version, with response
**levels** (lowest first, each listing the actions it allows) and **rules**, each
*trigger → actions*. A trigger reads the plant's daily record (a positive in a zone,
days of cover of a material, declarations missing by a time of day, ...); triggers
combine with `all:` and `any:`. What fired a trigger — the zone, material, supplier,
region or order — is *carried* into the rule's actions: an action names it as `$zone` or
`$material`, and a text as `{zone}`, `{material}`, `{supplier}`, `{region}`, `{order}`
(and `{rule}`, `{day}`). Every action says whether it runs by itself (`auto: true`) or
waits for a person to confirm it (`auto: false`, the default).

A rule fires once for each thing that fired it; its *cause* is the rule and what it
carries (`positive-in-zone|zone=assembly`). An activation is opened once per cause, and
not again while one is open for the same cause.

This page is generated from the pydantic models in `src/keepline/plans/schema.py`
(`make docs`); a test fails if it drifts. The JSON Schema is in
`docs/plan-file.schema.json`. The reference plans are `examples/plans/*.yaml`.

Units are in the field names or the unit column: `within_days`, `below_days`,
`quarantine_days` are days; `share_above` is a fraction from 0 to 1 (0.1 = 10 %, a
percentage is refused); `by_time` is a plant-local time `'HH:MM'` (quoted); `deadline`
is a duration written `4h`, `30m`, `2d`, `1d12h` or ISO 8601 `PT4H` (a bare number is
refused). Every problem in a plan file is reported on one line naming the file, the line
and the field, e.g.
`plans/x.yaml:42 rules[3].when.zone: unknown zone 'assembly-z' (known: assembly, optics)`.
Checked against the plant: every zone, shift, material, supplier, lane, region and role
named; a `$zone` or `{zone}` used where the trigger carries no zone; an action the rule's
level does not allow; a `raise_level` below the rule's level; rules that loop (below).
"""

TOP: list[tuple[str, type[BaseModel], str]] = [
    ("(top level)", s.PlanFile, "The file's top-level keys."),
    ("levels[]", s.Level, "Response levels, lowest first."),
    ("rules[]", s.Rule, "Rules: a trigger and the actions it starts."),
]


# Fields whose type is a union of models, named shortly (each model has its own section).
_SHORT = {
    ("Rule", "when"): "a trigger (see *Triggers*)",
    ("Rule", "actions"): "list of actions (see *Actions*)",
    ("AllOf", "all"): "list of triggers",
    ("AnyOf", "any"): "list of triggers",
}


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        value = [getattr(v, "value", v) for v in value] if isinstance(value, list) else value
        return f"default `{json.dumps(value)}`" if value else "default `[]`"
    value = field.default
    return f"default `{json.dumps(getattr(value, 'value', value))}`"


def _table(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[str]:
    out = ["| field | type | unit | | meaning |", "|---|---|---|---|---|"]
    for name, f in model.model_fields.items():
        if name in skip:
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        unit = extra.get("unit", "")
        desc = (f.description or "").replace("|", "\\|").replace("\n", " ")
        kind = _SHORT.get((model.__name__, name)) or type_name(f.annotation)
        out.append(f"| `{name}` | {kind} | {unit} | {_default(f)} | {desc} |")
    return out


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def _carries(model: type[s.TriggerBase]) -> str:
    if model is s.PositivesWithin:
        return "the zone, with `per_zone: true` or a zone named; else nothing"
    names = sorted(c.value for c in model.CARRIES)
    return ", ".join(f"`{n}`" for n in names) if names else "nothing"


def render() -> str:
    out = [INTRO]
    for title, model, what in TOP:
        out += [f"## `{title}`\n", what, "", *_table(model), ""]
    out += [
        "## Triggers (`when`)\n",
        "A trigger is one condition, written with its `kind:`, or a combination: "
        "`all: [...]` holds when every member holds, and joins what they carry (members "
        "that both carry a zone must name the same zone); `any: [...]` holds when one "
        "member does, and fires once for each holding member's hit (it carries only what "
        "every member carries).",
        "",
    ]
    for model in s.LEAVES:
        kind = get_args(model.model_fields["kind"].annotation)[0]
        out += [f"### `kind: {kind}`\n", _doc(model), "", f"Carries: {_carries(model)}.", ""]
        out += [*_table(model, skip=("kind",)), ""]
    out += [
        "## Actions (`actions[]`)\n",
        "Each action is written with its `do:`. Every action has `auto` (default `false`): "
        "`true` runs it by itself when the rule fires, `false` waits for a person.",
        "",
    ]
    for model in s.ACTIONS:
        do = get_args(model.model_fields["do"].annotation)[0]
        out += [f"### `do: {do}`\n", _doc(model), "", *_table(model, skip=("do",)), ""]
    out += [
        "## Rules that loop\n",
        "An action whose result can make its own rule's trigger hold again — directly, or "
        "through other rules — is refused. These are the effects counted (what the action "
        "itself writes to the record; results that people enter later, such as a screening "
        "round's positives, are new facts that the activation already open takes):",
        "",
        "| action | can make hold | because |",
        "|---|---|---|",
    ]
    for kind, (triggers, why) in s.ACTION_EFFECTS.items():
        made = ", ".join(f"`{t.value}`" for t in sorted(triggers))
        out.append(f"| `{kind.value}` | {made} | {why} |")
    out += [
        "",
        "Days of cover count only for the materials an action uses: screening, the "
        "materials used per test; a re-plan, the materials of the bills of materials.",
        "",
    ]
    return "\n".join(out)


def json_schema_text() -> str:
    return schema_text(s.PlanFile)


if __name__ == "__main__":
    main(render, json_schema_text)
