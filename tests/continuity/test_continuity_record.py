"""The plan record: each JSON form reads back to the same record, and every form is built
from the one record (``continuity.record``)."""

from __future__ import annotations

import datetime as dt
import json

from keepline.continuity.plan import plan
from keepline.continuity.record import PlanRecord, PlanSummary, StoredPlanResult
from keepline.scenario import Scenario

from .continuity_factory import order, tiny_plant


def _record() -> PlanRecord:
    # supplier a down: 20 kg to buy from backup b (activation 100, lead 3); a front-line
    # order that cannot all ship on time, so there is an order at risk and a reason
    p = tiny_plant(
        materials=[
            {
                "id": "steel",
                "name": "Steel",
                "kind": "raw",
                "unit": "kg",
                "on_hand": 0,
                "supply_options": [
                    {
                        "supplier": "a",
                        "priority": 1,
                        "lead_time_days": 0,
                        "capacity_per_day": 50,
                        "unit_cost": 1,
                    },
                    {
                        "supplier": "b",
                        "priority": 2,
                        "lead_time_days": 1,
                        "capacity_per_day": 50,
                        "unit_cost": 2,
                        "activation_days": 3,
                        "activation_cost": 100,
                    },
                ],
            }
        ],
        rate=100,
        suppliers=[
            {"id": "a", "name": "A", "region_code": "110000"},
            {"id": "b", "name": "B", "region_code": "120000"},
        ],
        orders=[order("X", 20, 4), order("Y", 30, 2, "front-line", 5)],
    )
    sc = Scenario(
        name="a down", disruptions=[{"kind": "supplier", "id": "a", "start_day": 0, "days": 30}]
    )
    return plan(p, scenario=sc, horizon=8).record()


def _through_json(d: dict) -> dict:
    return json.loads(json.dumps(d))


def test_the_three_forms_read_back() -> None:
    rec = _record()
    assert rec.backups and rec.orders_at_risk and rec.explanations  # every part is exercised
    whole = rec.to_json()
    back = PlanRecord.from_json(_through_json(whole))
    assert back.to_json() == whole
    # the LP's units by due are kept by stored plans only
    assert [o.lp_shipped_by_due for o in back.orders] == [None] * len(rec.orders)
    assert back.summary() == rec.summary()
    summary = rec.summary()
    assert PlanSummary.from_json(_through_json(summary.to_json())) == summary
    stored = rec.stored()
    assert StoredPlanResult.from_json(_through_json(stored.to_json())) == stored


def test_the_forms_agree() -> None:
    rec = _record()
    whole, summary, stored = rec.to_json(), rec.summary(), rec.stored()
    at_risk = [o["order"] for o in whole["orders"] if o["at_risk"]]
    assert [o.order for o in summary.orders_at_risk] == at_risk
    assert list(stored.orders_at_risk) == at_risk
    assert summary.reasons == stored.reasons == tuple(whole["explanations"])
    assert summary.weighted_lateness == stored.weighted_lateness == whole["weighted_lateness"]
    assert stored.lp_bound == sum(whole["lp_bound_by_class"].values())
    assert stored.production == whole["output_per_day"]
    assert summary.units_lost == whole["units_lost_by_class"]
    (b,) = whole["backups"]
    assert summary.backups == (f"b for steel (activate by {b['activate_by']})",)
    assert [(x.material, x.supplier, x.activate_on) for x in stored.backups] == [
        ("steel", "b", dt.date.fromisoformat(b["activate_by"]))
    ]
    for o in whole["orders"]:
        kept = stored.orders[o["order"]]
        assert kept.fill_by_due == o["shipped_by_due"]
        assert kept.late_units == o["units_late"] + o["units_unshipped"]


def test_a_stored_result_missing_parts_reads_as_empty() -> None:
    res = StoredPlanResult.from_json({"orders": {}, "orders_at_risk": []})
    assert res == StoredPlanResult()
    assert res.backups == () and res.production == {} and res.reasons == ()


def test_the_stored_plan_keeps_output_by_line_that_adds_up_to_output_by_product() -> None:
    rec = _record()
    stored = rec.stored()
    assert set(stored.production_by_line) == {r.line for r in rec.production}
    for day in range(rec.horizon_days):
        by_line = sum(v[day] for v in stored.production_by_line.values())
        assert by_line == sum(v[day] for v in stored.production.values())
    for ln, series in stored.production_by_line.items():  # each row once, on its own day
        rows = [r for r in rec.production if r.line == ln]
        assert sum(series) == sum(r.units for r in rows) > 0
    assert StoredPlanResult.from_json(_through_json(stored.to_json())) == stored
    old = {k: v for k, v in stored.to_json().items() if k != "production_by_line"}
    assert StoredPlanResult.from_json(old).production_by_line == {}  # plans stored before
