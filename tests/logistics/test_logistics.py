"""Supplier and region status, lanes, shipments and passes on the Zhengzhou plant."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.errors import InputError, NotFound
from keepline.logistics import customers, lanes, passes, purchases, status
from keepline.logistics.delivery import advance_purchase
from keepline.logistics.dispatch import advance_customer_shipment
from keepline.logistics.models import (
    CustomerShipment,
    NodeState,
    PurchaseShipment,
    ShipmentStatus,
    StatusKind,
)
from keepline.logistics.schemas import (
    CustomerIn,
    LaneTransitIn,
    PassIn,
    PurchaseIn,
    StatusChange,
    StatusIn,
)
from keepline.materials import service as ms
from keepline.materials.supply_options import supply_options_on
from keepline.production import service as ps
from keepline.production.schemas import OutputIn
from tests.daily_record import day, scope


def po(
    pid: str, material: str, supplier: str, qty: float, ordered: dt.date, eta: dt.date
) -> PurchaseIn:
    # Unvalidated, as the CLI builds it: the service's own checks are under test.
    return PurchaseIn.model_construct(
        id=pid, material_id=material, supplier_id=supplier, qty=qty, ordered_on=ordered, eta=eta
    )


def chips_po(
    pid: str = "PO-1", n_eta: int = 8, supplier: str = "shenzhen-xinpian", qty: float = 40_000
) -> PurchaseIn:
    return po(pid, "mcu-chip", supplier, qty, day(0), day(n_eta))


def region(
    state: NodeState, start: dt.date, end: dt.date | None = None, note: str = ""
) -> StatusIn:
    return StatusIn(
        kind=StatusKind.region, node_id="440300", state=state, start=start, end=end, note=note
    )


def move(status_: ShipmentStatus, n: int, checkpoint: str | None = None) -> StatusChange:
    return StatusChange(status=status_, day=day(n), checkpoint=checkpoint)


def test_region_lockdown_marks_open_shipments_at_risk(zz: Session) -> None:
    buyer = scope("buyer")
    purchases.create_purchase(zz, buyer, chips_po("PO-1"))
    purchases.create_purchase(
        zz, buyer, po("PO-2", "lcd-display", "shenzhen-lcd", 20_000, day(0), day(8))
    )
    purchases.create_purchase(
        zz, buyer, po("PO-3", "nb-iot-module", "shanghai-iot", 10_000, day(0), day(6))
    )
    purchases.create_purchase(zz, buyer, chips_po("PO-4", n_eta=3))  # arrives before
    assert not any(p.at_risk for p in purchases.list_purchases(zz, buyer))
    status.set_status(
        zz,
        buyer,
        region(NodeState.locked_down, day(5), None, "Shenzhen city-wide lockdown"),
    )
    risky = {p.id: p.risk_reason for p in purchases.list_purchases(zz, buyer, at_risk=True)}
    # Both Shenzhen suppliers (chips and LCDs) are in 440300; PO-4 arrives on day 3,
    # before the lockdown starts on day 5; Shanghai is not touched.
    assert sorted(risky) == ["PO-1", "PO-2"]
    assert risky["PO-1"] == "region 440300 locked down 2026-12-06 to further notice"
    # At-risk shipments are not counted on as receipts; PO-4 is.
    receipts = purchases.scheduled_receipts(zz, buyer, day(0), 30)
    assert receipts["mcu-chip"].sum() == 40_000 and receipts["mcu-chip"][3] == 40_000
    assert "lcd-display" not in receipts
    # Lifting it (normal from day 5, recorded later) clears the marks.
    status.set_status(zz, buyer, region(NodeState.normal, day(5)))
    assert purchases.list_purchases(zz, buyer, at_risk=True) == []


def test_supplier_state_is_the_worse_of_its_own_and_its_region(zz: Session) -> None:
    b = scope("b")
    status.set_status(
        zz,
        b,
        StatusIn(
            kind=StatusKind.supplier,
            node_id="shenzhen-xinpian",
            state=NodeState.restricted,
            start=day(0),
            end=day(20),
        ),
    )
    status.set_status(zz, b, region(NodeState.locked_down, day(2), day(9)))
    s1 = status.supplier_states(zz, b, day(1))["shenzhen-xinpian"]
    s2 = status.supplier_states(zz, b, day(3))["shenzhen-xinpian"]
    s3 = status.supplier_states(zz, b, day(10))["shenzhen-lcd"]
    assert (s1.state, s1.source) == (NodeState.restricted, "supplier")
    assert (s2.state, s2.source, s2.until) == (NodeState.locked_down, "region 440300", day(9))
    assert s3.state == NodeState.normal
    # As the reorder engine sees it on day 3: blocked on days 0-6 (the lockdown's days
    # 3-9); an order today would dispatch on day 5 (lead time), waits until day 7, and
    # arrives on 7 + 3 = 10.
    opts = {o.supplier: o for o in supply_options_on(zz, b, day(3), 30)["mcu-chip"]}
    blocked = opts["shenzhen-xinpian"].dispatch_blocked
    assert blocked is not None and list(blocked[:8]) == [True] * 7 + [False]
    assert opts["shenzhen-xinpian"].earliest_arrival() == 10
    assert opts["xian-semi"].earliest_arrival() == 7 + 6 + 2 and not opts["xian-semi"].active


def test_lane_transit_days_over_dates(zz: Session) -> None:
    b = scope("b")
    lanes.set_lane_transit(
        zz,
        b,
        "shenzhen-zhengzhou",
        LaneTransitIn(transit_days=6, start=day(2), end=day(4), note="checkpoints"),
    )
    now = {ln.lane_id: ln for ln in lanes.lanes_on(zz, b, day(3))}
    assert (
        now["shenzhen-zhengzhou"].planned_transit_days,
        now["shenzhen-zhengzhou"].transit_days,
    ) == (3, 6)
    assert lanes.transit_by_region(zz, b, day(5))["440300"] == 3
    with pytest.raises(InputError, match="end: 2026-12-02 is before start 2026-12-03"):
        lanes.set_lane_transit(
            zz, b, "shenzhen-zhengzhou", LaneTransitIn(transit_days=6, start=day(2), end=day(1))
        )


def test_delivery_appends_a_receipt(zz: Session) -> None:
    buyer = scope("buyer")
    purchases.create_purchase(zz, buyer, chips_po())
    advance_purchase(zz, buyer, "PO-1", move(ShipmentStatus.dispatched, 3))
    advance_purchase(
        zz, buyer, "PO-1", move(ShipmentStatus.held, 5, checkpoint="Xinyang toll station")
    )
    advance_purchase(zz, buyer, "PO-1", move(ShipmentStatus.dispatched, 6))
    advance_purchase(zz, scope("store"), "PO-1", move(ShipmentStatus.delivered, 7))
    assert ms.on_hand(zz, buyer, "mcu-chip", day(7)) == 100_000
    last = ms.ledger(zz, buyer, "mcu-chip")[-1]
    assert (last.kind, last.qty, last.ref) == ("receipt", 40_000, "PO-1")
    with pytest.raises(InputError, match="status: a delivered shipment can become nothing"):
        advance_purchase(zz, scope("b"), "PO-1", move(ShipmentStatus.dispatched, 8))


@pytest.mark.parametrize(
    ("shipment", "field"),
    [
        (po("PO-9", "mcu-chip", "shenzhen-lcd", 1, day(0), day(1)), "supplier_id"),
        (po("PO-9", "mcu-chip", "shenzhen-xinpian", 1, day(3), day(1)), "eta"),
        (po("PO-9", "mcu-chip", "shenzhen-xinpian", -5, day(0), day(1)), "qty"),
        (po("PO-9", "chips", "shenzhen-xinpian", 5, day(0), day(1)), "material_id"),
    ],
)
def test_bad_purchase_shipments(zz: Session, shipment: PurchaseIn, field: str) -> None:
    with pytest.raises(InputError) as err:
        purchases.create_purchase(zz, scope("b"), shipment)
    assert err.value.field == field
    assert zz.scalar(select(func.count()).select_from(PurchaseShipment)) == 0


def test_customer_shipments_against_orders(zz: Session) -> None:
    s = scope("s")

    def ship(sid: str, order: str, qty: float, n: int) -> CustomerIn:
        return CustomerIn(id=sid, order_id=order, qty=qty, planned_on=day(n))

    with pytest.raises(InputError, match="order_id: unknown order 'ZZ-X-999'"):
        customers.create_customer_shipment(zz, s, ship("DN-1", "ZZ-X-999", 10, 0))
    with pytest.raises(InputError, match="would exceed order ZZ-G-102: 30000 ordered"):
        customers.create_customer_shipment(zz, s, ship("DN-1", "ZZ-G-102", 30_001, 0))
    assert zz.scalar(select(func.count()).select_from(CustomerShipment)) == 0
    customers.create_customer_shipment(zz, s, ship("DN-1", "ZZ-G-102", 1_000, 1))
    # Nothing made yet: it cannot leave.
    with pytest.raises(InputError, match="only 0 made and not yet shipped"):
        advance_customer_shipment(zz, s, "DN-1", move(ShipmentStatus.dispatched, 1))
    ps.record_output(
        zz, s, OutputIn(line_id="gas-line", product_id="gas-meter-nb", day=day(0), qty=1_500)
    )
    advance_customer_shipment(zz, s, "DN-1", move(ShipmentStatus.dispatched, 1))
    customers.create_customer_shipment(zz, s, ship("DN-2", "ZZ-G-102", 1_000, 1))
    # 1,500 made, 1,000 gone: 500 left for DN-2.
    with pytest.raises(InputError, match="only 500 made"):
        advance_customer_shipment(zz, s, "DN-2", move(ShipmentStatus.dispatched, 1))


def test_transport_passes(zz: Session) -> None:
    b = scope("b")
    purchases.create_purchase(zz, b, chips_po())
    passes.create_pass(
        zz,
        b,
        PassIn(
            id="ZZ-TP-01",
            vehicle="豫A·12345",
            valid_from=day(0),
            valid_until=day(6),
            driver="Li",
            shipment_id="PO-1",
        ),
    )
    assert [p.id for p in passes.list_passes(zz, b, valid_on=day(6))] == ["ZZ-TP-01"]
    assert passes.list_passes(zz, b, valid_on=day(7)) == []
    with pytest.raises(InputError, match="valid_until: 2026-12-01 is before valid_from"):
        passes.create_pass(
            zz, b, PassIn(id="ZZ-TP-02", vehicle="豫A·1", valid_from=day(1), valid_until=day(0))
        )
    with pytest.raises(InputError, match="shipment_id: unknown shipment"):
        passes.create_pass(
            zz,
            b,
            PassIn(
                id="ZZ-TP-02",
                vehicle="豫A·1",
                valid_from=day(0),
                valid_until=day(1),
                shipment_id="PO-404",
            ),
        )
    with pytest.raises(NotFound):
        passes.get_pass(zz, scope("b", "xuzhou-qpcr"), "ZZ-TP-01")
