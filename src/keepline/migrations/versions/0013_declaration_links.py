"""declaration links: each worker's personal declaration link (its generation in force)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declaration_links",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(length=254), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "employee_no"],
            ["workers.enterprise_id", "workers.employee_no"],
            name=op.f("fk_declaration_links_enterprise_id_workers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_declaration_links_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "employee_no", name=op.f("pk_declaration_links")),
    )


def downgrade() -> None:
    op.drop_table("declaration_links")
