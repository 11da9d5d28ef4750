"""Tenancy of the government side: every /gov route, called by a Xuzhou officer with the
second city's (Zhengzhou's) ids, answers 404 and nothing of Zhengzhou; every list holds
nothing of it. And each role against each route: who may call what."""

from __future__ import annotations

from fastapi.routing import APIRoute

from tests.government.api_world import APPLICATION, GovWorld

BODIES = {
    ("POST", "/gov/enterprises"): {
        "enterprise_id": "zhengzhou-meters",
        "jurisdiction": "zhengzhou-hitech-zone",
        "industry": "x",
        "scale": "large",
    },
    ("POST", "/gov/enterprises/{enterprise_id}/listings"): {
        "tag": "livelihood",
        "listed_on": "2026-11-03",
        "document": "d",
    },
    ("POST", "/gov/enterprises/{enterprise_id}/listings/{tag}/end"): {
        "delisted_on": "2026-11-05",
        "document": "d",
    },
    ("POST", "/gov/enterprises/{enterprise_id}/liaison"): {
        "officer": "deputy.mayor@xuzhou.gov.example",
        "start_on": "2026-11-03",
    },
    ("POST", "/gov/enterprises/{enterprise_id}/resumption-state"): {
        "state": "fully",
        "day": "2026-11-03",
        "reason": "x",
    },
    ("POST", "/gov/applications/{application_id}/onsite-check"): {"note": "visit"},
    ("POST", "/gov/applications/{application_id}/decision"): {
        "decision": "approve",
        "day": "2026-12-01",
        "reason": "fine",
    },
    ("POST", "/daily-reports"): {"day": "2026-12-01"},
    ("POST", "/gov/difficulties/{difficulty_id}/accept"): {},
    ("POST", "/gov/difficulties/{difficulty_id}/transfer"): {
        "department": "transport",
        "note": "n",
    },
    ("POST", "/gov/difficulties/{difficulty_id}/propose"): {"solution": "s"},
    ("POST", "/gov/difficulties/{difficulty_id}/resolve"): {},
    ("POST", "/difficulties"): {"category": "finance", "text": "a loan"},
    ("POST", "/difficulties/{difficulty_id}/confirm"): {"rating": 5},
    ("POST", "/difficulties/{difficulty_id}/reopen"): {"reason": "r"},
    ("POST", "/gov/visits"): {
        "enterprise_id": "zhengzhou-meters",
        "day": "2026-12-01",
        "visitors": ["市长 Mayor"],
        "topics": ["capacity"],
    },
    ("POST", "/gov/visits/{visit_id}/findings"): {
        "text": "x",
        "category": "logistics",
        "due_on": "2026-12-31",
    },
    ("POST", "/gov/findings/{finding_id}/verify"): {},
    ("POST", "/gov/findings/{finding_id}/send-back"): {"reason": "x"},
    ("POST", "/rectifications/{finding_id}/answer"): {"text": "done"},
    ("POST", "/resumption/applications"): APPLICATION,
}
# Xuzhou officers' GET lists that take a jurisdiction filter: Zhengzhou's is 404.
FILTERED = {
    "/gov/enterprises",
    "/gov/daily-reports",
    "/gov/dashboard",
    "/gov/applications",
    "/gov/visits",
    "/gov/findings",
}
# Writes whose enterprise is in the body: another city's is 404 too.
BODY_TENANT = {("POST", "/gov/enterprises"), ("POST", "/gov/visits")}
ZZ_MARKERS = {
    "zhengzhou-meters",
    "Zhengzhou",
    "zhengzhou-hitech-zone",
    "ZM90",
    "Li Si0",
    "toll",  # its difficulty's text
    "liaison.chen",
}
PERSONAL = {"Zhang San", "XQ90", "13900000000", "320303199001011230", "Li Si", "ZM90"}


def gov_routes(routes) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            out.extend(gov_routes(r.original_router.routes))
    prefixes = ("/gov/", "/daily-reports", "/resumption/", "/difficulties", "/rectifications")
    return [r for r in out if r.path.startswith(prefixes)]


def _ids(gov: GovWorld) -> dict[str, str]:
    return {
        "enterprise_id": "zhengzhou-meters",
        "application_id": str(gov.zz_application),
        "tag": "livelihood",
        "day": str(gov.today),
        "difficulty_id": str(gov.zz_difficulty),
        "visit_id": str(gov.zz_visit),
        "finding_id": str(gov.zz_finding),
    }


def _call(gov: GovWorld, who: str, method: str, route: APIRoute, ids: dict[str, str]):  # type: ignore[no-untyped-def]
    path = route.path
    for p in route.param_convertors:
        path = path.replace("{" + p + "}", ids[p])
    kwargs = {}
    if (method, route.path) in BODIES:
        kwargs["json"] = BODIES[(method, route.path)]
    return gov.client.request(method, path, headers=gov.h(who), **kwargs)


