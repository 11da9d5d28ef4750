"""emergency plans: versions, activations, actions, tasks, outbox

Frozen plan versions per enterprise, the plan's level, activations (one open per cause:
a unique key that is NULL once closed), the actions they ran and the tasks they set, the
outbox with its webhook, the city's risk status; the daily report counts open
activations and overdue tasks.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:08:56.529365
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_city_status",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("risk_level", sa.String(length=10), nullable=True),
        sa.Column("control_area", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.String(length=254), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_city_status_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_city_status")),
    )
    with op.batch_alter_table("plan_city_status", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_city_status_enterprise_day", ["enterprise_id", "day"], unique=False
        )

    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_by", sa.String(length=254), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_versions_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint(
            "enterprise_id", "plan_id", "version", name=op.f("uq_plan_versions_enterprise_id")
        ),
    )
    op.create_table(
        "plan_webhooks",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("set_by", sa.String(length=254), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_webhooks_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_plan_webhooks")),
    )
    op.create_table(
        "plan_activations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("cause_key", sa.String(length=400), nullable=False),
        sa.Column("open_key", sa.String(length=470), nullable=True),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("carried", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("opened_by", sa.String(length=254), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=254), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_activations_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_activations_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_activations")),
        sa.UniqueConstraint(
            "enterprise_id", "open_key", name=op.f("uq_plan_activations_enterprise_id")
        ),
    )
    with op.batch_alter_table("plan_activations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_activations_enterprise_state", ["enterprise_id", "state"], unique=False
        )

    op.create_table(
        "plan_action_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("activation_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("result", sa.String(length=1000), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("run_by", sa.String(length=254), nullable=True),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["plan_activations.id"],
            name=op.f("fk_plan_action_runs_activation_id_plan_activations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_action_runs_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action_runs")),
        sa.UniqueConstraint("activation_id", "n", name=op.f("uq_plan_action_runs_activation_id")),
    )
    op.create_table(
        "plan_levels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=False),
        sa.Column("activation_id", sa.Integer(), nullable=True),
        sa.Column("set_by", sa.String(length=254), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["plan_activations.id"],
            name=op.f("fk_plan_levels_activation_id_plan_activations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_levels_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_levels")),
    )
    with op.batch_alter_table("plan_levels", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_levels_enterprise_plan", ["enterprise_id", "plan_id"], unique=False
        )

    op.create_table(
        "plan_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("activation_id", sa.Integer(), nullable=True),
        sa.Column("to_roles", sa.JSON(), nullable=False),
        sa.Column("liaison_officer", sa.Boolean(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["plan_activations.id"],
            name=op.f("fk_plan_outbox_activation_id_plan_activations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_outbox_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_outbox")),
    )
    with op.batch_alter_table("plan_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_outbox_enterprise_sent", ["enterprise_id", "sent_at"], unique=False
        )

    op.create_table(
        "plan_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("activation_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by", sa.String(length=254), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["plan_activations.id"],
            name=op.f("fk_plan_tasks_activation_id_plan_activations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_plan_tasks_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_tasks")),
    )
    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_tasks_enterprise_role", ["enterprise_id", "role", "done_at"], unique=False
        )

    with op.batch_alter_table("gov_daily_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open_activations", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("overdue_tasks", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("gov_daily_reports", schema=None) as batch_op:
        batch_op.drop_column("overdue_tasks")
        batch_op.drop_column("open_activations")

    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_tasks_enterprise_role")

    op.drop_table("plan_tasks")
    with op.batch_alter_table("plan_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_outbox_enterprise_sent")

    op.drop_table("plan_outbox")
    with op.batch_alter_table("plan_levels", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_levels_enterprise_plan")

    op.drop_table("plan_levels")
    op.drop_table("plan_action_runs")
    with op.batch_alter_table("plan_activations", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_activations_enterprise_state")

    op.drop_table("plan_activations")
    op.drop_table("plan_webhooks")
    op.drop_table("plan_versions")
    with op.batch_alter_table("plan_city_status", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_city_status_enterprise_day")

    op.drop_table("plan_city_status")
