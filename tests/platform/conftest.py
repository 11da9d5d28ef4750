"""Fixtures of the platform tests (the world itself is built in platform_world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from keepline.accounts import service as accounts
from tests.platform.platform_world import World, build_world


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2's defaults cost ~50 ms a hash; tests hash dozens of passwords.
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = build_world(db_url)
    with w.client:
        yield w
