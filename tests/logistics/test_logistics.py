"""Supplier and region status, lanes, shipments and passes on the Zhengzhou plant."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.errors import InputError, NotFound
from keepline.logistics import service as ls
from keepline.logistics.models import (
    CustomerShipment,
    NodeState,
    PurchaseShipment,
    ShipmentStatus,
    StatusKind,
)
from keepline.materials import service as ms
from keepline.production import service as ps
from tests.materials.conftest import day

EID = "zhengzhou-meters"


def chips_po(
    pid: str = "PO-1", n_eta: int = 8, supplier: str = "shenzhen-xinpian", qty: float = 40_000
) -> ls.PurchaseIn:
    return ls.PurchaseIn(pid, "mcu-chip", supplier, qty, day(0), day(n_eta))


def test_region_lockdown_marks_open_shipments_at_risk(zz: Session) -> None:
    ls.create_purchase(zz, EID, "buyer", chips_po("PO-1"))
    ls.create_purchase(
        zz,
        EID,
        "buyer",
        ls.PurchaseIn("PO-2", "lcd-display", "shenzhen-lcd", 20_000, day(0), day(8)),
    )
    ls.create_purchase(
        zz,
        EID,
        "buyer",
        ls.PurchaseIn("PO-3", "nb-iot-module", "shanghai-iot", 10_000, day(0), day(6)),
    )
    ls.create_purchase(zz, EID, "buyer", chips_po("PO-4", n_eta=3))  # arrives before
    assert not any(p.at_risk for p in ls.list_purchases(zz, EID))
    ls.set_status(
        zz,
        EID,
        "buyer",
        ls.StatusIn(
            StatusKind.region,
            "440300",
            NodeState.locked_down,
            day(5),
            None,
            "Shenzhen city-wide lockdown",
        ),
    )
    risky = {p.id: p.risk_reason for p in ls.list_purchases(zz, EID, at_risk=True)}
    # Both Shenzhen suppliers (chips and LCDs) are in 440300; PO-4 arrives on day 3,
    # before the lockdown starts on day 5; Shanghai is not touched.
    assert sorted(risky) == ["PO-1", "PO-2"]
    assert risky["PO-1"] == "region 440300 locked down 2026-12-06 to further notice"
    # At-risk shipments are not counted on as receipts; PO-4 is.
    receipts = ls.scheduled_receipts(zz, EID, day(0), 30)
    assert receipts["mcu-chip"].sum() == 40_000 and receipts["mcu-chip"][3] == 40_000
    assert "lcd-display" not in receipts
    # Lifting it (normal from day 5, recorded later) clears the marks.
    ls.set_status(
        zz, EID, "buyer", ls.StatusIn(StatusKind.region, "440300", NodeState.normal, day(5))
    )
    assert ls.list_purchases(zz, EID, at_risk=True) == []


def test_supplier_state_is_the_worse_of_its_own_and_its_region(zz: Session) -> None:
    ls.set_status(
        zz,
        EID,
        "b",
        ls.StatusIn(StatusKind.supplier, "shenzhen-xinpian", NodeState.restricted, day(0), day(20)),
    )
    ls.set_status(
        zz,
        EID,
        "b",
        ls.StatusIn(StatusKind.region, "440300", NodeState.locked_down, day(2), day(9)),
    )
    s1 = ls.supplier_states(zz, EID, day(1))["shenzhen-xinpian"]
    s2 = ls.supplier_states(zz, EID, day(3))["shenzhen-xinpian"]
    s3 = ls.supplier_states(zz, EID, day(10))["shenzhen-lcd"]
    assert (s1.state, s1.source) == (NodeState.restricted, "supplier")
    assert (s2.state, s2.source, s2.until) == (NodeState.locked_down, "region 440300", day(9))
    assert s3.state == NodeState.normal
    # As the reorder engine sees it on day 3: blocked on days 0-6 (the lockdown's days
    # 3-9); an order today would dispatch on day 5 (lead time), waits until day 7, and
    # arrives on 7 + 3 = 10.
    opts = {o.supplier: o for o in ls.supply_options_on(zz, EID, day(3), 30)["mcu-chip"]}
    blocked = opts["shenzhen-xinpian"].dispatch_blocked
    assert blocked is not None and list(blocked[:8]) == [True] * 7 + [False]
    assert opts["shenzhen-xinpian"].earliest_arrival() == 10
    assert opts["xian-semi"].earliest_arrival() == 7 + 6 + 2 and not opts["xian-semi"].active


def test_lane_transit_days_over_dates(zz: Session) -> None:
    ls.set_lane_transit(zz, EID, "b", "shenzhen-zhengzhou", 6, day(2), day(4), "checkpoints")
    lanes = {ln.lane_id: ln for ln in ls.lanes_on(zz, EID, day(3))}
    assert (
        lanes["shenzhen-zhengzhou"].planned_transit_days,
        lanes["shenzhen-zhengzhou"].transit_days,
    ) == (3, 6)
    assert ls.transit_by_region(zz, EID, day(5))["440300"] == 3
    with pytest.raises(InputError, match="end: 2026-12-02 is before start 2026-12-03"):
        ls.set_lane_transit(zz, EID, "b", "shenzhen-zhengzhou", 6, day(2), day(1))


def test_delivery_appends_a_receipt(zz: Session) -> None:
    ls.create_purchase(zz, EID, "buyer", chips_po())
    ls.advance_purchase(zz, EID, "buyer", "PO-1", ShipmentStatus.dispatched, day(3))
    ls.advance_purchase(
        zz, EID, "buyer", "PO-1", ShipmentStatus.held, day(5), checkpoint="Xinyang toll station"
    )
    ls.advance_purchase(zz, EID, "buyer", "PO-1", ShipmentStatus.dispatched, day(6))
    ls.advance_purchase(zz, EID, "store", "PO-1", ShipmentStatus.delivered, day(7))
    assert ms.on_hand(zz, EID, "mcu-chip", day(7)) == 100_000
    last = ms.ledger(zz, EID, "mcu-chip")[-1]
    assert (last.kind, last.qty, last.ref) == ("receipt", 40_000, "PO-1")
    with pytest.raises(InputError, match="status: a delivered shipment can become nothing"):
        ls.advance_purchase(zz, EID, "b", "PO-1", ShipmentStatus.dispatched, day(8))


@pytest.mark.parametrize(
    ("shipment", "field"),
    [
        (ls.PurchaseIn("PO-9", "mcu-chip", "shenzhen-lcd", 1, day(0), day(1)), "supplier_id"),
        (ls.PurchaseIn("PO-9", "mcu-chip", "shenzhen-xinpian", 1, day(3), day(1)), "eta"),
        (ls.PurchaseIn("PO-9", "mcu-chip", "shenzhen-xinpian", -5, day(0), day(1)), "qty"),
        (ls.PurchaseIn("PO-9", "chips", "shenzhen-xinpian", 5, day(0), day(1)), "material_id"),
    ],
)
def test_bad_purchase_shipments(zz: Session, shipment: ls.PurchaseIn, field: str) -> None:
    with pytest.raises(InputError) as err:
        ls.create_purchase(zz, EID, "b", shipment)
    assert err.value.field == field
    assert zz.scalar(select(func.count()).select_from(PurchaseShipment)) == 0


def test_customer_shipments_against_orders(zz: Session) -> None:
    with pytest.raises(InputError, match="order_id: unknown order 'ZZ-X-999'"):
        ls.create_customer_shipment(zz, EID, "s", ls.CustomerIn("DN-1", "ZZ-X-999", 10, day(0)))
    with pytest.raises(InputError, match="would exceed order ZZ-G-102: 30000 ordered"):
        ls.create_customer_shipment(zz, EID, "s", ls.CustomerIn("DN-1", "ZZ-G-102", 30_001, day(0)))
    assert zz.scalar(select(func.count()).select_from(CustomerShipment)) == 0
    ls.create_customer_shipment(zz, EID, "s", ls.CustomerIn("DN-1", "ZZ-G-102", 1_000, day(1)))
    # Nothing made yet: it cannot leave.
    with pytest.raises(InputError, match="only 0 made and not yet shipped"):
        ls.advance_customer_shipment(zz, EID, "s", "DN-1", ShipmentStatus.dispatched, day(1))
    ps.record_output(zz, EID, "s", ps.OutputIn("gas-line", "gas-meter-nb", day(0), 1_500))
    ls.advance_customer_shipment(zz, EID, "s", "DN-1", ShipmentStatus.dispatched, day(1))
    ls.create_customer_shipment(zz, EID, "s", ls.CustomerIn("DN-2", "ZZ-G-102", 1_000, day(1)))
    # 1,500 made, 1,000 gone: 500 left for DN-2.
    with pytest.raises(InputError, match="only 500 made"):
        ls.advance_customer_shipment(zz, EID, "s", "DN-2", ShipmentStatus.dispatched, day(1))


def test_transport_passes(zz: Session) -> None:
    ls.create_purchase(zz, EID, "b", chips_po())
    ls.create_pass(
        zz,
        EID,
        "b",
        ls.PassIn("ZZ-TP-01", "豫A·12345", day(0), day(6), driver="Li", shipment_id="PO-1"),
    )
    assert [p.id for p in ls.list_passes(zz, EID, valid_on=day(6))] == ["ZZ-TP-01"]
    assert ls.list_passes(zz, EID, valid_on=day(7)) == []
    with pytest.raises(InputError, match="valid_until: 2026-12-01 is before valid_from"):
        ls.create_pass(zz, EID, "b", ls.PassIn("ZZ-TP-02", "豫A·1", day(1), day(0)))
    with pytest.raises(InputError, match="shipment_id: unknown shipment"):
        ls.create_pass(
            zz, EID, "b", ls.PassIn("ZZ-TP-02", "豫A·1", day(0), day(1), shipment_id="PO-404")
        )
    with pytest.raises(NotFound):
        ls.get_pass(zz, "xuzhou-qpcr", "ZZ-TP-01")
