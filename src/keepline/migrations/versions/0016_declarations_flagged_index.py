"""declarations: an index for the emergency plans' reads after a declaration

declarations (enterprise_id, day, flagged, declared_at): the plans' count of a day's
declarations made by a time of day (``missing_declarations_share``) reads the index
alone, and a day's flagged declarations (``fever_in_zone``) are found by seeking it,
instead of reading every declaration of the day from the table after each declaration.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_declarations_enterprise_day_flagged_at",
            ["enterprise_id", "day", "flagged", "declared_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_declarations_enterprise_day_flagged_at")
