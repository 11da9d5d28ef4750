"""The daily record's HTTP routes: roles, bad input as 4xx naming the field, tenancy."""

from __future__ import annotations

from tests.daily_record import ApiWorld


def receipt(qty: float = 1000, unit: str = "pcs", day: str = "2026-12-02") -> dict:
    return {"material_id": "mcu-chip", "kind": "receipt", "day": day, "qty": qty, "unit": unit}


def test_stock_routes_roles_and_errors(api: ApiWorld) -> None:
    r = api.post("/stock/movements", "zz:viewer", json=receipt())
    assert r.status_code == 403
    r = api.post("/stock/movements", "zz:storekeeper", json=receipt())
    assert r.status_code == 201, r.text
    assert r.json()["actor"] == "user:storekeeper@zz.example"
    r = api.post("/stock/movements", "zz:storekeeper", json=receipt(unit="kg"))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["field"] == "unit" and "does not match" in err["message"]
    r = api.post("/stock/movements", "zz:storekeeper", json={**receipt(61_001), "kind": "issue"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "qty"
    r = api.get("/materials/mcu-chip", "zz:viewer", params={"as_of": "2026-12-02"})
    assert r.json()["on_hand"] == 61_000
    page = api.get("/materials/mcu-chip/movements", "zz:viewer").json()
    assert [m["kind"] for m in page["items"]] == ["opening", "receipt"]
    # The other tenant does not see Zhengzhou's chips.
    assert api.get("/materials/mcu-chip", "xz:admin").status_code == 404
    assert api.get("/materials/mcu-chip/movements", "xz:admin").status_code == 404


def test_lockdown_through_the_api(api: ApiWorld) -> None:
    r = api.post(
        "/purchase-shipments",
        "zz:planner",
        json={
            "id": "PO-7",
            "material_id": "mcu-chip",
            "supplier_id": "shenzhen-xinpian",
            "qty": 40000,
            "ordered_on": "2026-12-01",
            "eta": "2026-12-09",
        },
    )
    assert r.status_code == 201, r.text
    r = api.post(
        "/statuses",
        "zz:planner",
        json={"kind": "region", "node_id": "440300", "state": "locked-down", "start": "2026-12-01"},
    )
    assert r.status_code == 201, r.text
    po = api.get("/purchase-shipments/PO-7", "zz:viewer").json()
    assert po["at_risk"] and "440300" in po["risk_reason"]
    sup = {
        s["supplier_id"]: s for s in api.get("/suppliers", params={"as_of": "2026-12-01"}).json()
    }
    assert sup["shenzhen-xinpian"]["state"] == "locked-down"
    assert sup["shenzhen-xinpian"]["at_risk_shipments"] == 1
    out = api.get("/stock/outlook", "zz:viewer", params={"as_of": "2026-12-01"}).json()
    warn = {w["material_id"]: w for w in out["warnings"]}
    # As in test_outlook: LCDs run out on day 16 (2026-12-17); kunshan-lcd by day 3.
    assert warn["lcd-display"]["activate_by"] == "2026-12-04"
    assert warn["lcd-display"]["runs_out_on"] == "2026-12-17"
    assert "2026-12-04" in warn["lcd-display"]["message"]
    # The at-risk PO is not counted on: chips still run out on day 10 (2026-12-11).
    assert warn["mcu-chip"]["runs_out_on"] == "2026-12-11"
    assert warn["mcu-chip"]["backup_supplier_id"] == "xian-semi"
    # The other tenant sees none of it.
    assert api.get("/purchase-shipments/PO-7", "xz:admin").status_code == 404
    assert api.get("/purchase-shipments", "xz:admin").json()["total"] == 0


def test_shipments_and_output_bad_input(api: ApiWorld) -> None:
    r = api.post(
        "/customer-shipments",
        "zz:planner",
        json={"id": "DN-1", "order_id": "NOPE-1", "qty": 5, "planned_on": "2026-12-02"},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "order_id"
    r = api.post(
        "/transport-passes",
        "zz:planner",
        json={
            "id": "TP-1",
            "vehicle": "豫A·1",
            "valid_from": "2026-12-05",
            "valid_until": "2026-12-01",
        },
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "valid_until"
    r = api.post(
        "/output",
        "zz:planner",
        json={"line_id": "gas-line", "product_id": "water-meter-nb", "day": "2026-12-01", "qty": 5},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "product_id"
    r = api.post(
        "/output",
        "zz:storekeeper",
        json={"line_id": "gas-line", "product_id": "gas-meter-nb", "day": "2026-12-01", "qty": 5},
    )
    assert r.status_code == 403
    r = api.post(
        "/output",
        "zz:planner",
        json={
            "line_id": "gas-line",
            "product_id": "gas-meter-nb",
            "day": "2026-12-01",
            "qty": 1500,
            "backflush": True,
        },
    )
    assert r.status_code == 201, r.text
    daily = api.get("/output/daily", "zz:viewer").json()
    assert daily == [
        {
            "day": "2026-12-01",
            "line_id": "gas-line",
            "product_id": "gas-meter-nb",
            "qty": 1500.0,
            "rate_units_per_day": 1500.0,
            "share_of_rate": 1.0,
        }
    ]
    # Backflush issued one diaphragm unit per gas meter: 20,000 - 1,500 = 18,500.
    m = api.get("/materials/diaphragm-gas-unit", params={"as_of": "2026-12-01"}).json()
    assert m["on_hand"] == 18_500
    # Backflushing more than the stock is refused and writes nothing (not even the output).
    r = api.post(
        "/output",
        "zz:planner",
        json={
            "line_id": "gas-line",
            "product_id": "gas-meter-nb",
            "day": "2026-12-01",
            "qty": 20_000,
            "backflush": True,
        },
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "qty"
    assert len(api.get("/output").json()["items"]) == 1
    orders = {o["id"]: o for o in api.get("/orders", params={"as_of": "2026-12-01"}).json()}
    assert orders["ZZ-G-102"]["remaining"] == 30_000 and orders["ZZ-G-102"]["state"] == "open"
