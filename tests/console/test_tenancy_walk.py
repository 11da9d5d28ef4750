"""Tenant isolation of the console, as tests/api/test_tenancy.py walks the API: every
enterprise page or form that takes an id, called by tenant A with tenant B's ids, answers
the 404 page and shows nothing of B. A route added without its id in ``IDS`` fails here.

The government's pages (a jurisdiction's ids) are walked with a second city in
tests/console/test_government_pages.py; a worker's declaration link (a signed token, not
an id) is refused when forged in tests/console/test_console.py."""

from __future__ import annotations

from tests.api.test_tenancy import api_routes
from tests.console.pages import signed_in
from tests.daily_record import other_tenant_ids
from tests.jobs.world import jobs_b_ids
from tests.plans.world import plans_b_ids
from tests.screening_world import screening_b_ids
from tests.worlds import World

ELSEWHERE = ("/console/gov", "/console/difficulties", "/console/rectifications", "/console/d/")
# A valid form for each POST, so that the call reaches the lookup of the id.
FORMS = {
    "/console/clearance/{employee_no}": {"reason": "checked by the clinic"},
    "/console/cases/{case_id}/quarantine": {"how": ["team"], "reason": "same team as the case"},
    "/console/activations/{activation_id}/actions/{n}/refuse": {"reason": "not needed"},
    "/console/activations/{activation_id}/stand-down": {"reason": "the cause is over"},
    "/console/tasks/{task_id}/done": {"note": "done"},
    "/console/shipments/{direction}/{sid}/status": {"status": "dispatched"},
}


def test_every_console_page_with_an_id_hides_the_other_tenant(console_world: World) -> None:
    w = console_world
    b_workers = w.get("/workers", who="B:admin", params={"limit": 1000}).json()["items"]
    ids = {"employee_no": b_workers[0]["employee_no"], **other_tenant_ids(w.url)}
    ids |= screening_b_ids(w.url) | plans_b_ids(w.url) | jobs_b_ids(w.url)
    ids["sid"] = ids["shipment_id"]  # B's purchase and customer shipment are both ZZ-B-1
    # What only B's record holds; an error may repeat the id the caller sent.
    markers = {x["name"] for x in b_workers} | {x["id_number"] for x in b_workers}
    markers |= {x["employee_no"] for x in b_workers[1:]} | {"zhengzhou-meters"}
    # Admins reach every enterprise page but the health officer's forms (clearance).
    admin, officer = signed_in(w, "A:admin", lang="en"), signed_in(w, "A:health_officer")
    walked: set[str] = set()
    for route in api_routes(w.client.app.routes):
        params = set(route.param_convertors) - {"direction", "rest"}
        if not route.path.startswith("/console/") or not params:
            continue
        if route.path.startswith(ELSEWHERE):
            continue
        for method in route.methods:
            for direction in ("in", "out") if "{direction}" in route.path else ("",):
                path = route.path.replace("{direction}", direction)
                for p in params:
                    path = path.replace("{" + p + "}", ids[p])
                b = officer if "/clearance/" in path else admin
                b.get("/console/today")  # a fresh CSRF token for the form
                form = FORMS.get(route.path, {})
                r = b.get(path) if method == "GET" else b.post(path, form)
                walked |= params
                leaked = [m for m in markers if m in r.text]
                assert not leaked, f"{method} {path} leaked {leaked[:3]}"
                assert r.status_code == 404, f"{method} {path}: {r.status_code} {r.text[:300]}"
    # Every kind of id the enterprise's pages take was walked.
    assert walked == {
        "employee_no",
        "job_id",
        "case_id",
        "activation_id",
        "n",
        "task_id",
        "drill_id",
        "round_id",
        "sid",
    }, walked
