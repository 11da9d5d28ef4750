"""enterprise versions: a counter per enterprise raised by every committed write

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-07 06:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise_versions",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_enterprise_versions")),
    )


def downgrade() -> None:
    op.drop_table("enterprise_versions")