def test_every_gov_route_hides_the_other_city(gov: GovWorld) -> None:
    ids = _ids(gov)
    walked = set()
    for route in gov_routes(gov.client.app.routes):
        if not route.path.startswith("/gov/"):
            continue
        for method in route.methods:
            r = _call(gov, "XZ", method, route, ids)
            walked.add((method, route.path))
            leaked = [m for m in ZZ_MARKERS | PERSONAL if m in r.text]
            assert r.status_code < 500, f"{method} {route.path}: {r.text[:300]}"
            if route.param_convertors or (method, route.path) in BODY_TENANT:
                assert r.status_code == 404, f"{method} {route.path}: {r.status_code} {r.text}"
                assert r.json()["error"]["code"] == "not_found"
                assert not (leaked and set(leaked) - {"zhengzhou-meters", "zhengzhou-hitech-zone"})
            else:
                assert r.status_code == 200, f"{method} {route.path}: {r.status_code} {r.text}"
                assert not leaked, f"{method} {route.path} leaked {leaked}"
                if route.path in FILTERED:
                    r2 = gov.client.get(
                        route.path,
                        headers=gov.h("XZ"),
                        params={"jurisdiction": "zhengzhou-hitech-zone"},
                    )
                    assert r2.status_code == 404, f"{route.path}: {r2.text}"
    assert len(walked) >= 23
    # The enterprise's difficulty routes, by Xuzhou's admin with Zhengzhou's difficulty.
    for route in gov_routes(gov.client.app.routes):
        if not route.path.startswith("/difficulties"):
            continue
        for method in route.methods:
            r = _call(gov, "A:admin", method, route, ids)
            walked.add((method, route.path))
            leaked = [m for m in ZZ_MARKERS | PERSONAL if m in r.text]
            assert not leaked, f"{method} {route.path} leaked {leaked}"
            expected = 404 if route.param_convertors else (201 if method == "POST" else 200)
            assert r.status_code == expected, f"{method} {route.path}: {r.status_code} {r.text}"
    assert {p for _m, p in walked if "difficult" in p} >= {
        "/difficulties",
        "/difficulties/{difficulty_id}/confirm",
        "/gov/difficulties/{difficulty_id}/transfer",
        "/gov/difficulties/figures",
    }
    # Zhengzhou's enterprise is untouched: its officer still sees it as it was.
    z = gov.client.get("/gov/enterprises/zhengzhou-meters", headers=gov.h("ZZ")).json()
    assert z["resumption_state"] == "not-resumed" and z["liaisons"] == []
    assert [x["tag"] for x in z["listings"]] == ["livelihood"]
    assert z["listings"][0]["delisted_on"] is None
    app = gov.client.get(f"/gov/applications/{gov.zz_application}", headers=gov.h("ZZ")).json()
    assert app["status"] == "submitted"
    zd = gov.client.get(f"/gov/difficulties/{gov.zz_difficulty}", headers=gov.h("ZZ"))
    assert zd.status_code == 200 and zd.json()["state"] == "submitted", zd.text
    assert [e["kind"] for e in zd.json()["history"]] == ["submitted"]
    v = gov.client.get(f"/gov/visits/{gov.zz_visit}", headers=gov.h("ZZ")).json()
    assert [(f["status"], len(f["steps"])) for f in v["findings"]] == [("open", 1)]
    visits = gov.client.get("/gov/visits", headers=gov.h("ZZ")).json()
    assert visits["total"] == 1


def test_a_sub_jurisdiction_sees_only_its_own(gov: GovWorld) -> None:
    # The Xuzhou development-zone officer: Xuzhou's plant is registered in the city itself.
    r = gov.client.get("/gov/enterprises/xuzhou-qpcr", headers=gov.h("XZ-zone"))
    assert r.status_code == 404
    r = gov.client.get(
        "/gov/dashboard", headers=gov.h("XZ-zone"), params={"jurisdiction": "xuzhou-municipal"}
    )
    assert r.status_code == 404
    assert gov.client.get("/gov/enterprises", headers=gov.h("XZ-zone")).json()["total"] == 0
    # The city officer sees it.
    assert gov.client.get("/gov/enterprises/xuzhou-qpcr", headers=gov.h("XZ")).status_code == 200


def test_each_role_against_each_route(gov: GovWorld) -> None:
    ids = _ids(gov)
    ids["enterprise_id"] = "xuzhou-qpcr"
    for route in gov_routes(gov.client.app.routes):
        for method in route.methods:
            if route.path.startswith("/gov/"):
                # Enterprise accounts may not call the government's routes at all.
                for who in ("A:admin", "A:viewer", "B:admin"):
                    r = _call(gov, who, method, route, ids)
                    assert r.status_code == 403, f"{who} {method} {route.path}: {r.status_code}"
            else:
                # Officers may not call an enterprise's routes.
                r = _call(gov, "XZ", method, route, ids)
                assert r.status_code == 403, f"XZ {method} {route.path}: {r.status_code}"
                if method == "POST":
                    r = _call(gov, "A:viewer", method, route, ids)
                    assert r.status_code == 403, f"viewer {method} {route.path}: {r.status_code}"


