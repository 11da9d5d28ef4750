"""A two-tenant world for the API tests of every package: both reference plants loaded, a
small roster in each, one user per role in tenant A (Xuzhou), an admin in tenant B and a
jurisdiction's officer. The ``world`` fixture (tests/conftest.py) builds it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from keepline import clock
from keepline.accounts import service as accounts
from keepline.accounts.models import ENTERPRISE_ROLES
from keepline.api import create_app
from keepline.db import session_scope
from keepline.people import service as people
from keepline.people.generate import roster_rows
from keepline.plant import service as plant_service
from keepline.plant.yamlio import load_yaml
from keepline.scope import EnterpriseScope
from keepline.tabular import read_table, write_csv

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
XUZHOU = EXAMPLES / "xuzhou-qpcr.yaml"
ZHENGZHOU = EXAMPLES / "zhengzhou-meters.yaml"
PASSWORD = "a long enough password"
A, B = "xuzhou-qpcr", "zhengzhou-meters"
ROSTER_SIZE = 40


def roster_csv(plant_path, n: int, seed: int = 1) -> str:
    rows = roster_rows(load_yaml(plant_path), seed=seed)[:n]
    return write_csv(people.COLUMNS, rows)


@dataclass
class World:
    url: str
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)  # "A:admin", "B:admin", ...
    users: dict[str, int] = field(default_factory=dict)
    today: dt.date = field(default_factory=clock.today)

    def h(self, who: str = "A:admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, path: str, who: str = "A:admin", **kw):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self.h(who), **kw)

    def post(self, path: str, who: str = "A:admin", **kw):  # type: ignore[no-untyped-def]
        return self.client.post(path, headers=self.h(who), **kw)


def build_world(url: str, roster_size: int = ROSTER_SIZE) -> World:
    with session_scope(url) as s:
        for path in (XUZHOU, ZHENGZHOU):
            plant_service.load_plant(s, load_yaml(path), actor="test")
    with session_scope(url) as s:
        for eid, path in ((A, XUZHOU), (B, ZHENGZHOU)):
            table = read_table("roster.csv", roster_csv(path, roster_size).encode())
            people.import_roster(s, EnterpriseScope(eid, "test"), table)
    users: dict[str, int] = {}
    with session_scope(url) as s:
        for role in ENTERPRISE_ROLES:
            u = accounts.create_user(
                s,
                email=f"{role.value}@a.example",
                password=PASSWORD,
                role=role,
                enterprise_id=A,
                actor="test",
            )
            users[f"A:{role.value}"] = u.id
        u = accounts.create_user(
            s,
            email="admin@b.example",
            password=PASSWORD,
            role="admin",
            enterprise_id=B,
            actor="test",
        )
        users["B:admin"] = u.id
        u = accounts.create_user(
            s,
            email="officer@gov.example",
            password=PASSWORD,
            role="government_officer",
            jurisdiction="xuzhou-municipal",
            actor="test",
        )
        users["G:government_officer"] = u.id
    client = TestClient(create_app(url), raise_server_exceptions=False)
    world = World(url, client, users=users)
    for who in users:
        email = {"A": f"{who[2:]}@a.example", "B": "admin@b.example", "G": "officer@gov.example"}[
            who[0]
        ]
        r = client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        world.tokens[who] = r.json()["token"]
    return world
