"""The console's tests: one two-tenant world per database for the whole module (built
once: the pages only read it or add to it), the signing key and uploads in a temp home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from keepline import db
from keepline.accounts import service as accounts
from tests.conftest import BACKENDS, PG_URL, _reset_postgres
from tests.worlds import World, build_world


@pytest.fixture(autouse=True)
def _console_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEPLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KEEPLINE_SECRET_KEY", raising=False)


@pytest.fixture(scope="module", params=BACKENDS)
def console_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The world of tests/worlds.py, shared by a module's tests on one database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'keepline.db'}"
    else:
        assert PG_URL
        url = PG_URL
        _reset_postgres(url)
    db.reset_engines()
    hasher = accounts._hasher  # argon2's defaults cost ~50 ms a hash (as tests/conftest.py)
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024)
    try:
        w = build_world(url)
        with w.client:
            yield w
    finally:
        accounts._hasher = hasher
        db.reset_engines()
