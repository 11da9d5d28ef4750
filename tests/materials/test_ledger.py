"""The stock ledger on the Zhengzhou plant: movements, on-hand as of any date, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.errors import InputError, NotFound
from keepline.materials import service as ms
from keepline.materials.models import MovementKind, StockMovement
from keepline.materials.schemas import MovementIn
from keepline.plant import models as pm
from tests.daily_record import D0, day, scope

S = scope("s")


def mv(
    kind: str,
    qty: float,
    n: int = 0,
    material: str = "mcu-chip",
    unit: str = "pcs",
    reason: str = "",
) -> MovementIn:
    return MovementIn(
        material_id=material, kind=MovementKind(kind), day=day(n), qty=qty, unit=unit, reason=reason
    )


def test_opening_is_the_plant_file_until_the_first_write(zz: Session) -> None:
    assert ms.on_hand(zz, S, "mcu-chip", D0) == 60_000
    assert ms.on_hand(zz, S, "mcu-chip", day(-1)) == 0  # before the opening
    assert zz.scalar(select(func.count()).select_from(StockMovement)) == 0
    ms.record_movement(zz, scope("store@zz"), mv("receipt", 10_000, 1))
    rows = ms.ledger(zz, S, "mcu-chip")
    assert [(r.kind, r.qty, r.day) for r in rows] == [
        ("opening", 60_000, D0),
        ("receipt", 10_000, day(1)),
    ]


def test_on_hand_as_of_any_date(zz: Session) -> None:
    ms.record_movement(zz, S, mv("receipt", 10_000, 1))
    ms.record_movement(zz, S, mv("issue", 5_900, 1))
    ms.record_movement(zz, S, mv("issue", 5_900, 2))
    ms.record_movement(zz, S, mv("adjustment", -100, 3, reason="damaged in handling"))
    # day 0: 60,000; day 1: +10,000 - 5,900 = 64,100; day 2: 58,200; day 3: 58,100.
    assert [ms.on_hand(zz, S, "mcu-chip", day(n)) for n in range(4)] == [
        60_000,
        64_100,
        58_200,
        58_100,
    ]
    # A count of 58,000 on day 4 records the difference, -100, and keeps the count.
    c = ms.record_movement(zz, S, mv("count", 58_000, 4))
    assert (c.qty, c.counted_qty) == (-100, 58_000)
    assert ms.on_hand(zz, S, "mcu-chip", day(4)) == 58_000
    assert ms.on_hand_all(zz, S, day(4))["nb-iot-module"] == 80_000
    # Every write is audited: the opening and five movements.
    n = zz.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.table_name == "stock_movements")
    )
    assert n == 6


def test_an_issue_that_would_leave_stock_negative_is_refused(zz: Session) -> None:
    with pytest.raises(InputError, match=r"qty: issue of 60001 pcs would leave mcu-chip at -1 pcs"):
        ms.record_movement(zz, S, mv("issue", 60_001, 0))
    # A back-dated issue that breaks a later day is refused too: 60,000 - 50,000 on day 2
    # leaves 10,000; then 20,000 issued on day 1 would leave -10,000 on day 2.
    ms.record_movement(zz, S, mv("issue", 50_000, 2))
    with pytest.raises(InputError, match=r"at -10000 pcs on 2026-12-03"):
        ms.record_movement(zz, S, mv("issue", 20_000, 1))
    assert ms.on_hand(zz, S, "mcu-chip", day(2)) == 10_000


@pytest.mark.parametrize(
    ("movement", "field", "message"),
    [
        (mv("count", 100, 1, unit="kg"), "unit", "'kg' does not match mcu-chip's unit 'pcs'"),
        (mv("receipt", 100, -1), "day", "before the opening stock"),
        (mv("receipt", 0, 1), "qty", "needs a quantity > 0"),
        (mv("adjustment", 5, 1), "reason", "needs a reason"),
        (mv("count", -1, 1), "qty", "cannot be negative"),
        (mv("opening", 1, 1), "kind", "opening stock comes from the plant file"),
        (mv("receipt", 1, 1, material="unobtainium"), "material_id", "unknown material"),
    ],
)
def test_bad_movements_name_the_field_and_write_nothing(
    zz: Session, movement: MovementIn, field: str, message: str
) -> None:
    with pytest.raises(InputError) as err:
        ms.record_movement(zz, S, movement)
    assert err.value.field == field and message in str(err.value)
    assert str(err.value).startswith(f"{field}: ")
    assert zz.scalar(select(func.count()).select_from(StockMovement)) == 0


def test_nothing_before_the_last_count(zz: Session) -> None:
    ms.record_movement(zz, S, mv("count", 59_000, 3))
    with pytest.raises(InputError, match="day: 2026-12-03 is before the last count"):
        ms.record_movement(zz, S, mv("receipt", 5, 2))


def test_another_tenants_material_is_not_found(zz: Session) -> None:
    mine = select(pm.Material.id).where(pm.Material.enterprise_id == S.enterprise_id)
    other = zz.scalar(
        select(pm.Material.id).where(
            pm.Material.enterprise_id == "xuzhou-qpcr", pm.Material.id.not_in(mine)
        )
    )
    assert other is not None
    with pytest.raises(NotFound):
        ms.on_hand(zz, S, other, D0)
    with pytest.raises(InputError, match="unknown material"):
        ms.record_movement(
            zz,
            S,
            MovementIn(material_id=other, kind=MovementKind.receipt, day=D0, qty=1, unit="pcs"),
        )
