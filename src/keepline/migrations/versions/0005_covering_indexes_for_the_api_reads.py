"""covering indexes for the API reads

workers (enterprise_id, team_id, employment_status) replaces (enterprise_id, team_id):
the roster summary's per-team, per-status counts and the count of active workers read
the index alone. declarations (enterprise_id, day, temperature_c) replaces
(enterprise_id, day): a day's declarations sorted by temperature come in index order.
Each old index is a prefix of its replacement, so nothing loses an index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workers_enterprise_team_status",
            ["enterprise_id", "team_id", "employment_status"],
            unique=False,
        )
        batch_op.drop_index("ix_workers_enterprise_team")

    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_declarations_enterprise_day_temperature",
            ["enterprise_id", "day", "temperature_c"],
            unique=False,
        )
        batch_op.drop_index("ix_declarations_enterprise_day")


def downgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_declarations_enterprise_day", ["enterprise_id", "day"], unique=False
        )
        batch_op.drop_index("ix_declarations_enterprise_day_temperature")

    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workers_enterprise_team", ["enterprise_id", "team_id"], unique=False
        )
        batch_op.drop_index("ix_workers_enterprise_team_status")
