"""The materials, logistics and output pages: stock and days of cover, the ledger and
recording a movement; shipments in and out with their moves, transport passes; output per
line against the full rate and the plan, and recording output — through the services the
API calls, on the console's shared two-tenant world (tenant A: the Xuzhou qPCR plant).
Each figure is checked against the API's answer or hand arithmetic."""

from __future__ import annotations

import json
import re
from html import unescape

from sqlalchemy import func, select

from keepline.audit.models import AuditEntry
from keepline.console import auth as console_auth
from keepline.db import session_scope
from keepline.logistics import auth as logistics_auth
from keepline.materials import auth as materials_auth
from keepline.materials.models import StockMovement
from keepline.production import auth as production_auth
from keepline.production.models import OutputRecord
from tests.console.pages import signed_in
from tests.console.test_plans_pages import _roles
from tests.worlds import World

MATERIALS = "/console/materials"
MOVEMENTS = "/console/materials/movements"
SHIPMENTS = "/console/shipments"
PASSES = "/console/passes"
OUTPUT = "/console/output"
SUPPLIERS = "/console/suppliers"


def _count(world: World, model: type) -> int:
    with session_scope(world.url) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _audited(world: World, table: str, key: str) -> list[tuple[str, str]]:
    """(action, actor) of each audit entry of a row, oldest first."""
    with session_scope(world.url) as s:
        q = (
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.table_name == table, AuditEntry.record_key == key)
            .order_by(AuditEntry.id)
        )
        return [(a, b) for a, b in s.execute(q)]


def _on_hand(world: World, material: str) -> float:
    return float(world.get(f"/materials/{material}").json()["on_hand"])


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error"[^>]*>([^<]+)</p>', html)
    assert found, html[-3000:]
    return unescape(found.group(1))


def test_the_pages_roles_are_the_apis() -> None:
    assert _roles(console_auth.StockRecorder) == _roles(materials_auth.Storekeeper)
    assert _roles(console_auth.LogisticsEditor) == _roles(logistics_auth.LogisticsEditor)
    assert _roles(console_auth.OutputRecorder) == _roles(production_auth.Planner)


