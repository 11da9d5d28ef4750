"""Fixtures of the government tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from keepline.accounts import service as accounts
from tests.government.api_world import GovWorld, build


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def gov(db_url: str) -> Iterator[GovWorld]:
    w = build(db_url)
    with w.client:
        yield w
