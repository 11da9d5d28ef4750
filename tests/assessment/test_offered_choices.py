"""The policies and scenarios the assessment page offers are kept while their folder's
files are unchanged, and read again at once when a file is added, edited or removed;
the names are those the files hold, each parsed here on its own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from keepline.assessment import from_record
from keepline.errors import KeeplineError
from keepline.outbreak.policy import load_policy
from keepline.plant.yamlio import load_yaml
from keepline.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _names(choices: list[from_record.Choice]) -> list[str]:
    return [c.name for c in choices]


def test_policies_kept_until_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    files = sorted((EXAMPLES / "policies").glob("*.yaml"))[:3]
    for f in files:
        shutil.copy(f, folder / f.name)
    monkeypatch.setenv("KEEPLINE_POLICIES", str(folder))
    expected = [load_policy(folder / f.name).name for f in files]
    assert _names(from_record.policies()) == expected
    assert _names(from_record.policies()) == expected  # kept

    # edited: the new name at once (the size changes, and the time is set apart)
    first = folder / files[0].name
    text = first.read_text().replace(f"name: {expected[0]}", "name: renamed policy", 1)
    assert "renamed policy" in text
    first.write_text(text)
    st = first.stat()
    os.utime(first, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert _names(from_record.policies()) == ["renamed policy", *expected[1:]]
    # removed, and a file that does not read: left out
    (folder / files[1].name).unlink()
    (folder / "broken.yaml").write_text("name: [unclosed\n")
    assert _names(from_record.policies()) == ["renamed policy", expected[2]]


def test_scenarios_for_the_plant_they_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEPLINE_SCENARIOS", str(EXAMPLES / "scenarios"))
    files = sorted((EXAMPLES / "scenarios").glob("*.yaml"))
    for plant_file in ("xuzhou-qpcr.yaml", "zhengzhou-meters.yaml"):
        plant = load_yaml(EXAMPLES / plant_file)
        expected = []
        for f in files:
            try:
                expected.append(load_scenario(f, plant).name)
            except KeeplineError:  # another plant's nodes: not offered
                continue
        assert 0 < len(expected) < len(files)
        assert _names(from_record.scenarios(plant)) == expected
        assert _names(from_record.scenarios(plant)) == expected  # kept