def test_cover_chart_and_recording_a_movement(console_world: World) -> None:
    w = console_world
    viewer = signed_in(w, "A:viewer", lang="en")
    page = viewer.get(MATERIALS)
    assert page.status_code == 200
    api = {r["material_id"]: r for r in w.get("/stock/outlook").json()["cover"]}
    shown = re.findall(
        r'<tr id="material-([^"]+)" data-material="[^"]+"( class="critical")?', page.text
    )
    assert {m for m, _ in shown} == set(api) and len(shown) == 16
    # critical: fewer than 7 days of cover by the API's figure (null: never runs out)
    critical = {
        m for m, r in api.items() if r["days_of_cover"] is not None and r["days_of_cover"] < 7
    }
    assert {m for m, c in shown if c} == critical
    chart = json.loads(re.search(r'id="cover-chart">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    raw, prevention = chart["series"]
    names = chart["yAxis"]["data"]
    marked = {names[i] for i, v in enumerate(prevention["data"]) if v is not None}
    assert marked == {r["name"] for r in api.values() if r["kind"] == "prevention"}
    assert len(marked) == 5 and all(
        (a is None) != (b is None) for a, b in zip(raw["data"], prevention["data"], strict=True)
    )
    assert raw["markLine"]["data"] == [{"xAxis": 7}]
    assert "Record a movement" not in page.text  # a viewer may not
    assert viewer.get(f"{MOVEMENTS}/new").status_code == 403
    assert viewer.post(f"{MOVEMENTS}/new", {"material_id": "swab"}).status_code == 403

    keeper = signed_in(w, "A:storekeeper", lang="en")
    form = keeper.get(f"{MOVEMENTS}/new", params={"material": "swab"})
    assert form.status_code == 200 and 'value="pcs"' in form.text
    before, stock = _count(w, StockMovement), _on_hand(w, "swab")
    too_many = stock + 1
    data = {"material_id": "swab", "kind": "issue", "day": str(w.today), "unit": "pcs"}
    r = keeper.post(f"{MOVEMENTS}/new", data | {"qty": f"{too_many:g}", "reason": "ward 3"})
    assert r.status_code == 422
    assert _error(r.text, "qty") == (
        f"issue of {too_many:g} pcs would leave swab at -1 pcs on {w.today.isoformat()}"
    )
    assert f'value="{too_many:g}"' in r.text and 'value="ward 3"' in r.text  # kept
    assert 'aria-describedby="qty-error"' in r.text
    r = keeper.post(f"{MOVEMENTS}/new", data | {"qty": "10", "unit": "kg"})
    assert r.status_code == 422 and "does not match swab" in _error(r.text, "unit")
    r = keeper.post(f"{MOVEMENTS}/new", data | {"qty": "ten"})
    assert r.status_code == 422 and _error(r.text, "qty")
    assert _count(w, StockMovement) == before and _on_hand(w, "swab") == stock

    r = keeper.post(f"{MOVEMENTS}/new", data | {"kind": "receipt", "qty": "250", "ref": "GRN-7"})
    assert r.status_code == 303, r.text[-2000:]
    mid = re.search(r"recorded=(\d+)", r.headers["location"]).group(1)  # type: ignore[union-attr]
    assert _on_hand(w, "swab") == stock + 250
    listed = keeper.get(r.headers["location"])
    assert f'data-movement="{mid}"' in listed.text and "GRN-7" in listed.text
    assert _audited(w, "stock_movements", mid) == [("insert", "user:storekeeper@a.example")]
    # the ledger of all materials, and another enterprise's material is a 404
    assert f'data-movement="{mid}"' in viewer.get(MOVEMENTS).text
    assert viewer.get(MOVEMENTS, params={"material": "mcu-chip"}).status_code == 404
    assert keeper.get(f"{MOVEMENTS}/new", params={"material": "mcu-chip"}).status_code == 404
    # Today links the days of cover to the ledger
    today = viewer.get("/console/today").text
    assert 'href="/console/materials/movements?material=swab"' in today


def test_shipments_moves_and_passes(console_world: World) -> None:
    w = console_world
    day = str(w.today)
    body = {
        "id": "PO-OPS-1",
        "material_id": "peltier-module",
        "supplier_id": "suzhou-thermo",
        "qty": 400,
        "ordered_on": day,
        "eta": day,
    }
    assert w.post("/purchase-shipments", who="A:storekeeper", json=body).status_code == 201
    lock = {"kind": "region", "node_id": "320500", "state": "locked-down", "start": day}
    assert w.post("/statuses", who="A:planner", json=lock).status_code == 201
    other = {**body, "id": "PO-B-1", "material_id": "mcu-chip", "supplier_id": "shenzhen-xinpian"}
    assert w.post("/purchase-shipments", who="B:admin", json=other).status_code == 201

    viewer = signed_in(w, "A:viewer", lang="en")
    page = viewer.get(SHIPMENTS)
    assert page.status_code == 200
    row = page.text.split('data-shipment="PO-OPS-1"')[1].split("</tr>")[0]
    # the region locked down (so the shipment at risk), the lane from it with its days
    assert '320500 · <span class="bad">locked down</span>' in row
    assert "suzhou-xuzhou (2)" in row and "region 320500 locked down" in row
    detail = viewer.get(f"{SHIPMENTS}/in/PO-OPS-1")
    assert detail.status_code == 200 and "Record the status" not in detail.text
    assert (
        viewer.post(f"{SHIPMENTS}/in/PO-OPS-1/status", {"status": "delivered"}).status_code == 403
    )

    keeper = signed_in(w, "A:storekeeper", lang="en")
    form = keeper.get(f"{SHIPMENTS}/in/PO-OPS-1")
    moves = re.findall(r'<option value="(\w+)"', form.text.split('id="h-move"')[1])
    assert moves == ["delivered", "dispatched"]  # a planned shipment's moves (the API's)
    stock = _on_hand(w, "peltier-module")
    r = keeper.post(f"{SHIPMENTS}/in/PO-OPS-1/status", {"status": "held", "day": day})
    assert r.status_code == 422 and "can become delivered, dispatched" in _error(r.text, "status")
    r = keeper.post(f"{SHIPMENTS}/in/PO-OPS-1/status", {"status": "delivered", "day": "2020-01-01"})
    assert r.status_code == 422 and "is before ordered_on" in _error(r.text, "day")
    assert 'value="2020-01-01"' in r.text
    assert w.get("/purchase-shipments/PO-OPS-1").json()["status"] == "planned"
    r = keeper.post(f"{SHIPMENTS}/in/PO-OPS-1/status", {"status": "delivered", "day": day})
    assert r.status_code == 303, r.text[-2000:]
    assert w.get("/purchase-shipments/PO-OPS-1").json()["status"] == "delivered"
    assert _on_hand(w, "peltier-module") == stock + 400  # the delivery's receipt
    assert _audited(w, "purchase_shipments", "PO-OPS-1")[-1] == (
        "update",
        "user:storekeeper@a.example",
    )
    # another enterprise's shipment reads as one that does not exist
    assert keeper.get(f"{SHIPMENTS}/in/PO-B-1").status_code == 404
    r = keeper.post(f"{SHIPMENTS}/in/PO-B-1/status", {"status": "delivered", "day": day})
    assert r.status_code == 404

    # outbound: dispatching goods not yet made is refused under the quantity
    out = {"id": "DN-OPS-1", "order_id": "JS-CDC-001", "qty": 5, "planned_on": day}
    assert w.post("/customer-shipments", who="A:planner", json=out).status_code == 201
    listed = viewer.get(SHIPMENTS, params={"direction": "out", "order": "JS-CDC-001"})
    assert 'data-shipment="DN-OPS-1"' in listed.text
    assert w.get("/output").json()["total"] == 0  # nothing made yet in this world
    r = keeper.post(f"{SHIPMENTS}/out/DN-OPS-1/status", {"status": "dispatched", "day": day})
    assert r.status_code == 422 and "only 0 made" in _error(r.text, "qty")
    assert w.get("/customer-shipments/DN-OPS-1").json()["status"] == "planned"

    # passes: the driver's name for the roles that handle passes only
    assert viewer.get(f"{PASSES}/new").status_code == 403
    keeper.get(f"{PASSES}/new")
    p = {"id": "XP-1", "vehicle": "苏C·12345", "driver": "王师傅", "valid_from": day}
    r = keeper.post(f"{PASSES}/new", p | {"valid_until": "2020-01-01"})
    assert r.status_code == 422 and "is before valid_from" in _error(r.text, "valid_until")
    assert 'value="王师傅"' in r.text and _count_passes(w) == 0
    r = keeper.post(f"{PASSES}/new", p | {"valid_until": day, "shipment_id": "PO-OPS-1"})
    assert r.status_code == 303, r.text[-2000:]
    assert "王师傅" in keeper.get(PASSES).text
    seen = viewer.get(PASSES).text
    assert 'data-pass="XP-1"' in seen and "苏C·12345" in seen and "王师傅" not in seen


def _count_passes(world: World) -> int:
    return int(world.get("/transport-passes").json()["total"])


def test_output_against_rate_and_recording(console_world: World) -> None:
    w = console_world
    day = str(w.today)
    viewer = signed_in(w, "A:viewer", lang="en")
    page = viewer.get(OUTPUT)
    assert page.status_code == 200 and 'href="/console/production/plan"' in page.text
    assert viewer.get(f"{OUTPUT}/new").status_code == 403
    assert viewer.post(f"{OUTPUT}/new", {"line_id": "qpcr96-line"}).status_code == 403

    planner = signed_in(w, "A:planner", lang="en")
    planner.get(f"{OUTPUT}/new")
    before = _count(w, OutputRecord)
    data = {"line_id": "qpcr96-line", "product_id": "qpcr-16", "day": day, "qty": "6"}
    r = planner.post(f"{OUTPUT}/new", data)
    assert r.status_code == 422
    assert _error(r.text, "product_id") == "line qpcr96-line does not make qpcr-16"
    # backflush beyond stock: 6 Peltier modules a unit, more units than the stock allows
    peltier = _on_hand(w, "peltier-module")
    units = int(peltier // 6) + 1
    r = planner.post(
        f"{OUTPUT}/new", data | {"product_id": "qpcr-96", "qty": str(units), "backflush": "1"}
    )
    assert r.status_code == 422 and "would leave peltier-module" in _error(r.text, "qty")
    assert 'name="backflush" value="1" checked' in r.text
    assert _count(w, OutputRecord) == before and _on_hand(w, "peltier-module") == peltier

    r = planner.post(
        f"{OUTPUT}/new", data | {"product_id": "qpcr-96", "qty": "10", "backflush": "1"}
    )
    assert r.status_code == 303, r.text[-2000:]
    oid = re.search(r"recorded=(\d+)", r.headers["location"]).group(1)  # type: ignore[union-attr]
    assert _on_hand(w, "peltier-module") == peltier - 60  # 10 units × 6 modules
    assert _audited(w, "output_records", oid) == [("insert", "user:planner@a.example")]
    shown = viewer.get(OUTPUT, params={"line": "qpcr96-line"}).text
    row = shown.split(f'data-line="qpcr96-line" data-day="{day}"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    # made 10 of a full rate of 24 a day: 41.7 %
    assert cells[0] == "10" and cells[2] == "24" and cells[3] == "41.7%", cells
    assert f'data-output="{oid}"' in shown
    assert cells[1] == "—" and "No stored plan covers these days." in shown
    # against the plan: the product's units that day in the newest plan (the API's figure;
    # the test world's 40 workers staff no line, so the planner makes none)
    plan = w.post("/plans", who="A:planner", json={"horizon_days": 14}).json()
    planned = plan["result"]["production"]["qpcr-96"][0]
    shown = viewer.get(OUTPUT, params={"line": "qpcr96-line"}).text
    row = shown.split(f'data-line="qpcr96-line" data-day="{day}"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    assert cells[1] == f"{planned:g}" and f"(plans {plan['id']};" in shown
    # a line another enterprise has is unknown here
    assert viewer.get(OUTPUT, params={"line": "water-line-1"}).status_code == 400
    zh = signed_in(w, "A:viewer").get(OUTPUT).text
    assert "<h1>产线产量</h1>" in zh


def test_supplier_states_lanes_and_new_shipments(console_world: World) -> None:
    w = console_world
    day = str(w.today)
    viewer = signed_in(w, "A:viewer", lang="en")
    page = viewer.get(SUPPLIERS)
    assert page.status_code == 200 and 'data-supplier="hefei-thermo"' in page.text
    assert "Record the state" not in page.text
    status = {"kind": "supplier", "node_id": "hefei-thermo", "state": "restricted", "start": day}
    assert viewer.post(f"{SUPPLIERS}/status", status).status_code == 403
    assert viewer.get(f"{SHIPMENTS}/in/new").status_code == 403

    planner = signed_in(w, "A:planner", lang="en")
    planner.get(SUPPLIERS)
    r = planner.post(f"{SUPPLIERS}/status", status | {"kind": "region", "node_id": "999999"})
    assert r.status_code == 422
    assert _error(r.text, "status-node_id") == "no supplier or lane is in region '999999'"
    assert 'value="999999"' in r.text
    r = planner.post(f"{SUPPLIERS}/status", status | {"end": "2020-01-01"})
    assert r.status_code == 422 and "is before start" in _error(r.text, "status-end")
    r = planner.post(f"{SUPPLIERS}/status", status | {"note": "one gate open"})
    assert r.status_code == 303, r.text[-2000:]
    api = {s["supplier_id"]: s for s in w.get("/suppliers").json()}
    assert api["hefei-thermo"]["state"] == "restricted"
    row = viewer.get(SUPPLIERS).text.split('data-supplier="hefei-thermo"')[1].split("</tr>")[0]
    assert "restricted (supplier)" in row and "one gate open" in row

    lane = {"lane_id": "suzhou-xuzhou", "start": day}
    r = planner.post(f"{SUPPLIERS}/lane", lane | {"transit_days": "400"})
    assert r.status_code == 422 and _error(r.text, "lane-transit_days")
    assert 'value="400"' in r.text
    r = planner.post(f"{SUPPLIERS}/lane", lane | {"transit_days": "5", "note": "detour"})
    assert r.status_code == 303
    lanes = {ln["lane_id"]: ln for ln in w.get("/lanes").json()}
    assert lanes["suzhou-xuzhou"]["transit_days"] == 5
    row = viewer.get(SUPPLIERS).text.split('data-lane="suzhou-xuzhou"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', row) == ["2", "5"]

    planner.get(f"{SHIPMENTS}/in/new")
    total = w.get("/purchase-shipments").json()["total"]
    po = {"id": "PO-NEW-1", "material_id": "swab", "supplier_id": "suzhou-thermo", "qty": "3000"}
    po |= {"ordered_on": day, "eta": day, "status": "planned"}
    r = planner.post(f"{SHIPMENTS}/in/new", po)
    assert r.status_code == 422
    assert _error(r.text, "supplier_id") == "'suzhou-thermo' is not a supply option for swab"
    assert w.get("/purchase-shipments").json()["total"] == total
    r = planner.post(f"{SHIPMENTS}/in/new", po | {"supplier_id": "xuzhou-medsupply"})
    assert r.status_code == 303 and r.headers["location"] == f"{SHIPMENTS}/in/PO-NEW-1"
    assert w.get("/purchase-shipments/PO-NEW-1").json()["qty"] == 3000
    # outbound: never more than the order's quantity (JS-CDC-001: 300 ordered, less what
    # is booked already, read here so that the test does not lean on another's shipment)
    booked = w.get("/customer-shipments", params={"order_id": "JS-CDC-001"}).json()["items"]
    left = 300 - sum(s["qty"] for s in booked)
    dn = {"id": "DN-NEW-1", "order_id": "JS-CDC-001", "qty": str(left + 1), "planned_on": day}
    r = planner.post(f"{SHIPMENTS}/out/new", dn)
    assert r.status_code == 422 and _error(r.text, "qty")
    r = planner.post(f"{SHIPMENTS}/out/new", dn | {"qty": str(left)})
    assert r.status_code == 303
    assert w.get("/customer-shipments/DN-NEW-1").json()["qty"] == left


def test_refusals_read_in_chinese_on_a_chinese_page(console_world: World) -> None:
    """The services' refusals (keepline.errors.msg) next to their fields in the page's
    language; the API answers the same refusal in English; nothing is written."""
    w = console_world
    day = str(w.today)
    keeper = signed_in(w, "A:storekeeper")
    keeper.get(f"{MOVEMENTS}/new", params={"material": "swab"})
    before = _count(w, StockMovement)
    data = {"material_id": "swab", "kind": "issue", "day": day, "unit": "kg", "qty": "10"}
    r = keeper.post(f"{MOVEMENTS}/new", data)
    assert r.status_code == 422
    assert _error(r.text, "unit") == "'kg' 与 swab 的单位 'pcs' 不符"
    api = w.post("/stock/movements", who="A:storekeeper", json=data | {"qty": 10})
    assert api.status_code == 422 and "'kg' does not match swab's unit 'pcs'" in api.text
    r = keeper.post(f"{MOVEMENTS}/new", data | {"unit": "pcs", "qty": "ten"})
    assert r.status_code == 422 and _error(r.text, "qty") == "请输入有效的数字"  # the schema's
    assert _count(w, StockMovement) == before

    planner = signed_in(w, "A:planner")
    planner.get(f"{OUTPUT}/new")
    out = {"line_id": "qpcr96-line", "product_id": "qpcr-16", "day": day, "qty": "6"}
    r = planner.post(f"{OUTPUT}/new", out)
    assert (
        r.status_code == 422 and _error(r.text, "product_id") == "产线 qpcr96-line 不生产 qpcr-16"
    )
    planner.get(f"{SHIPMENTS}/in/new")
    po = {"id": "PO-ZH-1", "material_id": "swab", "supplier_id": "suzhou-thermo", "qty": "30"}
    r = planner.post(f"{SHIPMENTS}/in/new", po | {"ordered_on": day, "eta": day})
    assert r.status_code == 422
    assert _error(r.text, "supplier_id") == "'suzhou-thermo' 不是 swab 的供货选项"
    assert 'lang="en"' not in r.text.split("<main")[1]
