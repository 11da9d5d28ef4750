"""The example policies and scenarios, the defaults of ``$KEEPLINE_POLICIES`` and
``$KEEPLINE_SCENARIOS``, are package data: inside ``src/keepline/examples`` (so a plain,
non-editable install has them), named by pyproject's package-data, and the source tree's
``examples/policies`` and ``examples/scenarios`` are links to them (one copy)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import keepline
from keepline import settings

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(keepline.__file__).resolve().parent


@pytest.mark.parametrize(
    ("folder", "default"),
    [("policies", settings.policies_dir), ("scenarios", settings.scenarios_dir)],
)
def test_the_example_files_ship_inside_the_package(
    folder: str, default, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(f"KEEPLINE_{folder.upper()}", raising=False)
    shipped = PACKAGE / "examples" / folder
    assert default() == shipped
    files = sorted(p.name for p in shipped.glob("*.yaml"))
    assert len(files) >= 5
    # the source tree's folder is the same folder, not a second copy
    tree = ROOT / "examples" / folder
    assert tree.is_symlink() and tree.resolve() == shipped
    # every file matches a package-data pattern, so a wheel carries it
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["keepline"]
    for name in files:
        rel = Path("examples") / folder / name
        assert any(rel.match(p) for p in patterns if p.startswith("examples/")), rel
    monkeypatch.setenv(f"KEEPLINE_{folder.upper()}", "/srv/keepline/mine")
    assert default() == Path("/srv/keepline/mine")
