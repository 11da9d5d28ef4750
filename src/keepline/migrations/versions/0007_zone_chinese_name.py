"""zones.name_zh: a zone's display name in Chinese

A roster or access-events file may name a zone by its id, its display name or its
Chinese name; the plant file gives the Chinese one when `name` is in English.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_zh", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_column("name_zh")
