"""Request parameters several routers share: an employee number in the path, the mode of
a bulk import, an upload read with a size bound."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Path, UploadFile

from keepline.errors import InputError

EmployeeNo = Annotated[str, Path(min_length=1, max_length=32, description="Employee number.")]


class ImportMode(StrEnum):
    all = "all"
    valid_rows = "valid-rows"


def read_upload(file: UploadFile, max_bytes: int) -> bytes:
    """The uploaded file's bytes; larger than ``max_bytes`` is a 422."""
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError([f"file: larger than {max_bytes // 2**20} MB"])
    return data
