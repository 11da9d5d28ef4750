"""A browser-like client of the console for the tests: its own cookies, the form's CSRF
token read from each page, sign-in through the form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from keepline.containment.models import Restriction
from keepline.db import session_scope
from tests.worlds import PASSWORD, World

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
EMAILS = {"A": "{role}@a.example", "B": "admin@b.example", "G": "officer@gov.example"}


class Browser:
    def __init__(self, world: World, lang: str = "zh-CN") -> None:
        self.client = TestClient(world.client.app, raise_server_exceptions=False)
        self.client.headers["accept-language"] = lang
        self.token = ""

    def get(self, path: str, **kw: Any):  # type: ignore[no-untyped-def]
        r = self.client.get(path, **kw)
        found = CSRF.search(r.text)
        if found:
            self.token = found.group(1)
        return r

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.post(
            path, data={"csrf_token": self.token, **(data or {})}, follow_redirects=False, **kw
        )

    def sign_in(self, who: str) -> Browser:
        email = EMAILS[who[0]].format(role=who[2:])
        self.get("/console/login")
        r = self.post("/console/login", {"email": email, "password": PASSWORD})
        assert r.status_code == 303, r.text[:500]
        self.get("/console/login")  # the token of the new CSRF value set at sign-in
        return self


def signed_in(world: World, who: str, lang: str = "zh-CN") -> Browser:
    return Browser(world, lang).sign_in(who)


def held_on(url: str, enterprise: str, day: dt.date) -> set[str]:
    """Who is isolated or quarantined on ``day`` (read from the table, not the service):
    a quarantine skips them."""
    with session_scope(url) as s:
        return set(
            s.scalars(
                select(Restriction.employee_no).where(
                    Restriction.enterprise_id == enterprise,
                    Restriction.start_day <= day,
                    (Restriction.end_day.is_(None)) | (Restriction.end_day >= day),
                )
            )
        )
