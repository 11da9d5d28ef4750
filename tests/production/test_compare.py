"""The comparison of two stored plans on their typed inputs and results, and those
records read back from the JSON a stored plan keeps."""

from __future__ import annotations

import datetime as dt
import json

from keepline.continuity.record import StoredBackup, StoredOrder, StoredPlanResult
from keepline.production.compare import DownWindow, PlanInputs, compare

D = dt.date(2026, 12, 2)


def _order(fill: float, at_risk: bool, late: float = 0.0) -> StoredOrder:
    return StoredOrder("livelihood", D + dt.timedelta(days=20), 100.0, fill, fill, late, at_risk)


def test_inputs_read_back_from_their_json() -> None:
    inputs = PlanInputs(
        state_at_end_of=D - dt.timedelta(days=1),
        stock={"chip": 94_100.0},
        receipts={"lcd": 40_000.0},
        remaining={"A": 100.0},
        disruptions=(DownWindow("region", "440300", D, D + dt.timedelta(days=89)),),
        transit={"440300": 2},
        workers=1234.0,
        workforce_from="plan file",
    )
    assert PlanInputs.from_json(json.loads(json.dumps(inputs.to_json()))) == inputs
    assert PlanInputs.from_json({}) == PlanInputs()


def test_what_changed_and_why() -> None:
    old_in = PlanInputs(stock={"chip": 1000.0}, workers=500.0)
    new_in = PlanInputs(
        stock={"chip": 200.0},
        workers=500.0,
        disruptions=(DownWindow("region", "610100", D, D + dt.timedelta(days=13)),),
    )
    old = StoredPlanResult(
        orders={"A": _order(100, False), "B": _order(100, False)},
        backups=(StoredBackup("chip", "xian-semi", D),),
    )
    new = StoredPlanResult(
        orders={"A": _order(40, True, 60), "B": _order(100, False)},
        orders_at_risk=("A",),
        reasons=("A (livelihood, …): limited by chips", "B is fine"),
    )
    cmp = compare(1, old_in, old, 2, new_in, new)
    assert cmp.lines() == [
        "plan 2 against plan 1:",
        "  order A now at risk (fill by due 100 → 40)",
        "  backup xian-semi for chip no longer needed",
        "because:",
        "  region 610100 down from 2026-12-02 to 2026-12-15",
        "  stock chip: 1,000 → 200 (-800)",
        "the new plan says:",
        "  A (livelihood, …): limited by chips",
    ]
    assert cmp.causes[0].after == {
        "kind": "region",
        "id": "610100",
        "start": "2026-12-02",
        "end": "2026-12-15",
    }
    # the same comparison from the JSON the two plans keep
    again = compare(
        1,
        PlanInputs.from_json(old_in.to_json()),
        StoredPlanResult.from_json(old.to_json()),
        2,
        PlanInputs.from_json(new_in.to_json()),
        StoredPlanResult.from_json(new.to_json()),
    )
    assert again == cmp
