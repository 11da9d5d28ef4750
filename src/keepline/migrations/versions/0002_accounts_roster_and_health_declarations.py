"""accounts, roster and health declarations

Users and login tokens; the roster of workers; daily declarations and clearances;
the audit log may now belong to a jurisdiction instead of an enterprise.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:23:10.041250
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=True),
        sa.Column("jurisdiction", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(enterprise_id IS NULL) <> (jurisdiction IS NULL)", name=op.f("ck_users_one_home")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_users_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_jurisdiction"), ["jurisdiction"], unique=False)

    op.create_table(
        "workers",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("shift_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("housing", sa.String(length=64), nullable=False),
        sa.Column("employment_status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_workers_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "employee_no", name=op.f("pk_workers")),
    )
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workers_enterprise_team", ["enterprise_id", "team_id"], unique=False
        )

    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auth_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_tokens_token_hash")),
    )
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "clearances",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("flagged_on", sa.Date(), nullable=True),
        sa.Column("cleared_by", sa.String(length=254), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "employee_no"],
            ["workers.enterprise_id", "workers.employee_no"],
            name=op.f("fk_clearances_enterprise_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "employee_no", name=op.f("pk_clearances")),
    )
    op.create_table(
        "declarations",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=False),
        sa.Column("symptoms", sa.JSON(), nullable=False),
        sa.Column("health_code", sa.String(length=10), nullable=False),
        sa.Column("risk_travel", sa.Boolean(), nullable=False),
        sa.Column("close_contact", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "employee_no"],
            ["workers.enterprise_id", "workers.employee_no"],
            name=op.f("fk_declarations_enterprise_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "enterprise_id", "employee_no", "day", name=op.f("pk_declarations")
        ),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_declarations_enterprise_day", ["enterprise_id", "day"], unique=False
        )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=64), nullable=True))
        batch_op.alter_column("enterprise_id", existing_type=sa.VARCHAR(length=64), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("enterprise_id", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.drop_column("jurisdiction")

    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_declarations_enterprise_day")

    op.drop_table("declarations")
    op.drop_table("clearances")
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_tokens_user_id"))

    op.drop_table("auth_tokens")
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_index("ix_workers_enterprise_team")

    op.drop_table("workers")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_jurisdiction"))
        batch_op.drop_index(batch_op.f("ix_users_enterprise_id"))

    op.drop_table("users")
