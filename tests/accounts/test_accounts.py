"""Accounts: login, tokens, cookie, logout, expiry; an admin's users; users from the shell."""

from __future__ import annotations

import datetime as dt
import io
import sys

from sqlalchemy import update

from keepline.accounts.models import AuthToken
from keepline.db import session_scope
from tests.worlds import PASSWORD, World


def test_login_logout_cookie_and_expiry(world: World) -> None:
    c = world.client
    bad = c.post("/auth/login", json={"email": "viewer@a.example", "password": "wrong password!"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
    nobody = c.post("/auth/login", json={"email": "nobody@a.example", "password": PASSWORD})
    assert nobody.status_code == 401 and nobody.json() == bad.json()
    r = c.post("/auth/login", json={"email": "VIEWER@a.example", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    token = r.json()["token"]
    # The cookie alone authenticates (the console); so does the bearer token.
    c.cookies.clear()
    assert (
        c.get("/auth/me", cookies={"keepline_session": token}).json()["email"] == "viewer@a.example"
    )
    h = {"Authorization": f"Bearer {token}"}
    assert c.post("/auth/logout", headers=h).status_code == 204
    assert c.get("/auth/me", headers=h).status_code == 401
    # An expired token is refused.
    with session_scope(world.url) as s:
        s.execute(
            update(AuthToken).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    r = world.get("/auth/me", who="A:admin")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    assert r.headers["www-authenticate"] == "Bearer"


def test_admin_manages_users(world: World) -> None:
    r = world.post("/users", json={"email": "new@a.example", "password": "short", "role": "viewer"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = world.post(
        "/users", json={"email": "New@A.example", "password": PASSWORD, "role": "planner"}
    )
    assert (
        r.status_code == 201
        and r.json()["email"] == "new@a.example"
        and r.json()["enterprise_id"] == "xuzhou-qpcr"
    )
    uid = r.json()["id"]
    assert (
        world.post(
            "/users", json={"email": "new@a.example", "password": PASSWORD, "role": "viewer"}
        ).status_code
        == 422
    )
    assert (
        world.post(
            "/users",
            json={"email": "gov@a.example", "password": PASSWORD, "role": "government_officer"},
        ).status_code
        == 422
    )
    login = world.client.post("/auth/login", json={"email": "new@a.example", "password": PASSWORD})
    token = login.json()["token"]
    r = world.client.patch(f"/users/{uid}", json={"active": False}, headers=world.h())
    assert r.status_code == 200 and r.json()["active"] is False
    assert (
        world.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    assert (
        world.client.post(
            "/auth/login", json={"email": "new@a.example", "password": PASSWORD}
        ).status_code
        == 401
    )
    me = world.users["A:admin"]
    r = world.client.patch(f"/users/{me}", json={"role": "viewer"}, headers=world.h())
    assert r.status_code == 422
    page = world.get("/users", params={"role": "planner", "sort": "-id"}).json()
    assert [u["email"] for u in page["items"]] == ["new@a.example", "planner@a.example"]
    audit = world.get("/audit", params={"table": "users", "key": str(uid), "sort": "id"}).json()[
        "items"
    ]
    assert [e["action"] for e in audit] == ["insert", "update"]
    assert "password_hash" not in str(audit)


def test_user_add_from_the_shell(cli, db_url) -> None:  # type: ignore[no-untyped-def]
    assert cli("plant load examples/xuzhou-qpcr.yaml").code == 0
    old = sys.stdin
    try:
        sys.stdin = io.StringIO(PASSWORD + "\n")
        r = cli("user add first@a.example --enterprise xuzhou-qpcr --role admin --password-stdin")
    finally:
        sys.stdin = old
    assert r.code == 0, r
    assert "admin of xuzhou-qpcr" in r.out
    sys.stdin = io.StringIO(PASSWORD + "\n")
    try:
        dup = cli("user add first@a.example --enterprise xuzhou-qpcr --role admin --password-stdin")
        sys.stdin = io.StringIO(PASSWORD + "\n")
        nope = cli("user add x@a.example --enterprise nowhere --role admin --password-stdin")
        sys.stdin = io.StringIO(PASSWORD + "\n")
        badrole = cli("user add y@a.example --enterprise xuzhou-qpcr --role boss --password-stdin")
    finally:
        sys.stdin = old
    assert dup.code != 0 and dup.err.startswith("error: email") and "Traceback" not in dup.err
    assert nope.code != 0 and "nowhere" in nope.err
    assert badrole.code != 0 and "role" in badrole.err
    log = cli("audit --enterprise xuzhou-qpcr --table users --json")
    assert log.code == 0 and '"first@a.example"' in log.out and "password" not in log.out
