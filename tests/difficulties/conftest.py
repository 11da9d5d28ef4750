"""Fixtures of the difficulties' tests: both cities and plants are built once per module
and backend (about 2 s each), and each test works in a transaction rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from keepline import db
from keepline.accounts import service as accounts
from tests.conftest import BACKENDS, PG_URL, _reset_postgres
from tests.difficulties.world import Clock, build
from tests.government.api_world import GovWorld
from tests.government.api_world import build as build_gov


@pytest.fixture
def hand_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(scope="module", params=BACKENDS)
def cities_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('difficulties') / 'keepline.db'}"
    else:
        assert PG_URL
        url = PG_URL
        _reset_postgres(url)
    db.reset_engines()
    with pytest.MonkeyPatch.context() as mp, db.session_scope(url) as s:
        mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        build(s)
    yield url
    db.reset_engines()


@pytest.fixture
def cities(cities_url: str, hand_clock: Clock) -> Iterator[Session]:
    """A session on the module's world at ``T0``; nothing it writes outlives the test."""
    s = sessionmaker(bind=db.get_engine(cities_url), expire_on_commit=False)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture
def gov(db_url: str) -> Iterator[GovWorld]:
    """The government tests' API world (both cities; a Zhengzhou difficulty)."""
    w = build_gov(db_url)
    with w.client:
        yield w
