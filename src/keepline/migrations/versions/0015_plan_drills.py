"""plan drills: each recorded drill of an emergency plan, with its scores and report

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_drills",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("plans", sa.JSON(), nullable=False),
        sa.Column("scenario", sa.String(length=200), nullable=False),
        sa.Column("scenario_file", sa.String(length=500), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("replicates", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_drills_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_drills")),
    )
    op.create_index(
        "ix_plan_drills_enterprise_created", "plan_drills", ["enterprise_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_plan_drills_enterprise_created", table_name="plan_drills")
    op.drop_table("plan_drills")
