"""The difficulties over HTTP: the enterprise submits, confirms and rates; the officer
accepts, proposes and resolves; steps not allowed are a 422 naming the field; the
figures and the dashboard's queue by department."""

from __future__ import annotations

from tests.government.api_world import GovWorld


def test_a_difficulty_from_submission_to_rating(gov: GovWorld) -> None:
    c, a, xz = gov.client, gov.h("A:admin"), gov.h("XZ")
    body = {"category": "物流与通行", "text": "trucks held"}  # the API takes the value only
    assert c.post("/difficulties", headers=a, json=body).status_code == 422
    r = c.post(
        "/difficulties", headers=gov.h("A:viewer"), json={"category": "finance", "text": "x"}
    )
    assert r.status_code == 403
    r = c.post(
        "/difficulties",
        headers=a,
        json={"category": "finance", "text": "a bridging loan", "attachments": ["orders.xlsx"]},
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert (d["department_jurisdiction"], d["department"], d["state"]) == (
        "xuzhou-municipal",
        "industry-it",
        "submitted",
    )
    assert d["category_zh"] == "融资" and d["attachments"] == ["orders.xlsx"]
    path = f"/difficulties/{d['id']}"
    # Closing an unaccepted difficulty: 422 naming the state, nothing written.
    r = c.post(f"{path}/confirm", headers=a, json={"rating": 5})
    assert r.status_code == 422 and r.json()["error"]["field"] == "state", r.text
    assert c.post(f"{path}/confirm", headers=a, json={"rating": 6}).status_code == 422
    gpath = f"/gov/difficulties/{d['id']}"
    listed = c.get("/gov/difficulties", headers=xz, params={"state": "submitted"}).json()
    assert [x["id"] for x in listed["items"]] == [d["id"]]
    for step, payload in (
        ("accept", {"note": "ours"}),
        ("propose", {"solution": "the city's SME loan scheme"}),
        ("resolve", {}),
    ):
        r = c.post(f"{gpath}/{step}", headers=xz, json=payload)
        assert r.status_code == 200, r.text
    r = c.post(f"{path}/confirm", headers=a, json={"rating": 4, "comment": "quick"})
    assert r.status_code == 200 and r.json()["state"] == "closed", r.text
    mine = c.get(path, headers=gov.h("A:viewer")).json()
    assert [e["kind"] for e in mine["history"]] == [
        "submitted",
        "accepted",
        "proposed",
        "resolved",
        "closed",
    ]
    assert all(e["department"] == "industry-it" for e in mine["history"])
    assert mine["rating"] == 4 and mine["missed"] == [] and mine["overdue"] == []
    # Another enterprise's difficulty is not found; the officer's figures count it.
    assert c.get(f"/difficulties/{gov.zz_difficulty}", headers=a).status_code == 404
    figures = c.get("/gov/difficulties/figures", headers=xz).json()["departments"]
    assert [(f["department"], f["received"], f["on_time"], f["rating_mean"]) for f in figures] == [
        ("industry-it", 1, 1, 4.0)
    ]
    # A bad filter names its field; Zhengzhou's queue shows on its dashboard.
    r = c.get("/gov/difficulties", headers=xz, params={"state": "lost"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "state"
    board = c.get("/gov/dashboard", headers=gov.h("ZZ")).json()
    assert board["by_department"] == [
        {
            "jurisdiction": "zhengzhou-hitech-zone",
            "department": "industry-it",
            "name": "Industry and Information Technology Bureau",
            "open": 1,
            "overdue": 0,
        }
    ]
    assert board["total"]["difficulties_open"] == 1
