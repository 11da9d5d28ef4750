"""The registry: lists with date and document, liaison history, resumption-state history,
exports; every write audited with the jurisdiction."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepline.audit.models import AuditEntry
from keepline.errors import InputError
from keepline.government import registry
from keepline.government.schemas import DelistIn, LiaisonIn, ListingIn, ResumptionStateIn
from tests.government.api_world import GovWorld
from tests.government.world import XUZHOU, XZ, load_cities, load_plants, register_both


def test_lists_liaisons_and_state_keep_their_history(session: Session) -> None:
    s = session
    load_plants(s)
    load_cities(s)
    register_both(s)
    registry.listing_add(
        s,
        XZ,
        XUZHOU,
        ListingIn(tag="resumption-white-list", listed_on=dt.date(2026, 11, 2), document="n1"),
    )
    with pytest.raises(InputError, match="tag: 'xuzhou-qpcr' is on 'resumption-white-list'"):
        registry.listing_add(
            s,
            XZ,
            XUZHOU,
            ListingIn(tag="resumption-white-list", listed_on=dt.date(2026, 11, 3), document="n"),
        )
    with pytest.raises(InputError, match="delisted_on: 2026-11-01 is before listed_on"):
        registry.listing_end(
            s,
            XZ,
            XUZHOU,
            "resumption-white-list",
            DelistIn(delisted_on=dt.date(2026, 11, 1), document="n2"),
        )
    registry.listing_end(
        s,
        XZ,
        XUZHOU,
        "resumption-white-list",
        DelistIn(delisted_on=dt.date(2026, 11, 20), document="n2"),
    )
    registry.assign_liaison(
        s,
        XZ,
        XUZHOU,
        LiaisonIn(officer="liaison.wang@xuzhou.gov.example", start_on=dt.date(2026, 11, 2)),
    )
    registry.assign_liaison(
        s,
        XZ,
        XUZHOU,
        LiaisonIn(officer="health.li@xuzhou.gov.example", start_on=dt.date(2026, 11, 10)),
    )
    registry.set_state(
        s,
        XZ,
        XUZHOU,
        ResumptionStateIn.model_validate(
            {"state": "partly", "day": "2026-11-05", "reason": "assembly only"}
        ),
    )
    registry.set_state(
        s,
        XZ,
        XUZHOU,
        ResumptionStateIn.model_validate(
            {"state": "suspended", "day": "2026-11-12", "reason": "case in assembly"}
        ),
    )
    with pytest.raises(InputError, match="day: 2026-11-11 is before the last change"):
        registry.set_state(
            s,
            XZ,
            XUZHOU,
            ResumptionStateIn.model_validate(
                {"state": "fully", "day": "2026-11-11", "reason": "x"}
            ),
        )
    e = registry.enterprise(s, XZ, XUZHOU)
    assert e.tags == [] and e.listings[0].delist_document == "n2"
    assert [(li.officer, li.start_on, li.end_on) for li in e.liaisons] == [
        ("liaison.wang@xuzhou.gov.example", dt.date(2026, 11, 2), dt.date(2026, 11, 9)),
        ("health.li@xuzhou.gov.example", dt.date(2026, 11, 10), None),
    ]
    assert e.liaison == "health.li@xuzhou.gov.example"
    assert [(h.state, h.previous) for h in e.resumption_history] == [
        ("not-resumed", None),
        ("partly", "not-resumed"),
        ("suspended", "partly"),
    ]
    assert e.resumption_state == "suspended"
    entries = s.scalars(select(AuditEntry).where(AuditEntry.table_name.like("gov_%"))).all()
    tables = {x.table_name for x in entries if x.jurisdiction == "xuzhou-municipal"}
    assert {"gov_registrations", "gov_listings", "gov_liaisons", "gov_jurisdictions"} <= tables
    assert all(x.enterprise_id is None for x in entries if x.table_name != "gov_daily_reports")


def test_xlsx_exports(gov: GovWorld) -> None:
    assert (
        gov.client.post(
            "/daily-reports", headers=gov.h("A:admin"), json={"day": str(gov.today)}
        ).status_code
        == 201
    )
    r = gov.client.get("/gov/daily-reports", headers=gov.h("XZ"), params={"format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["reports"].values)
    assert rows[0][:4] == ("enterprise_id", "day", "status", "rostered")
    assert rows[1][0] == "xuzhou-qpcr" and rows[1][3] == 3
    r = gov.client.get("/gov/dashboard", headers=gov.h("XZ"), params={"format": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["about", "total", "by jurisdiction", "by industry", "by tag", "trend"]
    total = list(wb["total"].values)
    assert total[1][total[0].index("registered")] == 1
    r = gov.client.get(
        "/gov/enterprises/xuzhou-qpcr/daily-reports", headers=gov.h("XZ"), params={"format": "xlsx"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd")
