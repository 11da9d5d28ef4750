"""The difficulties' test world: both cities (with their routing rules) and both plants
registered, and a clock under the test's hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from keepline import clock
from keepline.difficulties import service
from keepline.difficulties.models import Difficulty, DifficultyCategory
from keepline.difficulties.schemas import DifficultyIn
from keepline.scope import EnterpriseScope, JurisdictionScope
from tests.government.world import XUZHOU, ZHENGZHOU, load_cities, load_plants, register_both

T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Xuzhou
XQ = EnterpriseScope(XUZHOU, "user:admin@a.example")
ZM = EnterpriseScope(ZHENGZHOU, "user:admin@b.example")
XZ_CITY = JurisdictionScope("xuzhou-municipal", "user:mayor@xz")
ZZ_CITY = JurisdictionScope("zhengzhou-municipal", "user:mayor@zz")
ZZ_ZONE = JurisdictionScope("zhengzhou-hitech-zone", "user:zone@zz")


class Clock:
    """``keepline.clock.now`` under the test's hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: dt.datetime = T0) -> None:
        self.t = start
        monkeypatch.setattr(clock, "now", lambda: self.t)

    def at(self, **kw: float) -> dt.datetime:
        """Set the time to ``T0`` + ``kw`` and return it."""
        self.t = T0 + dt.timedelta(**kw)
        return self.t


def build(session: Session) -> None:
    load_plants(session)
    load_cities(session)
    register_both(session)
    session.flush()


def submit(
    session: Session, scope: EnterpriseScope, category: str = "finance", text: str = "x"
) -> Difficulty:
    return service.submit(
        session, scope, DifficultyIn(category=DifficultyCategory(category), text=text)
    )
