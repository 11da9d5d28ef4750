"""``plant.service.plant_axes`` reads the workforce axes of a loaded plant as
``keepline.workforce.plant_axes`` reads them from the plant file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from keepline import workforce
from keepline.errors import NotFound
from keepline.plant import service
from keepline.plant.yamlio import load_yaml
from tests.conftest import XUZHOU, ZHENGZHOU


@pytest.mark.parametrize("path", [XUZHOU, ZHENGZHOU], ids=lambda p: p.stem)
def test_axes_of_a_loaded_plant_are_those_of_its_file(session: Session, path: Path) -> None:
    plant = load_yaml(path)
    service.load_plant(session, plant)
    assert service.plant_axes(session, plant.enterprise.id) == workforce.plant_axes(plant)
    with pytest.raises(NotFound, match="no enterprise 'nope'"):
        service.plant_axes(session, "nope")
