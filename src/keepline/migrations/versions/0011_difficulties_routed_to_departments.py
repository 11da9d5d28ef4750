"""difficulties routed to departments: difficulty_rules, difficulties, difficulty_events

Each jurisdiction's routing rules, time limits and command department (from its file);
an enterprise's difficulties with their deadlines and the department holding them; and
their history, escalations included (one per difficulty, limit and deadline).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:08:28.178209
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "difficulty_rules",
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("routes", sa.JSON(), nullable=False),
        sa.Column("accept_minutes", sa.Integer(), nullable=True),
        sa.Column("propose_minutes", sa.Integer(), nullable=True),
        sa.Column("close_minutes", sa.Integer(), nullable=True),
        sa.Column("command_department", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_difficulty_rules_jurisdiction_id_gov_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jurisdiction_id", name=op.f("pk_difficulty_rules")),
    )
    op.create_table(
        "difficulties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("department_jurisdiction", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("solution", sa.String(length=4000), nullable=True),
        sa.Column("submitted_by", sa.String(length=254), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accept_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("propose_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("close_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missed", sa.JSON(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_jurisdiction", "department_id"],
            ["gov_departments.jurisdiction_id", "gov_departments.id"],
            name=op.f("fk_difficulties_department_jurisdiction_gov_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["gov_registrations.enterprise_id"],
            name=op.f("fk_difficulties_enterprise_id_gov_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["gov_jurisdictions.id"],
            name=op.f("fk_difficulties_jurisdiction_id_gov_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_difficulties")),
    )
    with op.batch_alter_table("difficulties", schema=None) as batch_op:
        batch_op.create_index(
            "ix_difficulties_department",
            ["department_jurisdiction", "department_id", "state"],
            unique=False,
        )
        batch_op.create_index(
            "ix_difficulties_enterprise", ["enterprise_id", "submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_difficulties_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "difficulty_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("difficulty_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("department_jurisdiction", sa.String(length=64), nullable=True),
        sa.Column("department_id", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=4000), nullable=False),
        sa.Column("limit_name", sa.String(length=10), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["difficulty_id"],
            ["difficulties.id"],
            name=op.f("fk_difficulty_events_difficulty_id_difficulties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_difficulty_events")),
        sa.UniqueConstraint(
            "difficulty_id",
            "kind",
            "limit_name",
            "due_at",
            name=op.f("uq_difficulty_events_difficulty_id"),
        ),
    )
    with op.batch_alter_table("difficulty_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_difficulty_events_difficulty", ["difficulty_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_difficulty_events_to",
            ["department_jurisdiction", "department_id", "kind"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("difficulty_events", schema=None) as batch_op:
        batch_op.drop_index("ix_difficulty_events_to")
        batch_op.drop_index("ix_difficulty_events_difficulty")

    op.drop_table("difficulty_events")
    with op.batch_alter_table("difficulties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_difficulties_jurisdiction_id"))
        batch_op.drop_index("ix_difficulties_enterprise")
        batch_op.drop_index("ix_difficulties_department")

    op.drop_table("difficulties")
    op.drop_table("difficulty_rules")
