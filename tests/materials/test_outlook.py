"""Days of cover, reorder and backup warnings from the database, worked by hand on the
Zhengzhou plant (898 workers planned, 9 zones; no stored plan, so raw materials are used
at every line's full rate: chips 2,400 + 1,600 + 1,500 + 400 = 5,900 a day; LCDs on
meters only: 5,500 a day)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from keepline.health.models import Clearance
from keepline.logistics import status as logistics_status
from keepline.logistics.models import NodeState, StatusKind
from keepline.logistics.schemas import StatusIn
from keepline.materials import outlook as mo
from keepline.materials import service as ms
from keepline.materials.schemas import PolicyIn
from keepline.people.models import Worker
from tests.daily_record import D0, EID, day, scope


def test_cover_with_the_policy_in_force(zz: Session) -> None:
    ms.set_policy(
        zz,
        scope("ehs"),
        PolicyIn(
            effective_from=D0,
            rounds_per_week=2,
            pool_size=10,
            per_pool_materials=["sampling-tube"],
            per_zone_day={"disinfectant": 2},
        ),
    )
    out = mo.outlook(zz, scope(), D0, horizon=60)
    cover = {r.material_id: r for r in out.cover}
    # Masks: 898 x 2 = 1,796 a day; 30,000 / 1,796 = 16.70 days.
    assert cover["mask-kn95"].use_today == 1796
    assert cover["mask-kn95"].days_of_cover == pytest.approx(16.704, abs=1e-3)
    # Swabs: 898 x 2 rounds / 7 = 256.57 a day; 10,000 / 256.57 = 38.98 days.
    assert cover["swab"].days_of_cover == pytest.approx(10_000 / (898 * 2 / 7))
    # Tubes, 10-in-1: ceil(898/10) = 90 x 2 / 7 = 25.71 a day; 5,000 / 25.71 = 194.4 days.
    assert cover["sampling-tube"].days_of_cover == pytest.approx(5000 / (90 * 2 / 7))
    # Disinfectant: 0.03 x 898 + 2 x 9 zones = 44.94 l a day; 1,500 / 44.94 = 33.38.
    assert cover["disinfectant"].days_of_cover == pytest.approx(1500 / 44.94)
    # Chips: 60,000 / 5,900 = 10.17 days; the end-of-day stock is negative first on day
    # 10 (60,000 - 11 x 5,900 = -4,900): 2026-12-11.
    assert cover["mcu-chip"].days_of_cover == pytest.approx(60_000 / 5900)
    assert cover["mcu-chip"].runs_out_on == dt.date(2026, 12, 11)
    # With every supplier normal no primary is late: the primary chip supplier arrives on
    # day 8, LCDs on day 5 + 3 = 8 (runs out on day 16).
    assert out.warnings == []


def test_a_region_lockdown_warns_with_the_backup_and_its_date(zz: Session) -> None:
    logistics_status.set_status(
        zz,
        scope("buyer"),
        StatusIn(
            kind=StatusKind.region,
            node_id="440300",
            state=NodeState.locked_down,
            start=D0,
            end=None,
            note="Shenzhen",
        ),
    )
    out = mo.outlook(zz, scope(), D0, horizon=60)
    warn = {w.material: w for w in out.warnings}
    assert sorted(warn) == ["lcd-display", "mcu-chip"]
    chip, lcd = warn["mcu-chip"], warn["lcd-display"]
    # Chips run out on day 10; xian-semi takes 7 + 6 + 2 = 15 days: 5 days late.
    assert (chip.runs_out_day, chip.backup, chip.backup_arrival_day, chip.late_days) == (
        10,
        "xian-semi",
        15,
        0 + 5,
    )
    # LCDs: 90,000 - 5,500 (d + 1) < 0 first on day 16 (-3,500); kunshan-lcd takes
    # 7 + 4 + 2 = 13 days: activate by day 16 - 13 = 3 (2026-12-04), in time.
    assert (lcd.runs_out_day, lcd.backup, lcd.activate_by_day, lcd.late_days) == (
        16,
        "kunshan-lcd",
        3,
        0,
    )
    assert "region 440300 locked-down until further notice" in lcd.reason
    sugg = {s.material: s for s in out.suggestions}
    assert sugg["mcu-chip"].supplier == "xian-semi"
    assert sugg["nb-iot-module"].supplier == "shanghai-iot"


def test_headcount_on_site_from_the_roster(zz: Session) -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    for no, status in (("E1", "active"), ("E2", "active"), ("E3", "active"), ("E4", "left")):
        zz.add(
            Worker(
                enterprise_id=EID,
                employee_no=no,
                name=no,
                zone_id="gas-assembly",
                shift_id="day",
                team_id="ga-day",
                skills=["assembler"],
                housing="commuter",
                employment_status=status,
                updated_at=now,
            )
        )
    zz.flush()
    zz.add(
        Clearance(
            enterprise_id=EID, employee_no="E3", cleared=False, flags=["fever"], flagged_on=D0
        )
    )
    zz.flush()
    head = mo.headcount_on_site(zz, scope())
    # 3 active (E4 has left), E3 stopped by a fever: 2 on site.
    assert head.people == 2 and "3 active, 1 not cleared" in head.basis
    cover = {r.material_id: r for r in mo.outlook(zz, scope(), day(1), horizon=10).cover}
    assert cover["mask-kn95"].use_today == 4  # 2 people x 2 masks
