"""screening and containment

Screening rounds, samples and pools, sample members, imported lab files and Ct
measurements; cases, isolations and quarantines, access events, zone states.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:30:32.842345
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=254), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_screening_imports_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_imports")),
        sa.UniqueConstraint(
            "enterprise_id", "sha256", name=op.f("uq_screening_imports_enterprise_id")
        ),
    )
    op.create_table(
        "screening_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("test_type", sa.String(length=10), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("shifts", sa.JSON(), nullable=False),
        sa.Column("assay", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_screening_rounds_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_rounds")),
    )
    with op.batch_alter_table("screening_rounds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_screening_rounds_enterprise_day", ["enterprise_id", "day"], unique=False
        )

    op.create_table(
        "zone_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("previous", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("closed_loop", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_zone_states_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_states")),
    )
    with op.batch_alter_table("zone_states", schema=None) as batch_op:
        batch_op.create_index(
            "ix_zone_states_enterprise_zone", ["enterprise_id", "zone_id"], unique=False
        )

    op.create_table(
        "access_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("t_in", sa.BigInteger(), nullable=False),
        sa.Column("t_out", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "employee_no"],
            ["workers.enterprise_id", "workers.employee_no"],
            name=op.f("fk_access_events_enterprise_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_events")),
        sa.UniqueConstraint(
            "enterprise_id",
            "employee_no",
            "zone_id",
            "t_in",
            name=op.f("uq_access_events_enterprise_id"),
        ),
    )
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_events_zone_time", ["enterprise_id", "zone_id", "t_in"], unique=False
        )

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("sample_day", sa.Date(), nullable=True),
        sa.Column("onset_day", sa.Date(), nullable=True),
        sa.Column("infectious_from", sa.Date(), nullable=False),
        sa.Column("infectious_to", sa.Date(), nullable=False),
        sa.Column("sample_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "employee_no"],
            ["workers.enterprise_id", "workers.employee_no"],
            name=op.f("fk_cases_enterprise_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_enterprise_worker", ["enterprise_id", "employee_no"], unique=False
        )

    op.create_table(
        "screening_samples",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("collection_point", sa.String(length=64), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verdict", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("cts", sa.JSON(), nullable=True),
        sa.Column("resulted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_screening_samples_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["screening_imports.id"],
            name=op.f("fk_screening_samples_import_id_screening_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["screening_rounds.id"],
            name=op.f("fk_screening_samples_round_id_screening_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "id", name=op.f("pk_screening_samples")),
    )
    with op.batch_alter_table("screening_samples", schema=None) as batch_op:
        batch_op.create_index(
            "ix_screening_samples_round", ["enterprise_id", "round_id"], unique=False
        )

    op.create_table(
        "restrictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=True),
        sa.Column("end_rule", sa.String(length=30), nullable=False),
        sa.Column("negative_tests", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("sample_id", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=254), nullable=True),
        sa.Column("end_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_restrictions_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "employee_no"],
            ["workers.enterprise_id", "workers.employee_no"],
            name=op.f("fk_restrictions_enterprise_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restrictions")),
    )
    with op.batch_alter_table("restrictions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_restrictions_enterprise_worker", ["enterprise_id", "employee_no"], unique=False
        )

    op.create_table(
        "screening_measurements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("sample_id", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("ct", sa.Float(), nullable=True),
        sa.Column("well", sa.String(length=80), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "sample_id"],
            ["screening_samples.enterprise_id", "screening_samples.id"],
            name=op.f("fk_screening_measurements_enterprise_id_screening_samples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["screening_imports.id"],
            name=op.f("fk_screening_measurements_import_id_screening_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_measurements")),
        sa.UniqueConstraint(
            "enterprise_id",
            "sample_id",
            "target",
            name=op.f("uq_screening_measurements_enterprise_id"),
        ),
    )
    op.create_table(
        "screening_sample_members",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("sample_id", sa.String(length=40), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("absent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "employee_no"],
            ["workers.enterprise_id", "workers.employee_no"],
            name=op.f("fk_screening_sample_members_enterprise_id_workers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id", "sample_id"],
            ["screening_samples.enterprise_id", "screening_samples.id"],
            name=op.f("fk_screening_sample_members_enterprise_id_screening_samples"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "enterprise_id", "sample_id", "employee_no", name=op.f("pk_screening_sample_members")
        ),
    )
    with op.batch_alter_table("screening_sample_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_screening_members_worker", ["enterprise_id", "employee_no"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("screening_sample_members", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_members_worker")

    op.drop_table("screening_sample_members")
    op.drop_table("screening_measurements")
    with op.batch_alter_table("restrictions", schema=None) as batch_op:
        batch_op.drop_index("ix_restrictions_enterprise_worker")

    op.drop_table("restrictions")
    with op.batch_alter_table("screening_samples", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_samples_round")

    op.drop_table("screening_samples")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_enterprise_worker")

    op.drop_table("cases")
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.drop_index("ix_access_events_zone_time")

    op.drop_table("access_events")
    with op.batch_alter_table("zone_states", schema=None) as batch_op:
        batch_op.drop_index("ix_zone_states_enterprise_zone")

    op.drop_table("zone_states")
    with op.batch_alter_table("screening_rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_rounds_enterprise_day")

    op.drop_table("screening_rounds")
    op.drop_table("screening_imports")
