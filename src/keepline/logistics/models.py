"""Supplier and region status, lanes' current transit days, shipments in and out, and
transport passes. Ids of plant-model nodes are checked when written (no foreign keys,
so a plant reload never fails on the daily record)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, enterprise_fk


class NodeState(StrEnum):
    normal = "normal"
    restricted = "restricted"
    locked_down = "locked-down"


class StatusKind(StrEnum):
    supplier = "supplier"
    region = "region"


class ShipmentStatus(StrEnum):
    planned = "planned"
    dispatched = "dispatched"
    held = "held"  # held at a checkpoint
    delivered = "delivered"


OPEN = (ShipmentStatus.planned, ShipmentStatus.dispatched, ShipmentStatus.held)


class NodeStatus(Base):
    """A supplier's or a region's state over dates (``end`` empty: until further notice).

    The state on a day is the most recently recorded entry covering it; none means normal.
    """

    __tablename__ = "node_statuses"
    __table_args__ = (
        Index("ix_node_statuses_enterprise_node", "enterprise_id", "kind", "node_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    kind: Mapped[str] = mapped_column(String(20))
    node_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LaneTransit(Base):
    """A lane's transit days over dates; none covering a day means the plant file's."""

    __tablename__ = "lane_transits"
    __table_args__ = (Index("ix_lane_transits_enterprise_lane", "enterprise_id", "lane_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = enterprise_fk()
    lane_id: Mapped[str] = mapped_column(String(64))
    transit_days: Mapped[int] = mapped_column(Integer)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PurchaseShipment(Base):
    """Material on its way in from a supplier."""

    __tablename__ = "purchase_shipments"

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    material_id: Mapped[str] = mapped_column(String(64))
    supplier_id: Mapped[str] = mapped_column(String(64))
    qty: Mapped[float] = mapped_column(Float)
    ordered_on: Mapped[dt.date] = mapped_column(Date)
    eta: Mapped[dt.date] = mapped_column(Date)
    dispatched_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    delivered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    checkpoint: Mapped[str | None] = mapped_column(String(200), nullable=True)
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CustomerShipment(Base):
    """Finished goods going out against a customer's order."""

    __tablename__ = "customer_shipments"
    __table_args__ = (Index("ix_customer_shipments_enterprise_order", "enterprise_id", "order_id"),)

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    qty: Mapped[float] = mapped_column(Float)
    planned_on: Mapped[dt.date] = mapped_column(Date)
    dispatched_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    delivered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    checkpoint: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TransportPass(Base):
    """A pass that lets a vehicle through checkpoints between two dates (inclusive)."""

    __tablename__ = "transport_passes"

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vehicle: Mapped[str] = mapped_column(String(20))
    driver: Mapped[str] = mapped_column(String(100), default="")
    issued_by: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    shipment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
