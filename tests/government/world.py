"""Helpers of the government tests: both reference plants, both cities, registrations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from keepline.government import registry, resumption, staffing, yamlfiles
from keepline.government.schemas import ChecklistFile, JurisdictionFile, RegistrationIn
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.scope import JurisdictionScope

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
XUZHOU, ZHENGZHOU = "xuzhou-qpcr", "zhengzhou-meters"
PASSWORD = "a long enough password"
XZ = JurisdictionScope("xuzhou-municipal", "test")
ZZ = JurisdictionScope("zhengzhou-municipal", "test")
ZZ_ZONE = JurisdictionScope("zhengzhou-hitech-zone", "test")


def load_cities(s: Session, password: str = PASSWORD) -> None:
    for name in ("xuzhou", "zhengzhou"):
        f = yamlfiles.read(EXAMPLES / "jurisdictions" / f"{name}.yaml", JurisdictionFile)
        staffing.load_file(s, f, "test", password)
    for city in ("xuzhou-municipal", "zhengzhou-municipal"):
        c = yamlfiles.read(EXAMPLES / "checklists" / f"{city}.yaml", ChecklistFile)
        resumption.load_checklist(s, c, "test")


def load_plants(s: Session) -> None:
    for f in ("xuzhou-qpcr.yaml", "zhengzhou-meters.yaml"):
        plant_service.load_plant(s, load_yaml(EXAMPLES / f), actor="test")


def register_both(s: Session, day: dt.date = dt.date(2026, 11, 1)) -> None:
    registry.register(
        s,
        XZ,
        RegistrationIn.model_validate(
            {
                "enterprise_id": XUZHOU,
                "industry": "medical devices",
                "scale": "large",
                "registered_on": day,
            }
        ),
    )
    registry.register(
        s,
        ZZ,
        RegistrationIn.model_validate(
            {
                "enterprise_id": ZHENGZHOU,
                "industry": "instruments",
                "scale": "large",
                "registered_on": day,
            }
        ),
    )


def xuzhou_only(s: Session, day: dt.date = dt.date(2026, 11, 1)) -> None:
    """Both cities, and only the Xuzhou plant loaded and registered (a cheaper world)."""
    plant_service.load_plant(s, load_yaml(EXAMPLES / "xuzhou-qpcr.yaml"), actor="test")
    load_cities(s)
    registry.register(
        s,
        XZ,
        RegistrationIn.model_validate(
            {
                "enterprise_id": XUZHOU,
                "industry": "medical devices",
                "scale": "large",
                "registered_on": day,
            }
        ),
    )
