"""The console's table: each worker's personal declaration link.

A link is a token signed with the server's key naming the enterprise, the worker and a
generation; the row holds the generation in force. Revoking a worker's link issues a new
generation, so every token printed before stops working."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from keepline.db import Base, child_of, enterprise_fk


class DeclarationLink(Base):
    __tablename__ = "declaration_links"
    __table_args__ = (child_of("workers", "employee_no", "employee_no"),)

    enterprise_id: Mapped[str] = enterprise_fk(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    issued_by: Mapped[str] = mapped_column(String(254))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
