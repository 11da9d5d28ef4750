"""enterprise versions: a counter per enterprise raised by every committed write; the
daily report's open difficulties

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise_versions",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_enterprise_versions")),
    )
    with op.batch_alter_table("gov_daily_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open_difficulties", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("gov_daily_reports", schema=None) as batch_op:
        batch_op.drop_column("open_difficulties")
    op.drop_table("enterprise_versions")
