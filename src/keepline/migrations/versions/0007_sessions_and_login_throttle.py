"""Sessions and login throttle: failed-login counters; e-mail unique within its home.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

``login_throttle`` counts failed logins per e-mail address and per client address (issue
15, item 13). ``users.email`` stops being unique across the database and becomes unique
within the user's enterprise or jurisdiction, so that adding a user answers the same
whether or not another tenant uses the address (item 14).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "subject", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_email"), type_="unique")
        batch_op.create_unique_constraint("uq_users_enterprise_email", ["enterprise_id", "email"])
        batch_op.create_unique_constraint("uq_users_jurisdiction_email", ["jurisdiction", "email"])
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=False)
    # Expired logins are purged at every login: an indexed delete.
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_tokens_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_tokens_expires_at"))
    # Fails if two homes now share an address: that is data the old schema cannot hold.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_email"))
        batch_op.drop_constraint("uq_users_jurisdiction_email", type_="unique")
        batch_op.drop_constraint("uq_users_enterprise_email", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_users_email"), ["email"])
    op.drop_table("login_throttle")