def test_government_answers_hold_no_personal_data(gov: GovWorld) -> None:
    r = gov.client.post("/daily-reports", headers=gov.h("A:admin"), json={"day": str(gov.today)})
    assert r.status_code == 201, r.text
    assert r.json()["rostered"] == 3
    for path in (
        "/gov/enterprises",
        "/gov/enterprises/xuzhou-qpcr",
        "/gov/enterprises/xuzhou-qpcr/daily-reports",
        f"/gov/enterprises/xuzhou-qpcr/daily-reports/{gov.today}",
        "/gov/daily-reports",
        "/gov/dashboard",
        "/gov/officers",
        "/gov/jurisdictions",
        "/gov/applications",
    ):
        r = gov.client.get(path, headers=gov.h("XZ"))
        assert r.status_code == 200, f"{path}: {r.text}"
        leaked = [m for m in PERSONAL if m in r.text]
        assert not leaked, f"{path} leaked {leaked}"
    _briefing_pack_without_personal_data(gov)


def test_an_enterprise_never_sees_the_internal_note_or_another_enterprise(gov: GovWorld) -> None:
    r = gov.client.post(
        f"/gov/applications/{gov.zz_application}/decision",
        headers=gov.h("ZZ"),
        json={
            "decision": "approve-in-part",
            "day": str(gov.today),
            "reason": "water meters first",
            "zones": ["water-assembly"],
            "internal_note": "INTERNAL: the district is short of test kits",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["internal_note"].startswith("INTERNAL")
    mine = gov.client.get(
        f"/resumption/applications/{gov.zz_application}", headers=gov.h("B:admin")
    )
    assert mine.status_code == 200 and "INTERNAL" not in mine.text
    assert mine.json()["status"] == "approved-in-part"
    audit = gov.client.get("/audit", headers=gov.h("B:admin"), params={"limit": 500})
    assert "INTERNAL" not in audit.text
    other = gov.client.get(
        f"/resumption/applications/{gov.zz_application}", headers=gov.h("A:admin")
    )
    assert other.status_code == 404
    z = gov.client.get("/gov/enterprises/zhengzhou-meters", headers=gov.h("ZZ")).json()
    assert z["resumption_state"] == "partly"
    _own_rectification_tasks_only(gov)


def _own_rectification_tasks_only(gov: GovWorld) -> None:
    # Every enterprise route to rectification tasks, walked by the Xuzhou plant's admin
    # with Zhengzhou's task: 404, and its list holds nothing of Zhengzhou.
    walked = 0
    for route in gov_routes(gov.client.app.routes):
        if not route.path.startswith("/rectifications"):
            continue
        for method in route.methods:
            walked += 1
            r = _call(gov, "A:admin", method, route, _ids(gov))
            assert not [m for m in ZZ_MARKERS if m in r.text], f"{method} {route.path}"
            if route.param_convertors:
                assert r.status_code == 404, f"{method} {route.path}: {r.text}"
                assert r.json()["error"]["code"] == "not_found"
            else:
                assert r.status_code == 200 and r.json()["total"] == 0
    assert walked == 3
    zz = f"/rectifications/{gov.zz_finding}"
    # Its own: the other city's admin answers; verifying twice is refused naming the field.
    theirs = gov.client.get("/rectifications", headers=gov.h("B:admin")).json()
    assert [x["id"] for x in theirs["items"]] == [gov.zz_finding]
    r = gov.client.post(f"/gov/findings/{gov.zz_finding}/verify", headers=gov.h("ZZ"), json={})
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"
    r = gov.client.post(f"{zz}/answer", headers=gov.h("B:admin"), json={"text": "second carrier"})
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = gov.client.post(f"/gov/findings/{gov.zz_finding}/verify", headers=gov.h("ZZ"), json={})
    assert r.status_code == 200 and r.json()["status"] == "verified"
    r = gov.client.post(f"{zz}/answer", headers=gov.h("B:admin"), json={"text": "again"})
    assert r.status_code == 422 and "is verified" in r.json()["error"]["message"]


def _briefing_pack_without_personal_data(gov: GovWorld) -> None:
    r = gov.client.post(
        "/gov/visits",
        headers=gov.h("XZ"),
        json={
            "enterprise_id": "xuzhou-qpcr",
            "day": str(gov.today),
            "visitors": ["市长 Mayor", "deputy.mayor@xuzhou.gov.example"],
            "topics": ["prevention", "living"],
        },
    )
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    pack = gov.client.get(f"/gov/visits/{vid}/briefing", headers=gov.h("XZ"))
    assert pack.status_code == 200, pack.text
    assert pack.json()["prevention"]["rostered"] == 3
    assert pack.json()["living"] == {
        "recorded": True,
        "dormitory_residents": 0,
        "commuters": 3,
        "dormitory_zones": 2,
        "closed_loop_zones": 0,
    }
    page = gov.client.get(
        f"/gov/visits/{vid}/briefing", headers=gov.h("XZ"), params={"format": "html"}
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for text in (pack.text, page.text):
        leaked = [m for m in PERSONAL if m in text]
        assert not leaked, leaked
    r = gov.client.get(f"/gov/visits/{vid}/briefing", headers=gov.h("XZ"), params={"format": "pdf"})
    assert r.status_code == 422
