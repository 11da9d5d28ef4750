"""A small API world for the daily-record tests: both reference plants, users per role in
Zhengzhou, an admin in Xuzhou (the other tenant). Also the ids and bodies the platform's
tenancy walk needs to reach the daily-record routes with the other tenant's ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from keepline.accounts import service as accounts
from keepline.api import create_app
from keepline.continuity.record import StoredPlanResult
from keepline.db import session_scope
from keepline.logistics import service as ls
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.production import service as ps
from keepline.production.compare import PlanInputs
from tests.conftest import XUZHOU, ZHENGZHOU

PASSWORD = "a long enough password"
ZZ, XZ = "zhengzhou-meters", "xuzhou-qpcr"
D0 = dt.date(2026, 12, 1)


@dataclass
class ApiWorld:
    url: str
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, path: str, who: str = "zz:admin", **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self.h(who), **kw)

    def post(self, path: str, who: str = "zz:admin", **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.post(path, headers=self.h(who), **kw)


def build(url: str) -> ApiWorld:
    with session_scope(url) as s:
        for path in (ZHENGZHOU, XUZHOU):
            plant_service.load_plant(s, load_yaml(path), actor="test")
        users = [("zz", r, ZZ) for r in ("admin", "storekeeper", "planner", "viewer")]
        users.append(("xz", "admin", XZ))
        for tag, role, eid in users:
            accounts.create_user(
                s,
                email=f"{role}@{tag}.example",
                password=PASSWORD,
                role=role,
                enterprise_id=eid,
                actor="test",
            )
    client = TestClient(create_app(url), raise_server_exceptions=False)
    world = ApiWorld(url, client)
    for tag, role, _ in users:
        r = client.post(
            "/auth/login", json={"email": f"{role}@{tag}.example", "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        world.tokens[f"{tag}:{role}"] = r.json()["token"]
    return world


# -- for the platform's walk of every route with the other tenant's ids ---------------------

WALK_BODIES = {
    ("POST", "/purchase-shipments/{shipment_id}/status"): {
        "status": "dispatched",
        "day": "2026-12-02",
    },
    ("POST", "/customer-shipments/{shipment_id}/status"): {
        "status": "dispatched",
        "day": "2026-12-02",
    },
    ("POST", "/lanes/{lane_id}/transit"): {"transit_days": 5, "start": "2026-12-01"},
}


def other_tenant_ids(url: str, eid: str = ZZ) -> dict[str, str]:
    """Records of the Zhengzhou plant (``eid``) whose ids the Xuzhou plant does not have."""
    with session_scope(url) as s:
        ls.create_purchase(
            s,
            eid,
            "test",
            ls.PurchaseIn(
                "ZZ-B-1", "mcu-chip", "shenzhen-xinpian", 10_000, D0, D0 + dt.timedelta(days=8)
            ),
        )
        ls.create_customer_shipment(s, eid, "test", ls.CustomerIn("ZZ-B-1", "ZZ-G-102", 10, D0))
        ls.create_pass(s, eid, "test", ls.PassIn("ZZ-B-1", "豫A·B0001", D0, D0))
        plan = ps.store_plan(s, eid, "test", D0, 30, PlanInputs(), StoredPlanResult())
        plan_id = plan.id
    return {
        "material_id": "mcu-chip",
        "shipment_id": "ZZ-B-1",
        "lane_id": "shenzhen-zhengzhou",
        "pass_id": "ZZ-B-1",
        "plan_id": str(plan_id),
    }
