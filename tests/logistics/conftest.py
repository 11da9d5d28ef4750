"""The daily record's world (both reference plants loaded; the API world)."""

from tests.daily_record import api, zz  # noqa: F401
