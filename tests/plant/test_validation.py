"""Every kind of bad plant file gets a one-line error naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepline.errors import InputError
from keepline.plant.validate import MAX_FILE_BYTES
from keepline.plant.yamlio import load_yaml
from tests.conftest import XUZHOU

TEXT = XUZHOU.read_text(encoding="utf-8")


def variant(tmp_path: Path, old: str, new: str, count: int = 1) -> tuple[Path, int]:
    """The Xuzhou file with ``old`` replaced; returns the path and the 1-based line."""
    assert old in TEXT, old
    line = TEXT[: TEXT.index(old)].count("\n") + 1
    path = tmp_path / "x.yaml"
    path.write_text(TEXT.replace(old, new, count), encoding="utf-8")
    return path, line


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as exc:
        load_yaml(path)
    msg = str(exc.value)
    assert msg.splitlines() == exc.value.problems  # every problem, one line each
    return msg


def test_reference_plants_are_valid() -> None:
    assert load_yaml(XUZHOU).headcount() == 1204


def test_unknown_zone_names_file_line_and_field(tmp_path: Path) -> None:
    path, _ = variant(
        tmp_path,
        "  - id: extractor-line\n    zone: optics",
        "  - id: extractor-line\n    zone: assembly-z",
    )
    line = path.read_text().splitlines().index("    zone: assembly-z") + 1
    msg = error_of(path)
    assert msg.startswith(
        f"{path}:{line} lines[2].zone: unknown zone 'assembly-z' (known: assembly,"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "zone: assembly, shift: day, headcount: 90",
            "zone: assembly, shift: evening, headcount: 90",
            "teams[0].shift: unknown shift 'evening' (known: day, night)",
        ),
        (
            "headcount: 90, skills: [assembler], housing: dorm-north}",
            "headcount: 90, skills: [assembler], housing: office}",
            "teams[0].housing: zone 'office' is a office zone, not a dormitory",
        ),
        (
            "housing: dorm-north}",
            "housing: dorm-west}",
            "teams[0].housing: unknown zone 'dorm-west'",
        ),
        (
            "bom: {peltier-module: 6,",
            "bom: {peltier-modul: 6,",
            "products[0].bom.peltier-modul: unknown material 'peltier-modul'",
        ),
        (
            "{supplier: hefei-thermo,",
            "{supplier: hefei-thermos,",
            "materials[0].supply_options[1].supplier: unknown supplier 'hefei-thermos'",
        ),
        (
            "product: qpcr-16, qty: 400",
            "product: qpcr-17, qty: 400",
            "orders[4].product: unknown product 'qpcr-17'",
        ),
        (
            "{id: optics, name:",
            "{id: assembly, name:",
            "zones[1].id: duplicate id 'assembly' (first at zones[0])",
        ),
        (
            "on_hand: 3000",
            "on_hand: -3000",
            "materials[0].on_hand: input should be greater than or equal to 0",
        ),
        ("on_hand: 3000", "on_hand: .inf", "materials[0].on_hand: input should be a finite number"),
        ("on_hand: 3000", "on_hand: .nan", "materials[0].on_hand: input should be a finite number"),
        (
            "qty: 300, due: 2026-12-18",
            "qty: 300, due: 2026-11-18",
            "orders[0].due: due 2026-11-18 is before the horizon starts (2026-12-01)",
        ),
        (
            "kind: production, capacity_people: 450",
            "kind: factory, capacity_people: 450",
            "zones[0].kind: input should be",
        ),
        (
            "capacity_people: 450}",
            "capacity_people: 450, colour: red}",
            "zones[0].colour: unknown field",
        ),
        (
            "{id: day, start: '08:00'",
            "{id: day, start: '25:00'",
            "shifts[0].start: value error, expected a time as HH:MM",
        ),
        (
            "crew_per_shift: {assembler: 100, tester: 12}",
            "crew_per_shift: {assembler: 100, welder: 12}",
            "lines[0].crew_per_shift.welder: no team in zone 'assembly' has skill 'welder'",
        ),
        (
            "{id: wuhan-xuzhou, from_region: '420100'",
            "{id: wuhan-xuzhou, from_region: '420199'",
            "lanes[8].from_region: no supplier is in region '420199'",
        ),
        (
            "'supplier:shenzhen-optics': 21",
            "'supplier:shenzhen-optix': 21",
            "recovery.overrides_days.supplier:shenzhen-optix: unknown supplier 'shenzhen-optix'",
        ),
    ],
)
def test_bad_values_are_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path, line = variant(tmp_path, old, new)
    msg = error_of(path)
    assert f"{path}:{line} " in msg, msg
    assert expected in msg, msg


def test_product_no_line_can_make_is_named_at_the_product(tmp_path: Path) -> None:
    path, _ = variant(
        tmp_path, "rates_units_per_day: {extractor-32: 16}", "rates_units_per_day: {qpcr-96: 16}"
    )
    line = path.read_text().splitlines().index("  - id: extractor-32") + 1
    assert (
        error_of(path) == f"{path}:{line} products[2].id: no line can make product 'extractor-32'"
    )


def test_missing_required_field(tmp_path: Path) -> None:
    path, line = variant(
        tmp_path,
        "{id: canteen, name: Staff canteen, kind: canteen, capacity_people: 400}",
        "{id: canteen, name: Staff canteen, capacity_people: 400}",
    )
    assert error_of(path) == f"{path}:{line} zones[6].kind: required field is missing"


def test_several_problems_are_all_listed(tmp_path: Path) -> None:
    path, _ = variant(tmp_path, "product: qpcr-", "product: nope-", count=-1)
    lines = error_of(path).splitlines()
    # every order and rate naming a 'nope-' product, one line each, none hidden
    assert len(lines) > 1 and not any("more problem" in line for line in lines)
    assert all("unknown product 'nope-" in line for line in lines), lines


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("   \n# nothing\n")
    assert error_of(path) == f"{path}:1: the plant file is empty"


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("zones: [\n  {id: a\n")
    assert error_of(path).startswith(f"{path}:3: not valid YAML")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path, line = variant(tmp_path, "  sector: Medical", "  name: Again\n  sector: Medical")
    assert error_of(path) == f"{path}:{line} enterprise.name: duplicate key 'name'"


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(TEXT + "#" * MAX_FILE_BYTES)
    assert "a plant file may be at most 20 MiB" in error_of(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(TEXT.encode("utf-8").replace(b"Xuzhou Huayi", b"Xuzhou \xe9"))
    assert "not UTF-8 text" in error_of(path)


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    assert error_of(path) == f"{path}:1: expected a mapping of plant sections at the top"


def test_times_are_not_read_as_base_60(tmp_path: Path) -> None:
    # YAML 1.1 reads an unquoted 20:00 as the integer 1200; the plant loader must not.
    path, _ = variant(tmp_path, "end: '08:00'", "end: 08:00")
    path.write_text(path.read_text().replace("start: '20:00'", "start: 20:00"))
    plant = load_yaml(path)
    assert plant.shifts[1].start == "20:00" and plant.shifts[1].end == "08:00"
