"""15.1: a 375-byte "billion laughs" file (aliases of aliases, nine levels: 9**9 strings)
is refused while composing, with one line naming the file and line, by every YAML reader.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from keepline.errors import InputError
from keepline.government.schemas import JurisdictionFile
from keepline.government.yamlfiles import parse as gov_parse
from keepline.outbreak.policy import load_policy
from keepline.plant.yamlio import read_located
from keepline.scenario import load_scenario
from keepline.screening.files import read_assay

HERE = Path(__file__).parent
LAUGHS = HERE / "billion_laughs.yaml"

# The child may use at most this much address space and CPU time: the file expands to
# 387 million strings (gigabytes) if anything follows the aliases.
BOUND = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
resource.setrlimit(resource.RLIMIT_CPU, (20, 20))
from keepline.cli import main
main(sys.argv[1:])
"""


def test_plant_check_refuses_billion_laughs_in_bounded_memory(tmp_path: Path) -> None:
    assert LAUGHS.stat().st_size < 400
    r = subprocess.run(
        [sys.executable, "-c", BOUND, "plant", "check", str(LAUGHS)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"KEEPLINE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr[-2000:]
    assert lines[0].startswith(f"error: {LAUGHS}:3:"), lines[0]
    assert "alias '*a' is not allowed" in lines[0]


def test_every_yaml_reader_refuses_aliases(tmp_path: Path) -> None:
    text = LAUGHS.read_text()
    with pytest.raises(InputError, match=r"x.yaml:3: .*alias '\*a' is not allowed"):
        read_located(text, "x.yaml")
    with pytest.raises(InputError, match=r"alias '\*a' is not allowed"):
        gov_parse(text, "x.yaml", JurisdictionFile)
    for loader in (load_policy, load_scenario, read_assay):
        with pytest.raises(InputError, match=r"alias '\*a' is not allowed"):
            loader(LAUGHS)


def test_a_merge_key_is_an_alias_too() -> None:
    text = "base: &b {x: 1}\nother:\n  <<: *b\n"
    with pytest.raises(InputError, match=r"x.yaml:3: .*alias '\*b'"):
        read_located(text, "x.yaml")
