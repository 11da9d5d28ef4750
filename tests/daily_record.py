"""The daily record's test world, shared by the tests of materials, logistics and
production (and the platform's tenancy walk): both reference plants loaded, the scope of a
caller, a day of operations on the Zhengzhou plant, and a small API world with users per
role in Zhengzhou and an admin in Xuzhou (the other tenant)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from keepline.accounts import service as accounts
from keepline.api import create_app
from keepline.continuity.record import StoredPlanResult
from keepline.db import session_scope
from keepline.logistics import customers, passes, purchases
from keepline.logistics.delivery import advance_purchase
from keepline.logistics.dispatch import advance_customer_shipment
from keepline.logistics.models import ShipmentStatus
from keepline.logistics.schemas import CustomerIn, PassIn, PurchaseIn, StatusChange
from keepline.materials import service as ms
from keepline.materials.models import MovementKind
from keepline.materials.schemas import MovementIn
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.production import service as ps
from keepline.production.backflush import record_output
from keepline.production.compare import PlanInputs
from keepline.production.schemas import OutputIn
from keepline.scope import EnterpriseScope
from tests.conftest import XUZHOU, ZHENGZHOU

PASSWORD = "a long enough password"
ZZ, XZ = "zhengzhou-meters", "xuzhou-qpcr"
D0 = dt.date(2026, 12, 1)  # the Zhengzhou plant's horizon start
EID = ZZ


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def scope(actor: str = "test", eid: str = EID) -> EnterpriseScope:
    """The scope of ``actor`` acting on ``eid`` (the Zhengzhou plant by default)."""
    return EnterpriseScope(eid, actor)


@pytest.fixture
def zz(session: Session) -> Session:
    """A session with both reference plants loaded (the second is another tenant)."""
    plant_service.load_plant(session, load_yaml(ZHENGZHOU))
    plant_service.load_plant(session, load_yaml(XUZHOU))
    session.commit()
    return session


@pytest.fixture
def api(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiWorld]:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    w = build(db_url)
    with w.client:
        yield w


# -- a day of operations ----------------------------------------------------------------

STORE, PLANNER = "user:store@zz", "user:planner@zz"


def run_day(s: Session) -> None:
    """2026-12-01: the morning's chips arrive, masks go out, all four lines run, the first
    gas meters leave for Zhengzhou Gas; a purchase of LCDs from Shenzhen is on the road."""
    store, planner = scope(STORE), scope(PLANNER)
    purchases.create_purchase(
        s,
        planner,
        PurchaseIn(
            id="PO-101",
            material_id="mcu-chip",
            supplier_id="shenzhen-xinpian",
            qty=40_000,
            ordered_on=day(-8),
            eta=D0,
        ),
    )
    advance_purchase(s, store, "PO-101", StatusChange(status=ShipmentStatus.delivered, day=D0))
    purchases.create_purchase(
        s,
        planner,
        PurchaseIn(
            id="PO-102",
            material_id="lcd-display",
            supplier_id="shenzhen-lcd",
            qty=30_000,
            ordered_on=D0,
            eta=day(8),
        ),
    )
    advance_purchase(
        s, planner, "PO-102", StatusChange(status=ShipmentStatus.dispatched, day=day(1))
    )
    ms.record_movement(
        s,
        store,
        MovementIn(
            material_id="mask-kn95",
            kind=MovementKind.issue,
            day=D0,
            qty=1796,
            unit="pcs",
            reason="day's masks, 898 x 2",
        ),
    )
    for line, product, qty in (
        ("water-line-1", "water-meter-nb", 2400),
        ("water-line-2", "water-meter-nb", 1600),
        ("gas-line", "gas-meter-nb", 1500),
        ("agri-line", "agri-controller", 400),
    ):
        record_output(
            s,
            planner,
            OutputIn(line_id=line, product_id=product, day=D0, qty=qty, backflush=True),
        )
    customers.create_customer_shipment(
        s, planner, CustomerIn(id="DN-001", order_id="ZZ-G-102", qty=1500, planned_on=D0)
    )
    advance_customer_shipment(
        s, store, "DN-001", StatusChange(status=ShipmentStatus.dispatched, day=D0)
    )
    passes.create_pass(
        s,
        planner,
        PassIn(
            id="ZZ-TP-001",
            vehicle="豫A·D1234",
            valid_from=D0,
            valid_until=day(2),
            shipment_id="DN-001",
        ),
    )


# -- the API world ----------------------------------------------------------------------


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
    sc = scope("test", eid)
    with session_scope(url) as s:
        purchases.create_purchase(
            s,
            sc,
            PurchaseIn(
                id="ZZ-B-1",
                material_id="mcu-chip",
                supplier_id="shenzhen-xinpian",
                qty=10_000,
                ordered_on=D0,
                eta=D0 + dt.timedelta(days=8),
            ),
        )
        customers.create_customer_shipment(
            s, sc, CustomerIn(id="ZZ-B-1", order_id="ZZ-G-102", qty=10, planned_on=D0)
        )
        passes.create_pass(
            s, sc, PassIn(id="ZZ-B-1", vehicle="豫A·B0001", valid_from=D0, valid_until=D0)
        )
        plan = ps.store_plan(s, sc, D0, 30, PlanInputs(), StoredPlanResult())
        plan_id = plan.id
    return {
        "material_id": "mcu-chip",
        "shipment_id": "ZZ-B-1",
        "lane_id": "shenzhen-zhengzhou",
        "pass_id": "ZZ-B-1",
        "plan_id": str(plan_id),
    }
