"""government: jurisdictions, registry, resumption applications, daily reports

The jurisdiction tree with departments and officers; the registry of enterprises with
listings (tags), liaison officers and work-resumption state history; resumption
checklists (versioned) and applications with answers; the enterprises' daily reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:37:47.642408
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gov_jurisdictions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_gov_jurisdictions_parent_id_gov_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_jurisdictions")),
    )
    with op.batch_alter_table("gov_jurisdictions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_jurisdictions_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gov_jurisdictions_path"), ["path"], unique=False)

    op.create_table(
        "gov_checklists",
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_gov_checklists_jurisdiction_id_gov_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jurisdiction_id", "id", "version", name=op.f("pk_gov_checklists")),
    )
    op.create_table(
        "gov_departments",
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_gov_departments_jurisdiction_id_gov_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jurisdiction_id", "id", name=op.f("pk_gov_departments")),
    )
    op.create_table(
        "gov_registrations",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("scale", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=30), nullable=False),
        sa.Column("resumption_state", sa.String(length=20), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("registered_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_gov_registrations_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_gov_registrations_jurisdiction_id_gov_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_gov_registrations")),
    )
    with op.batch_alter_table("gov_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_registrations_industry"), ["industry"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gov_registrations_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "gov_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("checklist_jurisdiction", sa.String(length=64), nullable=False),
        sa.Column("checklist_id", sa.String(length=64), nullable=False),
        sa.Column("checklist_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resume_on", sa.Date(), nullable=False),
        sa.Column("employees_total", sa.Integer(), nullable=False),
        sa.Column("employees_returning", sa.Integer(), nullable=False),
        sa.Column("employees_from_risk_areas", sa.Integer(), nullable=False),
        sa.Column("prevention_plan", sa.String(length=4000), nullable=False),
        sa.Column("emergency_plan", sa.String(length=4000), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(length=254), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("onsite_check_by", sa.String(length=254), nullable=True),
        sa.Column("onsite_check_note", sa.String(length=1000), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.Column("internal_note", sa.String(length=2000), nullable=True),
        sa.Column("approved_lines", sa.JSON(), nullable=True),
        sa.Column("approved_zones", sa.JSON(), nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["checklist_jurisdiction", "checklist_id", "checklist_version"],
            ["gov_checklists.jurisdiction_id", "gov_checklists.id", "gov_checklists.version"],
            name=op.f("fk_gov_applications_checklist_jurisdiction_gov_checklists"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_gov_applications_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_applications")),
    )
    with op.batch_alter_table("gov_applications", schema=None) as batch_op:
        batch_op.create_index("ix_gov_applications_enterprise", ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gov_applications_status"), ["status"], unique=False)

    op.create_table(
        "gov_daily_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rostered", sa.Integer(), nullable=False),
        sa.Column("on_site", sa.Integer(), nullable=False),
        sa.Column("isolated", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("not_cleared", sa.Integer(), nullable=False),
        sa.Column("declared", sa.Integer(), nullable=False),
        sa.Column("declarations_missing", sa.Integer(), nullable=False),
        sa.Column("declarations_flagged", sa.Integer(), nullable=False),
        sa.Column("screening_rounds", sa.Integer(), nullable=False),
        sa.Column("people_screened", sa.Integer(), nullable=False),
        sa.Column("positives", sa.Integer(), nullable=False),
        sa.Column("new_cases", sa.Integer(), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("zones_restricted", sa.Integer(), nullable=False),
        sa.Column("zones_locked", sa.Integer(), nullable=False),
        sa.Column("output_units", sa.Float(), nullable=False),
        sa.Column("capacity_lines", sa.Integer(), nullable=False),
        sa.Column("utilisation", sa.Float(), nullable=True),
        sa.Column("front_line_at_risk", sa.Integer(), nullable=False),
        sa.Column("livelihood_at_risk", sa.Integer(), nullable=False),
        sa.Column("min_days_of_cover", sa.Float(), nullable=True),
        sa.Column("materials_under_7d", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(length=254), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_gov_daily_reports_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_daily_reports")),
        sa.UniqueConstraint(
            "enterprise_id", "day", name=op.f("uq_gov_daily_reports_enterprise_id")
        ),
    )
    with op.batch_alter_table("gov_daily_reports", schema=None) as batch_op:
        batch_op.create_index("ix_gov_daily_reports_day", ["day", "enterprise_id"], unique=False)

    op.create_table(
        "gov_liaisons",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_gov_liaisons_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
            name=op.f("fk_gov_liaisons_officer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_liaisons")),
    )
    with op.batch_alter_table("gov_liaisons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_liaisons_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gov_liaisons_officer_id"), ["officer_id"], unique=False
        )

    op.create_table(
        "gov_listings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("document", sa.String(length=300), nullable=False),
        sa.Column("delisted_on", sa.Date(), nullable=True),
        sa.Column("delist_document", sa.String(length=300), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_gov_listings_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_listings")),
    )
    with op.batch_alter_table("gov_listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_listings_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index("ix_gov_listings_tag", ["tag", "enterprise_id"], unique=False)

    op.create_table(
        "gov_officers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_gov_officers_jurisdiction_id_gov_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_gov_officers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_gov_officers")),
    )
    with op.batch_alter_table("gov_officers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_officers_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "gov_resumption_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("previous", sa.String(length=20), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_gov_resumption_states_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_resumption_states")),
    )
    with op.batch_alter_table("gov_resumption_states", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gov_resumption_states_enterprise_day", ["enterprise_id", "day"], unique=False
        )

    op.create_table(
        "gov_application_answers",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("prefilled", sa.Boolean(), nullable=False),
        sa.Column("evidence_name", sa.String(length=255), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("evidence", sa.LargeBinary(), nullable=True),
        sa.Column("review", sa.String(length=10), nullable=True),
        sa.Column("review_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["gov_applications.id"],
            name=op.f("fk_gov_application_answers_application_id_gov_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "item_id", name=op.f("pk_gov_application_answers")
        ),
    )


def downgrade() -> None:
    op.drop_table("gov_application_answers")
    with op.batch_alter_table("gov_resumption_states", schema=None) as batch_op:
        batch_op.drop_index("ix_gov_resumption_states_enterprise_day")

    op.drop_table("gov_resumption_states")
    with op.batch_alter_table("gov_officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_officers_jurisdiction_id"))

    op.drop_table("gov_officers")
    with op.batch_alter_table("gov_listings", schema=None) as batch_op:
        batch_op.drop_index("ix_gov_listings_tag")
        batch_op.drop_index(batch_op.f("ix_gov_listings_enterprise_id"))

    op.drop_table("gov_listings")
    with op.batch_alter_table("gov_liaisons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_liaisons_officer_id"))
        batch_op.drop_index(batch_op.f("ix_gov_liaisons_enterprise_id"))

    op.drop_table("gov_liaisons")
    with op.batch_alter_table("gov_daily_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_gov_daily_reports_day")

    op.drop_table("gov_daily_reports")
    with op.batch_alter_table("gov_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_applications_status"))
        batch_op.drop_index("ix_gov_applications_enterprise")

    op.drop_table("gov_applications")
    with op.batch_alter_table("gov_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_registrations_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_gov_registrations_industry"))

    op.drop_table("gov_registrations")
    op.drop_table("gov_departments")
    op.drop_table("gov_checklists")
    with op.batch_alter_table("gov_jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_jurisdictions_path"))
        batch_op.drop_index(batch_op.f("ix_gov_jurisdictions_parent_id"))

    op.drop_table("gov_jurisdictions")
