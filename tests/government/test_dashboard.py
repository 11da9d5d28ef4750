"""The dashboard's figures, worked by hand on reports stored directly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from keepline.government import dashboard, registry
from keepline.government.models import DailyReport
from keepline.government.schemas import ListingIn, RegistrationIn, ResumptionStateIn
from keepline.plant import models as pm
from tests.government.world import XZ, load_cities

D = dt.date(2026, 11, 20)
REG = dt.date(2026, 11, 1)


def _enterprise(s: Session, eid: str, jurisdiction: str, industry: str) -> None:
    s.add(
        pm.Enterprise(
            id=eid,
            name=eid,
            region_code="320300",
            sector=industry,
            jurisdiction=jurisdiction,
            horizon_start=REG,
        )
    )
    s.flush()
    registry.register(
        s,
        XZ,
        RegistrationIn.model_validate(
            {"enterprise_id": eid, "industry": industry, "scale": "small", "registered_on": REG}
        ),
    )


def _report(
    s: Session,
    eid: str,
    day: dt.date,
    rostered: int,
    on_site: int,
    util: float | None,
    positives: int = 0,
    locked: int = 0,
    fl: int = 0,
    cover: float | None = None,
) -> None:
    zero = dict(
        isolated=0,
        quarantined=0,
        not_cleared=0,
        declared=0,
        declarations_missing=0,
        declarations_flagged=0,
        screening_rounds=0,
        people_screened=0,
        new_cases=0,
        open_cases=0,
        zones_restricted=0,
        output_units=0.0,
        livelihood_at_risk=0,
        materials_under_7d=0,
        detail={},
        submitted_by="t",
        submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    s.add(
        DailyReport(
            enterprise_id=eid,
            day=day,
            rostered=rostered,
            on_site=on_site,
            utilisation=util,
            capacity_lines=1 if util is not None else 0,
            positives=positives,
            zones_locked=locked,
            front_line_at_risk=fl,
            min_days_of_cover=cover,
            **zero,
        )
    )


def test_dashboard_worked_by_hand(session: Session) -> None:
    s = session
    load_cities(s)
    # e1, e2 in the development zone (electronics); e3 in Yunlong (food); e4 in the city
    # itself (food), registered only after D.
    _enterprise(s, "e1", "xuzhou-economic-development-zone", "electronics")
    _enterprise(s, "e2", "xuzhou-economic-development-zone", "electronics")
    _enterprise(s, "e3", "xuzhou-yunlong", "food")
    s.add(
        pm.Enterprise(
            id="e4",
            name="e4",
            region_code="320300",
            sector="food",
            jurisdiction="xuzhou-municipal",
            horizon_start=REG,
        )
    )
    s.flush()
    registry.register(
        s,
        XZ,
        RegistrationIn.model_validate(
            {
                "enterprise_id": "e4",
                "industry": "food",
                "scale": "small",
                "registered_on": D + dt.timedelta(days=1),
            }
        ),
    )
    # e1 fully resumed from 11-10, e2 partly from D, e3 fully only from D+1.
    for eid, state, day in (
        ("e1", "fully", dt.date(2026, 11, 10)),
        ("e2", "partly", D),
        ("e3", "fully", D + dt.timedelta(days=1)),
    ):
        registry.set_state(
            s,
            XZ,
            eid,
            ResumptionStateIn.model_validate({"state": state, "day": day, "reason": "x"}),
        )
    registry.listing_add(s, XZ, "e1", ListingIn(tag="livelihood", listed_on=REG, document="n1"))
    registry.listing_add(s, XZ, "e3", ListingIn(tag="livelihood", listed_on=REG, document="n2"))
    # Reports on D: e1 90/100 at 0.9 with a positive; e2 30/50 at 0.6 with a locked zone, 2
    # front-line orders at risk and 5 days of cover; e3 does not report.
    _report(s, "e1", D, 100, 90, 0.9, positives=1, cover=30)
    _report(s, "e2", D, 50, 30, 0.6, locked=1, fl=2, cover=5)
    # The day before: e1 only, 50/100 at 0.4.
    _report(s, "e1", D - dt.timedelta(days=1), 100, 50, 0.4)
    s.flush()

    d = dashboard.dashboard(s, XZ, D, trend_days=3)
    t = d.total
    # Registered on D: e1, e2, e3 (not e4). Resumed on D: e1 (fully), e2 (partly).
    assert (t.registered, t.resumed, t.fully_resumed, t.reported) == (3, 2, 1, 2)
    assert t.resumption_rate == round(2 / 3, 6)
    assert (t.rostered, t.on_site, t.staff_return_rate) == (150, 120, 0.8)
    assert t.utilisation == 0.75  # (0.9 + 0.6) / 2
    assert (t.utilisation_over_50, t.utilisation_over_80) == (2, 1)
    assert (t.with_positives, t.with_locked_zones, t.front_line_at_risk) == (1, 1, 2)
    assert t.materials_out_within_7d == 1
    by_j = {f.key: f for f in d.by_jurisdiction}
    assert by_j["xuzhou-economic-development-zone"].registered == 2
    assert by_j["xuzhou-economic-development-zone"].staff_return_rate == 0.8
    assert by_j["xuzhou-yunlong"].registered == 1 and by_j["xuzhou-yunlong"].resumed == 0
    assert by_j["xuzhou-tongshan"].registered == 0
    assert {f.key: f.registered for f in d.by_industry} == {"electronics": 2, "food": 1}
    (tag,) = d.by_tag
    assert (tag.key, tag.registered, tag.resumed, tag.reported) == ("livelihood", 2, 1, 1)
    # The trend: D-2 nothing reported, e1 resumed; D-1: e1's 50/100 at 0.4; D as above.
    assert [p.reported for p in d.trend] == [0, 1, 2]
    assert [p.resumed for p in d.trend] == [1, 1, 2]
    assert [p.staff_return_rate for p in d.trend] == [None, 0.5, 0.8]
    assert [p.utilisation for p in d.trend] == [None, 0.4, 0.75]
    # Drill-down: the development zone alone, and the food industry alone.
    z = dashboard.dashboard(s, XZ, D, jurisdiction="xuzhou-economic-development-zone")
    assert (z.total.registered, z.total.resumed, z.total.on_site) == (2, 2, 120)
    f = dashboard.dashboard(s, XZ, D, industry="food")
    assert (f.total.registered, f.total.reported) == (1, 0)
    lv = dashboard.dashboard(s, XZ, D, tag="livelihood", trend_days=0)
    assert (lv.total.registered, lv.total.on_site) == (2, 90) and lv.trend == []
