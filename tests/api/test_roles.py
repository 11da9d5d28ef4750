"""The app as a whole: what each role sees across the routers; error bodies and /health."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from keepline.db import MIGRATIONS
from tests.worlds import World

PERSONAL = {
    "phone",
    "id_number",
    "flags",
    "flagged_on",
    "cleared_by",
    "cleared_at",
    "clearance_reason",
}


def test_each_role_sees_what_it_may(world: World) -> None:
    world.post(
        "/declarations",
        who="A:health_officer",
        json={"employee_no": "XQ00002", "day": str(world.today), "temperature_c": 38.4},
    )
    for role in ("admin", "health_officer", "planner", "storekeeper", "viewer"):
        who = f"A:{role}"
        w = world.get("/workers/XQ00002", who=who).json()
        listed = next(
            x
            for x in world.get("/workers", who=who, params={"limit": 5}).json()["items"]
            if x["employee_no"] == "XQ00002"
        )
        assert w["cleared"] is False and w["not_cleared_category"] == "health"
        personal = role in ("admin", "health_officer")
        for view in (w, listed):
            assert (set(view) >= PERSONAL) is personal, role
            assert PERSONAL.isdisjoint(view) is (not personal), role
        if personal:
            assert w["flags"] == ["fever"] and len(w["id_number"]) == 18
        decl = world.get("/declarations", who=who)
        one = world.get(f"/declarations/XQ00002/{world.today}", who=who)
        assert (decl.status_code, one.status_code) == ((200, 200) if personal else (403, 403)), role
        if not personal:
            text = (
                world.get("/workers/XQ00002", who=who).text
                + world.get("/workers/summary", who=who).text
            )
            assert "38.4" not in text and "fever" not in text and w["name"] in text
        assert world.get("/audit", who=who).status_code == (200 if role == "admin" else 403)
        assert world.get("/users", who=who).status_code == (200 if role == "admin" else 403)
        assert world.get("/declarations/missing", who=who).status_code == 200


def test_error_bodies_and_health(world: World) -> None:
    h = world.client.get("/health").json()
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert h["status"] == "ok" and h["revision"] == head
    for r, status in (
        (world.client.get("/no/such/route"), 404),
        (world.client.delete("/health"), 405),
        (world.client.get("/workers"), 401),
        (world.get("/workers/XQ99999"), 404),
        (world.post("/declarations", json={"employee_no": "XQ00001"}), 422),
    ):
        assert r.status_code == status
        assert set(r.json()) == {"error"}
        assert {"code", "message", "field"} <= set(r.json()["error"])
    assert world.get("/workers/XQ99999").json()["error"]["field"] == "employee_no"
    assert "x-request-id" in world.get("/workers").headers
