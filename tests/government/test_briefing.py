"""The briefing pack of a visit, its figures counted by hand on the small daily record of
the Xuzhou plant that the daily report's test builds (``test_daily_report._record``),
with screening rounds, shipments, purchases, lockdowns and a stored plan added here.
No worker's name, phone or ID number reaches it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from keepline import clock
from keepline.containment.models import ZoneStateChange
from keepline.difficulties import service as difficulties
from keepline.difficulties.models import DifficultyCategory
from keepline.difficulties.schemas import DifficultyIn
from keepline.government import briefing, briefing_page, registry, visits
from keepline.government.schemas import FindingIn, ResumptionStateIn, VisitIn
from keepline.logistics.models import CustomerShipment, NodeStatus, PurchaseShipment
from keepline.people.models import Worker
from keepline.production.models import OutputRecord, StoredPlan
from keepline.scope import EnterpriseScope
from keepline.screening.models import Round, Sample, SampleMember
from tests.government.test_daily_report import AT, D, E, _record
from tests.government.world import XUZHOU, XZ, xuzhou_only

ID_NUMBER = "320303199001011234"
DAY = dt.timedelta(days=1)


def _more(s: Session) -> None:
    """What the pack reads beyond the daily report."""
    sick = s.get(Worker, (E, "A3"))  # the confirmed case
    assert sick is not None
    sick.id_number = ID_NUMBER
    # An earlier round (A6, A7 present, negative) and one after D (not in the pack).
    for day, sample, members in ((D - 3 * DAY, "P0", ["A6", "A7"]), (D + DAY, "P9", ["A8"])):
        r = Round(
            enterprise_id=E,
            day=day,
            test_type="antigen",
            pool_size=2,
            zones=[],
            shifts=[],
            assay={},
            created_by="t",
            created_at=AT,
        )
        s.add(r)
        s.flush()
        s.add(
            Sample(
                enterprise_id=E,
                id=sample,
                round_id=r.id,
                kind="pool",
                collection_point="x",
                verdict="negative",
            )
        )
        s.flush()
        s.add_all(
            SampleMember(enterprise_id=E, sample_id=sample, employee_no=m, position=i)
            for i, m in enumerate(members)
        )
    kw = {"enterprise_id": E, "actor": "t", "recorded_at": AT}
    s.add_all(
        [
            # The north dormitory in a closed-loop lock since D-1 (no one works in it).
            ZoneStateChange(
                enterprise_id=E,
                zone_id="dorm-north",
                state="locked",
                previous="open",
                at=AT,
                day=D - DAY,
                by="t",
                reason="closed loop",
                closed_loop=True,
            ),
            # 5 units 6 days before D count in the 7 days; 100 units 7 days before do not.
            OutputRecord(line_id="qpcr16-line", product_id="qpcr-16", day=D - 6 * DAY, qty=5, **kw),
            OutputRecord(
                line_id="qpcr16-line", product_id="qpcr-16", day=D - 7 * DAY, qty=100, **kw
            ),
            # HN-CDC-002: 100 of 250 held at a checkpoint (it has left); SD-CDC-004: 1000
            # only planned (has not).
            CustomerShipment(
                enterprise_id=E,
                id="S2",
                order_id="HN-CDC-002",
                qty=100,
                planned_on=D,
                status="held",
                updated_at=AT,
            ),
            CustomerShipment(
                enterprise_id=E,
                id="S3",
                order_id="SD-CDC-004",
                qty=1000,
                planned_on=D,
                status="planned",
                updated_at=AT,
            ),
            # The plan stored on D-1 has SD-CDC-004 late; the one of D+1 is not read.
            StoredPlan(
                enterprise_id=E,
                as_of=D - DAY,
                horizon_days=14,
                inputs={},
                result={"orders_at_risk": ["SD-CDC-004"]},
                actor="t",
                created_at=AT,
            ),
            StoredPlan(
                enterprise_id=E,
                as_of=D + DAY,
                horizon_days=14,
                inputs={},
                result={"orders_at_risk": ["XZ-CH-006"]},
                actor="t",
                created_at=AT,
            ),
        ]
    )
    for pid, material, supplier, status, risk in (
        ("PO1", "peltier-module", "suzhou-thermo", "dispatched", True),
        ("PO2", "optical-module", "changzhou-optics", "planned", False),
        ("PO3", "mainboard", "wuxi-pcb", "delivered", True),
    ):
        s.add(
            PurchaseShipment(
                enterprise_id=E,
                id=pid,
                material_id=material,
                supplier_id=supplier,
                qty=100,
                ordered_on=D - 5 * DAY,
                eta=D + 2 * DAY,
                status=status,
                at_risk=risk,
                updated_at=AT,
            )
        )
    # Shenzhen (440300) locked down since D-2; Suzhou (320500) restricted, ended D-5;
    # Xuzhou (320300) restricted only from D+1; the supplier wuhan-bio restricted on D.
    for kind, node, state, start, end in (
        ("region", "440300", "locked-down", D - 2 * DAY, None),
        ("region", "320500", "restricted", D - 10 * DAY, D - 5 * DAY),
        ("region", "320300", "restricted", D + DAY, None),
        ("supplier", "wuhan-bio", "restricted", D - DAY, D + 3 * DAY),
    ):
        s.add(
            NodeStatus(
                enterprise_id=E,
                kind=kind,
                node_id=node,
                state=state,
                start=start,
                end=end,
                actor="t",
                recorded_at=AT,
            )
        )
    s.flush()
    registry.set_state(
        s, XZ, E, ResumptionStateIn(state="partly", day=D - 2 * DAY, reason="white list")
    )


def _visit(s: Session, day: dt.date, topics: list[str]) -> int:
    body = {"enterprise_id": E, "day": str(day), "visitors": ["市长 Mayor"], "topics": topics}
    return visits.add_visit(s, XZ, VisitIn.model_validate(body)).id


def test_the_pack_counted_by_hand(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    # Noon on D in Xuzhou.
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 16, 4, tzinfo=dt.UTC))
    xuzhou_only(session)
    _record(session)
    _more(session)
    # Difficulties: raw materials raised at 09:00 and never accepted (past its 60-minute
    # accept limit at noon), finance raised at 11:30 (within it); both open.
    plant = EnterpriseScope(XUZHOU, "user:admin@plant")
    for utc_hour, category in ((1.0, "raw-materials"), (3.5, "finance")):
        raised = dt.datetime(2026, 12, 16, tzinfo=dt.UTC) + dt.timedelta(hours=utc_hour)
        monkeypatch.setattr(clock, "now", lambda raised=raised: raised)
        body = DifficultyIn(category=DifficultyCategory(category), text="help")
        difficulties.submit(session, plant, body)
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 16, 4, tzinfo=dt.UTC))
    # An earlier visit's two findings: one due D-1 (overdue on D), one due D+3.
    earlier = _visit(session, D - 5 * DAY, ["prevention"])
    for due in (D - DAY, D + 3 * DAY):
        visits.add_finding(
            session,
            XZ,
            earlier,
            FindingIn.model_validate(
                {"text": "fix it", "category": "prevention", "due_on": str(due)}
            ),
        )
    vid = _visit(session, D, ["capacity", "materials", "living"])
    b = briefing.pack(session, XZ, vid)
    assert (b.visit_day, b.as_of) == (D, D)

    p = b.prevention
    # The daily report's figures of D (its test counts them), with the closed-loop
    # dormitory as a second locked zone: no one works there, so on site stays 8.
    assert (p.rostered, p.on_site, p.declared, p.declarations_missing) == (12, 8, 8, 4)
    assert (p.declarations_flagged, p.not_cleared, p.isolated, p.quarantined) == (1, 1, 1, 1)
    assert (p.new_cases, p.open_cases, p.zones_restricted, p.zones_locked) == (1, 1, 1, 2)
    # D: A3, A4 present (A5 absent) in a positive pool, A3's retest positive;
    # D-3: A6, A7, negative. The round of D+1 is after the pack's day.
    assert [(r.day, r.people_screened, r.positives) for r in p.last_rounds] == [
        (D, 2, 1),
        (D - 3 * DAY, 2, 0),
    ]
    assert (b.resumption.state, b.resumption.since, b.resumption.reason) == (
        "partly",
        D - 2 * DAY,
        "white list",
    )

    c = b.capacity
    assert (c.output_units, c.output_units_7d) == (12, 17)  # 12 on D + 5 on D-6
    status = {o.order: (o.status, o.shipped) for o in c.orders}
    assert status == {
        "JS-CDC-001": ("shipped", 300),
        "HN-CDC-002": ("part-shipped", 100),
        "JS-CDC-003": ("open", 0),
        "SD-CDC-004": ("open", 0),  # only planned
        "XZ-HC-005": ("open", 0),
        "XZ-CH-006": ("open", 0),
        "EX-MA-007": ("open", 0),
        "DL-KH-008": ("open", 0),
        "EX-MA-009": ("open", 0),
        "DL-KH-010": ("open", 0),
    }
    assert c.orders_open == 9
    # XZ-HC-005 overdue, JS-CDC-003 beyond capacity (the daily report's test), and
    # SD-CDC-004 late in the plan of D-1 (the plan of D+1 is not read).
    risk = {o.order: o.at_risk for o in c.orders if o.at_risk}
    assert risk == {
        "XZ-HC-005": "overdue",
        "JS-CDC-003": "beyond full-rate capacity before due",
        "SD-CDC-004": "late in the latest plan",
    }
    assert (c.front_line_at_risk, c.livelihood_at_risk) == (3, 0)
    assert (c.plan_as_of, c.plan_orders_at_risk) == (D - DAY, ["SD-CDC-004"])

    m = b.materials
    masks = next(x for x in m.materials if x.material == "mask-kn95")
    assert (masks.stock, masks.use_per_day, masks.days_of_cover) == (59300, 100, 593.0)
    assert (m.purchases_open, m.purchases_at_risk) == (2, 1)  # PO3 delivered
    assert (m.shipments_open, m.shipments_held) == (3, 1)  # S1 dispatched, S2 held, S3 planned
    assert (m.regions_locked, m.regions_restricted) == (["440300"], [])

    backups = {k.material: k for k in b.backup_suppliers}
    assert [k.material for k in b.backup_suppliers] == [x.material for x in m.materials]
    optical = [
        (x.supplier, x.priority, x.backup, x.state) for x in backups["optical-module"].suppliers
    ]
    assert optical == [
        ("shenzhen-optics", 1, False, "locked-down"),  # its region 440300
        ("changzhou-optics", 2, True, "normal"),
    ]
    assert backups["optical-module"].has_backup
    assert not backups["thermal-block-96"].has_backup  # one supplier only
    assert [x.state for x in backups["thermal-block-96"].suppliers] == ["normal"]
    assert [(x.supplier, x.state) for x in backups["enzyme-mix"].suppliers] == [
        ("shanghai-bio", "normal"),
        ("wuhan-bio", "restricted"),
    ]

    lv = b.living
    # A6-A9 live in the north dormitory; A0-A5, O0, O1 commute; the leaver is not counted.
    assert (lv.recorded, lv.dormitory_residents, lv.commuters) == (True, 4, 8)
    assert (lv.dormitory_zones, lv.closed_loop_zones) == (2, 1)
    d = b.difficulties
    assert (d.recorded, d.submitted, d.open, d.overdue) == (True, 2, 2, 1)
    assert [(c.category, c.open, c.overdue) for c in d.by_category] == [
        ("finance", 1, 0),
        ("raw-materials", 1, 1),
    ]
    assert (b.findings_open, b.findings_overdue) == (2, 1)

    # No personal data, in the JSON or the page; the page stands alone.
    text = b.model_dump_json()
    page = briefing_page.render_html(b.model_dump(mode="json"))
    for secret in ("Name A", ID_NUMBER, "13800000000"):
        assert secret not in text and secret not in page
    assert "走访简报" in page and "Visit briefing" in page
    assert '超时 past a time limit: <b class="bad">1</b>' in page and "440300" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
