"""The tiny plant with its roster, loaded for each containment test."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.tiny_world import load_tiny


@pytest.fixture
def tiny(session: Session) -> str:
    eid = load_tiny(session)
    session.commit()
    return eid
