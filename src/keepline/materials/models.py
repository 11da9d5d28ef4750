"""The stock ledger and the prevention policy in force.

Stock is never a stored number: it is the sum of movements. The plant file's
``on_hand`` is the opening stock at ``horizon_start``; the first write to a material's
ledger records it as an ``opening`` movement (so a later plant reload cannot rewrite
history), and until then reads use the plant file's figure as the opening.

Material ids are the plant model's slugs, checked when written rather than by foreign
keys, so that reloading a plant file never fails on the ledger (as for the roster).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk


class MovementKind(StrEnum):
    opening = "opening"
    receipt = "receipt"
    issue = "issue"
    count = "count"
    adjustment = "adjustment"


class StockMovement(Base):
    __tablename__ = "stock_movements"
    __table_args__ = (
        Index("ix_stock_movements_enterprise_material_day", "enterprise_id", "material_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    material_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    # Signed change to the stock, in the material's unit. For a count: counted - book.
    qty: Mapped[float] = mapped_column(Float)
    counted_qty: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")
    ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    actor: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PreventionPolicy(Base):
    """What the screening and cleaning policy in force uses, from ``effective_from`` on.

    ``per_pool_materials``: materials used once per pooled tube or reaction (not per
    person sampled). ``per_zone_day``: material id → use per zone per day (disinfectant).
    """

    __tablename__ = "prevention_policies"
    __table_args__ = (
        Index("ix_prevention_policies_enterprise_from", "enterprise_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    effective_from: Mapped[dt.date] = mapped_column(Date)
    rounds_per_week: Mapped[float] = mapped_column(Float)
    pool_size: Mapped[int] = mapped_column(Integer)
    per_pool_materials: Mapped[list[str]] = mapped_column(JSON)
    per_zone_day: Mapped[dict[str, float]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
