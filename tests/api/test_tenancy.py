"""Tenant isolation: every route, called by tenant A with tenant B's ids, answers 404 and
nothing of B; every list A can read holds nothing of B."""

from __future__ import annotations

import json

from fastapi.routing import APIRoute

from tests.daily_record import WALK_BODIES, other_tenant_ids
from tests.jobs.world import JOB_BODIES, jobs_b_ids
from tests.plans.world import PLAN_BODIES, plans_b_ids
from tests.screening_world import SCREENING_BODIES, screening_b_ids
from tests.worlds import World

# A valid body for every route that takes one, so the call reaches the lookup of the id
# (a 422 for a bad body would prove nothing about isolation).
BODIES = {
    ("PATCH", "/users/{user_id}"): {"name": "renamed"},
    ("PATCH", "/workers/{employee_no}"): {"name": "renamed"},
    ("POST", "/workers/{employee_no}/clearance"): {"reason": "checked by the clinic"},
    ("POST", "/workers/{employee_no}/leave"): {},
    ("PUT", "/retention"): {"declarations_days": 28},
}
BODIES.update(WALK_BODIES)  # the daily record's routes (materials, logistics, production)
BODIES.update(SCREENING_BODIES)
BODIES.update(PLAN_BODIES)  # emergency plans: stand-down, refuse, done
BODIES.update(JOB_BODIES)  # background jobs: a tiny assessment of A's own
PUBLIC = {("GET", "/health"), ("POST", "/auth/login")}
# The government side's routes (the difficulties', which need a registered enterprise, and
# the enterprise's answers to visits, /rectifications) are walked with a second city's ids
# in tests/government/test_tenancy.py.
GOVERNMENT = ("/gov/", "/daily-reports", "/resumption/", "/difficulties", "/rectifications")
CONSOLE = "/console"


def api_routes(routes) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    """Every APIRoute of an app, through included routers (FastAPI keeps them nested;
    no prefixes are used, so the paths are the routers' own)."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            out.extend(api_routes(r.original_router.routes))
    return out


def _b_ids(world: World) -> dict[str, str]:
    b_worker = world.get("/workers", who="B:admin", params={"limit": 1}).json()["items"][0]
    # B's worker gets a flagged declaration so a clearance lookup in B would succeed.
    r = world.post(
        "/declarations",
        who="B:admin",
        json={
            "employee_no": b_worker["employee_no"],
            "day": str(world.today),
            "temperature_c": 38.5,
        },
    )
    assert r.status_code == 200, r.text
    return {
        "employee_no": b_worker["employee_no"],
        "user_id": str(world.users["B:admin"]),
        "day": str(world.today),
        **other_tenant_ids(world.url),
    }


def _markers(world: World) -> set[str]:
    """Strings that only B's data contains."""
    items = world.get("/workers", who="B:admin", params={"limit": 1000}).json()["items"]
    out = {w["employee_no"] for w in items} | {w["id_number"] for w in items}
    out |= {"admin@b.example", "zhengzhou-meters"}
    return out


def test_every_route_hides_the_other_tenant(world: World) -> None:
    ids = _b_ids(world)
    ids.update(screening_b_ids(world.url))
    ids.update(plans_b_ids(world.url))
    ids.update(jobs_b_ids(world.url))
    # An error may repeat the id the caller sent; everything else of B must stay hidden.
    markers = _markers(world) - {ids["employee_no"]}
    a_admin = world.h("A:admin")
    a_officer = world.h("A:health_officer")
    walked: set[tuple[str, str]] = set()
    # Logging out ends the token the walk uses: do it last.
    routes = sorted(api_routes(world.client.app.routes), key=lambda r: r.path == "/auth/logout")
    for route in routes:
        for method in route.methods:
            if (method, route.path) in PUBLIC:
                continue
            if route.path.startswith(CONSOLE):
                continue  # pages, walked in tests/console/test_tenancy_walk.py
            if route.path.startswith(GOVERNMENT):
                walked.add((method.lower(), route.path))
                continue
            params = [p for p in route.param_convertors]
            headers = a_officer if route.path.endswith("/clearance") else a_admin
            path = route.path
            for p in params:
                path = path.replace("{" + p + "}", ids[p])
            kwargs: dict = {}
            if (method, route.path) in BODIES:
                kwargs["json"] = BODIES[(method, route.path)]
            elif route.path == "/declarations/bulk":
                kwargs["json"] = {
                    "declarations": [
                        {
                            "employee_no": ids["employee_no"],
                            "day": ids["day"],
                            "temperature_c": 36.5,
                        }
                    ]
                }
            elif route.path == "/declarations" and method == "POST":
                kwargs["json"] = {
                    "employee_no": ids["employee_no"],
                    "day": ids["day"],
                    "temperature_c": 36.5,
                }
            elif route.path.endswith("/import"):
                kwargs["files"] = {
                    "file": (
                        "x.csv",
                        f"employee_no,name,team,day,temperature_c\n{ids['employee_no']},x,x,{ids['day']},36.5\n",
                    )
                }
            r = world.client.request(method, path, headers=headers, **kwargs)
            walked.add((method.lower(), route.path))
            body = r.text
            leaked = [m for m in markers if m in body]
            assert not leaked, f"{method} {route.path} leaked {leaked[:3]}: {body[:300]}"
            assert r.status_code < 500, f"{method} {route.path}: {r.status_code} {body[:300]}"
            if params:
                assert r.status_code == 404, f"{method} {path}: {r.status_code} {body[:300]}"
                assert r.json()["error"]["code"] == "not_found"
            elif method == "GET":
                assert r.status_code == 200, f"{method} {path}: {r.status_code} {body[:300]}"
    # The walk covered every operation of the published API (but the public two).
    spec = world.client.app.openapi()["paths"]
    published = {(m, p) for p, ops in spec.items() for m in ops}
    assert published - walked == {("get", "/health"), ("post", "/auth/login")}
    assert len(walked) >= 18
    # And B's data is untouched by all of that.
    b = world.get(f"/workers/{ids['employee_no']}", who="B:admin").json()
    assert b["name"] != "renamed" and b["cleared"] is False
    audit_b = world.get("/audit", who="B:admin", params={"actor": "user:admin@a.example"}).json()
    assert audit_b["total"] == 0


def test_lists_of_a_hold_only_a(world: World) -> None:
    world.post(
        "/declarations",
        json={"employee_no": "XQ00001", "day": str(world.today), "temperature_c": 36.6},
    )
    for path in ("/workers", "/users", "/declarations", "/declarations/missing", "/audit"):
        page = world.get(path, params={"limit": 1000}).json()
        assert page["total"] > 0, path
        text = json.dumps(page, ensure_ascii=False)
        assert "ZM0" not in text and "admin@b.example" not in text, path
    # B's admin sees B's own roster, not A's.
    b = world.get("/workers", who="B:admin", params={"limit": 1000}).json()
    assert b["total"] == 40 and all(w["employee_no"].startswith("ZM") for w in b["items"])


def test_a_jurisdiction_account_reaches_no_enterprise_route(world: World) -> None:
    r = world.get("/workers", who="G:government_officer")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert (
        world.get("/auth/me", who="G:government_officer").json()["jurisdiction"]
        == "xuzhou-municipal"
    )
