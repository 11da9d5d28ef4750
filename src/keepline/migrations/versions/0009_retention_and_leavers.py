"""retention and leavers: workers.left_on, retention_policies

Workers who leave are marked as left from a day (``left_on``) and keep their records;
each enterprise's retention rule says how long health records are kept. Workers already
marked as left get today as the day they left (the earliest day we can vouch for).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:45:23.900769
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("declarations_days", sa.Integer(), nullable=False),
        sa.Column("access_events_days", sa.Integer(), nullable=False),
        sa.Column("screening_days", sa.Integer(), nullable=False),
        sa.Column("restrictions_days", sa.Integer(), nullable=False),
        sa.Column("cases_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_retention_policies_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_retention_policies")),
    )
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        # Who is employed on a day reads left_on: keep the roster counts index-only.
        batch_op.drop_index("ix_workers_enterprise_team_status")
        batch_op.create_index(
            "ix_workers_enterprise_team_status_left",
            ["enterprise_id", "team_id", "employment_status", "left_on"],
            unique=False,
        )
    op.execute("UPDATE workers SET left_on = CURRENT_DATE WHERE employment_status = 'left'")


def downgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_index("ix_workers_enterprise_team_status_left")
        batch_op.create_index(
            "ix_workers_enterprise_team_status",
            ["enterprise_id", "team_id", "employment_status"],
            unique=False,
        )
        batch_op.drop_column("left_on")
    op.drop_table("retention_policies")
