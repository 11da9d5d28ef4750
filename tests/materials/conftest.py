from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from tests.conftest import XUZHOU, ZHENGZHOU

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
