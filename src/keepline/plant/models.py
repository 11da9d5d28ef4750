"""Tables of the plant model. Every row belongs to an enterprise (the tenant).

Keys are natural: ``(enterprise_id, id)`` with the plant file's slugs, so a reload can
compare row by row and change only what changed. ``position`` keeps the file's order,
so an export writes the file back as it was.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, child_of

ID = String(64)


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))
    sector: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(ID, index=True)
    horizon_start: Mapped[dt.date] = mapped_column(Date)
    format_version: Mapped[int] = mapped_column(Integer, default=1)


def _tenant() -> Mapped[str]:
    return mapped_column(ID, ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True)


class Zone(Base):
    __tablename__ = "zones"
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    capacity_people: Mapped[int] = mapped_column(Integer)


class Shift(Base):
    __tablename__ = "shifts"
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (
        ForeignKeyConstraint(["enterprise_id", "zone_id"], ["zones.enterprise_id", "zones.id"]),
        ForeignKeyConstraint(["enterprise_id", "shift_id"], ["shifts.enterprise_id", "shifts.id"]),
    )
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    zone_id: Mapped[str] = mapped_column(ID)
    shift_id: Mapped[str] = mapped_column(ID)
    headcount: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON)
    housing: Mapped[str] = mapped_column(ID)  # a dormitory zone id, or 'commuter'
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name_zh: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Line(Base):
    __tablename__ = "lines"
    __table_args__ = (
        ForeignKeyConstraint(["enterprise_id", "zone_id"], ["zones.enterprise_id", "zones.id"]),
    )
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    zone_id: Mapped[str] = mapped_column(ID)
    shifts: Mapped[list[str]] = mapped_column(JSON)


class LineCrew(Base):
    __tablename__ = "line_crew"
    __table_args__ = (
        ForeignKeyConstraint(
            ["enterprise_id", "line_id"], ["lines.enterprise_id", "lines.id"], ondelete="CASCADE"
        ),
    )
    enterprise_id: Mapped[str] = _tenant()
    line_id: Mapped[str] = mapped_column(ID, primary_key=True)
    skill: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    people_per_shift: Mapped[int] = mapped_column(Integer)


class Product(Base):
    __tablename__ = "products"
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


class LineRate(Base):
    __tablename__ = "line_rates"
    __table_args__ = (
        ForeignKeyConstraint(
            ["enterprise_id", "line_id"], ["lines.enterprise_id", "lines.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["enterprise_id", "product_id"], ["products.enterprise_id", "products.id"]
        ),
    )
    enterprise_id: Mapped[str] = _tenant()
    line_id: Mapped[str] = mapped_column(ID, primary_key=True)
    product_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    units_per_day: Mapped[float] = mapped_column(Float)


class Material(Base):
    __tablename__ = "materials"
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(20))
    on_hand: Mapped[float] = mapped_column(Float)
    safety_stock: Mapped[float] = mapped_column(Float)
    consumption_per_worker_day: Mapped[float] = mapped_column(Float)
    consumption_per_test: Mapped[float] = mapped_column(Float)


class BomItem(Base):
    __tablename__ = "bom_items"
    __table_args__ = (
        child_of("products", "product_id"),
        ForeignKeyConstraint(
            ["enterprise_id", "material_id"], ["materials.enterprise_id", "materials.id"]
        ),
    )
    enterprise_id: Mapped[str] = _tenant()
    product_id: Mapped[str] = mapped_column(ID, primary_key=True)
    material_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    qty_per_unit: Mapped[float] = mapped_column(Float)


class Supplier(Base):
    __tablename__ = "suppliers"
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))


class SupplyOption(Base):
    __tablename__ = "supply_options"
    __table_args__ = (
        child_of("materials", "material_id"),
        ForeignKeyConstraint(
            ["enterprise_id", "supplier_id"], ["suppliers.enterprise_id", "suppliers.id"]
        ),
    )
    enterprise_id: Mapped[str] = _tenant()
    material_id: Mapped[str] = mapped_column(ID, primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    lead_time_days: Mapped[int] = mapped_column(Integer)
    capacity_per_day: Mapped[float] = mapped_column(Float)
    unit_cost: Mapped[float] = mapped_column(Float)
    min_order: Mapped[float] = mapped_column(Float)
    activation_days: Mapped[int] = mapped_column(Integer)
    activation_cost: Mapped[float] = mapped_column(Float)


class Lane(Base):
    __tablename__ = "lanes"
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    from_region: Mapped[str] = mapped_column(String(6))
    transit_days: Mapped[int] = mapped_column(Integer)


class RecoveryTime(Base):
    """Time to recover: ``node_id`` '' is the default for ``kind``."""

    __tablename__ = "recovery_times"
    enterprise_id: Mapped[str] = _tenant()
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    node_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        ForeignKeyConstraint(
            ["enterprise_id", "product_id"], ["products.enterprise_id", "products.id"]
        ),
    )
    enterprise_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    customer: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[str] = mapped_column(ID)
    qty: Mapped[float] = mapped_column(Float)
    due: Mapped[dt.date] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(20))
    penalty_per_unit_day: Mapped[float] = mapped_column(Float)


# Parents before children: inserts go in this order, deletes in reverse.
TABLES: list[type[Base]] = [
    Zone,
    Shift,
    Team,
    Product,
    Line,
    LineCrew,
    LineRate,
    Material,
    BomItem,
    Supplier,
    SupplyOption,
    Lane,
    RecoveryTime,
    Order,
]


def primary_key_names(model: type[Base]) -> list[str]:
    return [c.key for c in model.__table__.primary_key.columns]  # type: ignore[attr-defined]
