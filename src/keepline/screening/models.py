"""Tables of screening: rounds, samples (a tube: one person's swab or a pool), the
people in each sample, the Ct values read from lab files, and the files imported."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, child_of, enterprise_fk


class TestType(StrEnum):
    pcr = "pcr"
    antigen = "antigen"


class SampleKind(StrEnum):
    pool = "pool"  # several people's swabs in one tube
    single = "single"  # one person's swab
    retest = "retest"  # one person again, after a positive pool or a one-target result
    resample = "resample"  # the same people again, after an invalid internal control


class Round(Base):
    __tablename__ = "screening_rounds"
    __table_args__ = (Index("ix_screening_rounds_enterprise_day", "enterprise_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    day: Mapped[dt.date] = mapped_column(Date)
    test_type: Mapped[str] = mapped_column(String(10))
    pool_size: Mapped[int] = mapped_column(Integer)
    zones: Mapped[list[str]] = mapped_column(JSON)
    shifts: Mapped[list[str]] = mapped_column(JSON)
    assay: Mapped[dict[str, Any]] = mapped_column(JSON)  # the kit's AssayRule, as planned
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Sample(Base):
    """A tube with its id (the barcode the lab reports), its result when it has one."""

    __tablename__ = "screening_samples"
    __table_args__ = (Index("ix_screening_samples_round", "enterprise_id", "round_id"),)

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    round_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("screening_rounds.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    collection_point: Mapped[str] = mapped_column(String(64))
    collected_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    verdict: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cts: Mapped[dict[str, float | None] | None] = mapped_column(JSON, nullable=True)
    resulted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    import_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("screening_imports.id", ondelete="SET NULL"), nullable=True
    )


class SampleMember(Base):
    """One person in one sample. ``absent`` when they were not swabbed at collection."""

    __tablename__ = "screening_sample_members"
    __table_args__ = (
        child_of("screening_samples", "sample_id"),
        child_of("workers", "employee_no", "employee_no"),
        Index("ix_screening_members_worker", "enterprise_id", "employee_no"),
    )

    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sample_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    absent: Mapped[bool] = mapped_column(Boolean, default=False)


class ResultsImport(Base):
    """A lab file imported; its SHA-256 makes a second import of the same file a no-op."""

    __tablename__ = "screening_imports"
    __table_args__ = (UniqueConstraint("enterprise_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(10))  # table, rdml
    samples: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(254))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Measurement(Base):
    """One target's Ct in one sample, as the lab file gave it (None: not detected)."""

    __tablename__ = "screening_measurements"
    __table_args__ = (
        child_of("screening_samples", "sample_id"),
        UniqueConstraint("enterprise_id", "sample_id", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(String(64))
    sample_id: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(40))
    ct: Mapped[float | None] = mapped_column(Float, nullable=True)
    well: Mapped[str] = mapped_column(String(80))  # "row 7" or "run 'x' well A1"
    import_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("screening_imports.id", ondelete="CASCADE")
    )
