"""API shape of an audit entry."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from keepline.apikit import UtcDatetime


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime
    actor: str
    action: str
    table_name: str
    record_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
