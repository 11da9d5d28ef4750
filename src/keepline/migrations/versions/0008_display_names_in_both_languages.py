"""zones.name_zh, teams.name and teams.name_zh: display names in both languages

A roster or access-events file may name a zone (and a roster a team) by its id, its
display name or its Chinese name; the plant file gives them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_zh", sa.String(length=200), nullable=True))
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("name_zh", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("name_zh")
        batch_op.drop_column("name")
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_column("name_zh")
