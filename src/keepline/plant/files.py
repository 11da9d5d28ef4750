"""Plant files: read a YAML or Excel plant file by its suffix."""

from __future__ import annotations

from pathlib import Path

from keepline.errors import InputError
from keepline.plant.excel import read_xlsx
from keepline.plant.schema import PlantFile
from keepline.plant.yamlio import load_yaml

PLANT_SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")


def read_plant(path: Path) -> PlantFile:
    """Read and validate a plant file, YAML or Excel by its suffix."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".yaml", ".yml"):
        return load_yaml(path)
    raise InputError([f"{path}: unknown plant-file type '{suffix}' (use .yaml, .yml or .xlsx)"])
