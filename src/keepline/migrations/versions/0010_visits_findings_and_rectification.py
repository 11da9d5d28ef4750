"""visits, findings and rectification: gov_visits, gov_findings, gov_finding_steps

A visit of officials to a registered enterprise; each finding recorded during it is a
rectification task (open → answered → verified, or sent back to open), every step kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:08:19.787703
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gov_visits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitors", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_gov_visits_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_gov_visits_jurisdiction_id_gov_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_visits")),
    )
    with op.batch_alter_table("gov_visits", schema=None) as batch_op:
        batch_op.create_index("ix_gov_visits_enterprise", ["enterprise_id", "day"], unique=False)

    op.create_table(
        "gov_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.Column("attachment_name", sa.String(length=255), nullable=True),
        sa.Column("sent_back_reason", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_gov_findings_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["gov_visits.id"],
            name=op.f("fk_gov_findings_visit_id_gov_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_findings")),
    )
    with op.batch_alter_table("gov_findings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gov_findings_enterprise", ["enterprise_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gov_findings_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "gov_finding_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("attachment_name", sa.String(length=255), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["gov_findings.id"],
            name=op.f("fk_gov_finding_steps_finding_id_gov_findings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_finding_steps")),
    )
    with op.batch_alter_table("gov_finding_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_finding_steps_finding_id"), ["finding_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gov_finding_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_finding_steps_finding_id"))

    op.drop_table("gov_finding_steps")
    with op.batch_alter_table("gov_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_findings_visit_id"))
        batch_op.drop_index("ix_gov_findings_enterprise")

    op.drop_table("gov_findings")
    with op.batch_alter_table("gov_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_gov_visits_enterprise")

    op.drop_table("gov_visits")
