"""Tables of the government side.

A jurisdiction is a node of a tree (a city, its districts and development zones); its
``path`` (``/zhengzhou-municipal/zhengzhou-hitech-zone/``) makes "this jurisdiction and
everything under it" one indexed ``LIKE 'prefix%'``. Government data is aggregate: no
table here holds a worker's name, number, phone, ID number, temperature or result.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base
from keepline.vocabulary import Labelled

ID = String(64)


class ResumptionState(StrEnum):
    not_resumed = "not-resumed"
    partly = "partly"
    fully = "fully"
    suspended = "suspended"


RESUMED = (ResumptionState.partly.value, ResumptionState.fully.value)


class Scale(StrEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    onsite_check = "onsite-check"
    approved = "approved"
    approved_in_part = "approved-in-part"
    returned = "returned"


DECIDED = (
    ApplicationStatus.approved.value,
    ApplicationStatus.approved_in_part.value,
    ApplicationStatus.returned.value,
)


class Jurisdiction(Base):
    __tablename__ = "gov_jurisdictions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    parent_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("gov_jurisdictions.id"), nullable=True, index=True
    )
    path: Mapped[str] = mapped_column(String(1000), index=True)
    position: Mapped[int] = mapped_column(Integer)


class Department(Base):
    __tablename__ = "gov_departments"

    jurisdiction_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)


class Officer(Base):
    """A government user's place: the jurisdiction (also on ``users``) and department."""

    __tablename__ = "gov_officers"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    jurisdiction_id: Mapped[str] = mapped_column(ID, ForeignKey("gov_jurisdictions.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="")


class Registration(Base):
    """An enterprise in the registry of a jurisdiction, with its current resumption state
    (its history is in ``gov_resumption_states``)."""

    __tablename__ = "gov_registrations"

    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True
    )
    jurisdiction_id: Mapped[str] = mapped_column(ID, ForeignKey("gov_jurisdictions.id"), index=True)
    industry: Mapped[str] = mapped_column(String(100), index=True)
    scale: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(500))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(30))
    resumption_state: Mapped[str] = mapped_column(String(20))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    registered_by: Mapped[str] = mapped_column(String(254))


