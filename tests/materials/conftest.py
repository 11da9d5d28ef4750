from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from keepline.accounts import service as accounts
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from tests.conftest import XUZHOU, ZHENGZHOU
from tests.materials.api_world import ApiWorld, build

D0 = dt.date(2026, 12, 1)  # the Zhengzhou plant's horizon start


@pytest.fixture
def zz(session: Session) -> Session:
    """A session with both reference plants loaded (the second is another tenant)."""
    plant_service.load_plant(session, load_yaml(ZHENGZHOU))
    plant_service.load_plant(session, load_yaml(XUZHOU))
    session.commit()
    return session


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


@pytest.fixture
def api(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiWorld]:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    w = build(db_url)
    with w.client:
        yield w
