"""The reference plants loaded, shared with the materials tests."""

from tests.materials.conftest import D0, api, day, zz  # noqa: F401
