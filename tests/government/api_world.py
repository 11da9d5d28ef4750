"""An API world for the government tests: both cities and plants, both enterprises
registered, a few Xuzhou workers (for the purpose-limitation markers), a Zhengzhou
application and report (the second city's ids for the tenancy walk)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fastapi.testclient import TestClient

from keepline import clock
from keepline.accounts import service as accounts
from keepline.api import create_app
from keepline.db import session_scope
from keepline.difficulties import service as difficulties
from keepline.difficulties.models import DifficultyCategory
from keepline.difficulties.schemas import DifficultyIn
from keepline.government import daily_report, prefill, registry, visits
from keepline.government.schemas import (
    ApplicationIn,
    FindingIn,
    ListingIn,
    ReportSubmitIn,
    VisitIn,
)
from keepline.people.models import Worker
from keepline.scope import EnterpriseScope
from tests.government.world import (
    PASSWORD,
    XUZHOU,
    ZHENGZHOU,
    ZZ,
    load_cities,
    load_plants,
    register_both,
)

USERS = {
    "XZ": "deputy.mayor@xuzhou.gov.example",
    "XZ-zone": "zone.zhao@xuzhou.gov.example",
    "ZZ": "liaison.chen@zzhitech.gov.example",
    "A:admin": "admin@a.example",
    "A:viewer": "viewer@a.example",
    "B:admin": "admin@b.example",
}
APPLICATION = {
    "resume_on": "2026-12-10",
    "employees_total": 1200,
    "employees_returning": 1000,
    "prevention_plan": "zones apart, masks, daily screening",
    "emergency_plan": "isolation rooms; lock the zone; test its shifts",
    "answers": [
        {"item": "mechanism", "answer": "yes", "note": "group named"},
        {"item": "internal-management", "answer": "yes"},
        {"item": "publicity", "answer": "yes"},
        {"item": "emergency-plan", "answer": "yes", "note": "drilled 2026-11-20"},
        {"item": "work-safety", "answer": "yes"},
        {"item": "staff-screening", "answer": "yes"},
        {"item": "isolation-rooms", "answer": "yes"},
    ],
}


@dataclass
class GovWorld:
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    zz_application: int = 0
    zz_difficulty: int = 0
    zz_visit: int = 0
    zz_finding: int = 0
    today: dt.date = field(default_factory=clock.today)

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build(url: str) -> GovWorld:
    with session_scope(url) as s:
        load_plants(s)
        load_cities(s)
        register_both(s)
        registry.listing_add(
            s,
            ZZ,
            ZHENGZHOU,
            ListingIn(tag="livelihood", listed_on=dt.date(2026, 11, 2), document="ZZ notice 7"),
        )
        now = dt.datetime.now(dt.UTC)
        for i in range(3):
            s.add(
                Worker(
                    enterprise_id=XUZHOU,
                    employee_no=f"XQ9{i}",
                    name=f"Zhang San{i}",
                    phone=f"1390000000{i}",
                    id_number=f"32030319900101123{i}",
                    zone_id="assembly",
                    shift_id="day",
                    team_id="t",
                    skills=[],
                    housing="commuter",
                    employment_status="active",
                    updated_at=now,
                )
            )
            s.add(
                Worker(
                    enterprise_id=ZHENGZHOU,
                    employee_no=f"ZM9{i}",
                    name=f"Li Si{i}",
                    phone=f"1370000000{i}",
                    id_number=None,
                    zone_id="smt",
                    shift_id="day",
                    team_id="t",
                    skills=[],
                    housing="commuter",
                    employment_status="active",
                    updated_at=now,
                )
            )
        for role, eid, email in (
            ("admin", XUZHOU, "admin@a.example"),
            ("viewer", XUZHOU, "viewer@a.example"),
            ("admin", ZHENGZHOU, "admin@b.example"),
        ):
            accounts.create_user(
                s, email=email, password=PASSWORD, role=role, enterprise_id=eid, actor="test"
            )
    with session_scope(url) as s:
        zz = EnterpriseScope(ZHENGZHOU, "test")
        app = prefill.apply(s, zz, ApplicationIn.model_validate(APPLICATION))
        daily_report.submit(s, zz, ReportSubmitIn(day=clock.today()))
        app_id = app.id
        difficulty = difficulties.submit(
            s,
            zz,
            DifficultyIn(
                category=DifficultyCategory.raw_materials, text="Zhengzhou resin held at the toll"
            ),
        )
        difficulty_id = difficulty.id
        visit = visits.add_visit(
            s,
            ZZ,
            VisitIn.model_validate(
                {
                    "enterprise_id": ZHENGZHOU,
                    "day": str(clock.today()),
                    "visitors": ["市长 Mayor", "liaison.chen@zzhitech.gov.example"],
                    "topics": ["capacity", "logistics"],
                }
            ),
        )
        finding = visits.add_finding(
            s,
            ZZ,
            visit.id,
            FindingIn.model_validate(
                {
                    "text": "Zhengzhou: no backup carrier",
                    "category": "logistics",
                    "due_on": str(clock.today() + dt.timedelta(days=7)),
                }
            ),
        )
        zz_visit, zz_finding = visit.id, finding.id
    client = TestClient(create_app(url), raise_server_exceptions=False)
    w = GovWorld(
        client,
        zz_application=app_id,
        zz_difficulty=difficulty_id,
        zz_visit=zz_visit,
        zz_finding=zz_finding,
    )
    for who, email in USERS.items():
        r = client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        w.tokens[who] = r.json()["token"]
    return w
