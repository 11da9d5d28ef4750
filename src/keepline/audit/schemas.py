"""API shape of an audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str
    action: str
    table_name: str
    record_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