class Listing(Base):
    """An enterprise on a list (tag) from ``listed_on`` by ``document``; until delisted."""

    __tablename__ = "gov_listings"
    __table_args__ = (Index("ix_gov_listings_tag", "tag", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(ID)
    listed_on: Mapped[dt.date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(String(300))
    delisted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    delist_document: Mapped[str | None] = mapped_column(String(300), nullable=True)
    actor: Mapped[str] = mapped_column(String(254))


class Liaison(Base):
    """A liaison officer assigned to an enterprise from ``start_on`` (open while
    ``end_on`` is None): the history of who looked after whom."""

    __tablename__ = "gov_liaisons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE"), index=True
    )
    officer_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    actor: Mapped[str] = mapped_column(String(254))


class ResumptionChange(Base):
    """One step of an enterprise's work-resumption state, effective on ``day``."""

    __tablename__ = "gov_resumption_states"
    __table_args__ = (Index("ix_gov_resumption_states_enterprise_day", "enterprise_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(String(20))
    previous: Mapped[str | None] = mapped_column(String(20), nullable=True)
    day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    application_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Checklist(Base):
    """A jurisdiction's resumption checklist, one row per version (items as loaded)."""

    __tablename__ = "gov_checklists"

    jurisdiction_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    loaded_by: Mapped[str] = mapped_column(String(254))


class Application(Base):
    """A resumption application: the enterprise's counts and plans, reviewed by its
    jurisdiction against one checklist version."""

    __tablename__ = "gov_applications"
    __table_args__ = (
        ForeignKeyConstraint(
            ["checklist_jurisdiction", "checklist_id", "checklist_version"],
            ["gov_checklists.jurisdiction_id", "gov_checklists.id", "gov_checklists.version"],
        ),
        Index("ix_gov_applications_enterprise", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE")
    )
    checklist_jurisdiction: Mapped[str] = mapped_column(ID)
    checklist_id: Mapped[str] = mapped_column(ID)
    checklist_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    resume_on: Mapped[dt.date] = mapped_column(Date)
    employees_total: Mapped[int] = mapped_column(Integer)
    employees_returning: Mapped[int] = mapped_column(Integer)
    employees_from_risk_areas: Mapped[int] = mapped_column(Integer)
    prevention_plan: Mapped[str] = mapped_column(String(4000))
    emergency_plan: Mapped[str] = mapped_column(String(4000))
    lines: Mapped[list[str]] = mapped_column(JSON)  # asked for (empty: all)
    zones: Mapped[list[str]] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(String(254))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    onsite_check_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    onsite_check_note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    internal_note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    approved_lines: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    approved_zones: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Answer(Base):
    """The enterprise's answer to one checklist item, its evidence and the review."""

    __tablename__ = "gov_application_answers"

    application_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("gov_applications.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(ID, primary_key=True)
    answer: Mapped[str] = mapped_column(String(10))  # yes, no, n/a
    note: Mapped[str] = mapped_column(String(2000), default="")
    prefilled: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    review: Mapped[str | None] = mapped_column(String(10), nullable=True)  # ok, rework
    review_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)


class DailyReport(Base):
    """An enterprise's daily report, frozen once submitted: aggregates only."""

    __tablename__ = "gov_daily_reports"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "day"),
        Index("ix_gov_daily_reports_day", "day", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE")
    )
    day: Mapped[dt.date] = mapped_column(Date)
    rostered: Mapped[int] = mapped_column(Integer)
    on_site: Mapped[int] = mapped_column(Integer)
    isolated: Mapped[int] = mapped_column(Integer)
    quarantined: Mapped[int] = mapped_column(Integer)
    not_cleared: Mapped[int] = mapped_column(Integer)
    declared: Mapped[int] = mapped_column(Integer)
    declarations_missing: Mapped[int] = mapped_column(Integer)
    declarations_flagged: Mapped[int] = mapped_column(Integer)
    screening_rounds: Mapped[int] = mapped_column(Integer)
    people_screened: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer)
    new_cases: Mapped[int] = mapped_column(Integer)
    open_cases: Mapped[int] = mapped_column(Integer)
    zones_restricted: Mapped[int] = mapped_column(Integer)
    zones_locked: Mapped[int] = mapped_column(Integer)
    output_units: Mapped[float] = mapped_column(Float)
    capacity_lines: Mapped[int] = mapped_column(Integer)
    utilisation: Mapped[float | None] = mapped_column(Float, nullable=True)
    front_line_at_risk: Mapped[int] = mapped_column(Integer)
    livelihood_at_risk: Mapped[int] = mapped_column(Integer)
    min_days_of_cover: Mapped[float | None] = mapped_column(Float, nullable=True)
    materials_under_7d: Mapped[int] = mapped_column(Integer)
    open_activations: Mapped[int] = mapped_column(Integer, server_default="0")
    overdue_tasks: Mapped[int] = mapped_column(Integer, server_default="0")
    open_difficulties: Mapped[int] = mapped_column(Integer, server_default="0")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # per line, material, order
    submitted_by: Mapped[str] = mapped_column(String(254))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)


# --- visits ---


class Topic(Labelled):
    """What a visit is about: the questions the mayor asked in the founding documents."""

    prevention = "prevention", "疫情防控", "防控"
    resumption = "resumption", "复工复产", "复工"
    capacity = "capacity", "产能订单产值", "产能", "订单", "产值"
    materials = "materials", "原材料运输", "原材料", "运输"
    backup_suppliers = "backup-suppliers", "备用供应商"
    logistics = "logistics", "物流"
    living = "living", "员工生活", "生活"


class Severity(Labelled):
    low = "low", "一般", "轻"
    medium = "medium", "较重", "中"
    high = "high", "严重", "重"


class FindingStatus(StrEnum):
    """A rectification task: open → answered → verified, or sent back to open."""

    open = "open"
    answered = "answered"
    verified = "verified"


class Visit(Base):
    """A visit of officials to an enterprise (``jurisdiction_id``: the visiting officer's)."""

    __tablename__ = "gov_visits"
    __table_args__ = (Index("ix_gov_visits_enterprise", "enterprise_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE")
    )
    jurisdiction_id: Mapped[str] = mapped_column(ID, ForeignKey("gov_jurisdictions.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    visitors: Mapped[list[str]] = mapped_column(JSON)  # officers' e-mails or leaders' names
    topics: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(String(4000), default="")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Finding(Base):
    """A finding of a visit and its rectification task (one row: the task's state is the
    finding's; each step is kept in ``gov_finding_steps``)."""

    __tablename__ = "gov_findings"
    __table_args__ = (Index("ix_gov_findings_enterprise", "enterprise_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("gov_visits.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[str] = mapped_column(
        ID, ForeignKey("gov_registrations.enterprise_id", ondelete="CASCADE")
    )
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(2000))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    answer: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    attachment_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sent_back_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FindingStep(Base):
    """One step of a rectification task: recorded, answered, verified or sent back."""

    __tablename__ = "gov_finding_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("gov_findings.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(2000), default="")
    attachment_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
