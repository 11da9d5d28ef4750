"""The plan docs and JSON Schema are generated from the model; the plans core is pure;
the plan's words for the record's states are the record's own."""

from __future__ import annotations

import ast

import pytest

from keepline.containment.models import ZoneState as RecordZoneState
from keepline.plans import schema as s
from keepline.plans.docs import json_schema_text, render
from keepline.plant.yamlio import read_located
from keepline.scope import ENTERPRISE_ROLES
from keepline.screening.models import TestType as RecordTestType
from tests.conftest import EXAMPLES, ROOT

PURE = ("schema", "planfile", "engine", "docs")
IMPURE = ("sqlalchemy", "fastapi", "starlette", "typer", "alembic", "psycopg", "keepline.db")
# What the pure modules may import of keepline: the core, the plant file (and its docs
# generator, whose field-type renderer the plan docs share), each other.
ALLOWED = (
    "keepline.errors",
    "keepline.scope",
    "keepline.plant.schema",
    "keepline.plant.validate",
    "keepline.plant.yamlio",
    "keepline.plant.docs",
    "keepline.plans",
)


def test_docs_are_generated_from_the_model() -> None:
    assert (ROOT / "docs" / "plan-file.schema.json").read_text() == json_schema_text(), (
        "docs/plan-file.schema.json is stale: run `make docs`"
    )
    assert (ROOT / "docs" / "plans.md").read_text() == render(), (
        "docs/plans.md is stale: run `make docs`"
    )


def test_the_docs_name_every_trigger_action_and_unit() -> None:
    text = render()
    for kind in s.TriggerKind:
        assert f"### `kind: {kind.value}`" in text
    for do in s.ActionKind:
        assert f"### `do: {do.value}`" in text
    for unit in ("| days |", "| fraction 0-1 |", "| HH:MM |", "| duration |", "| swabs per tube |"):
        assert unit in text


@pytest.mark.parametrize("name", ["xuzhou-qpcr", "zhengzhou-meters"])
def test_a_plan_dumps_to_json_and_reads_back_the_same(name: str) -> None:
    path = EXAMPLES / "plans" / f"{name}.yaml"
    data, _ = read_located(path.read_text(), str(path), "plan file")
    plan = s.PlanFile.model_validate(data)
    dumped = plan.model_dump(mode="json")
    assert s.PlanFile.model_validate(dumped) == plan
    deadlines = [a["deadline"] for r in dumped["rules"] for a in r["actions"] if "deadline" in a]
    assert deadlines and all(d.startswith("P") for d in deadlines)
    assert "PT4H" in deadlines and "P1D" in deadlines


@pytest.mark.parametrize("module", PURE)
def test_the_plans_core_is_pure(module: str) -> None:
    path = ROOT / "src" / "keepline" / "plans" / f"{module}.py"
    tree = ast.parse(path.read_text(), str(path))
    top = set(tree.body)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        for name in names:
            assert name is not None
            where = f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
            assert node in top, f"{where} inside a function"
            assert not f"{name}.".startswith(tuple(f"{m}." for m in IMPURE)), where
            if name.startswith("keepline"):
                assert name.startswith(ALLOWED), where


def test_the_plans_words_are_the_records_own() -> None:
    assert [z.value for z in s.ZoneState] == [z.value for z in RecordZoneState]
    assert [t.value for t in s.TestType] == [t.value for t in RecordTestType]
    assert list(s.ROLES) == [r.value for r in ENTERPRISE_ROLES]


def test_every_action_kind_and_trigger_kind_has_a_model() -> None:
    assert set(s.LEAF_BY_KIND) == {k.value for k in s.TriggerKind}
    assert len(s.ACTIONS) == len(s.ActionKind)
    assert all(a.__doc__ for a in (*s.ACTIONS, *s.LEAVES))
