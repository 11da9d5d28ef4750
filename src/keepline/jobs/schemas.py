"""Jobs as the API shows them, and the body that starts one."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from keepline.apikit import UtcDatetime


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=32, description="assessment, replan or roster_import")
    params: dict[str, Any] = Field(
        default_factory=dict, description="The kind's parameters (its defaults when empty)."
    )


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    params: dict[str, Any]
    state: str
    progress: float
    progress_message: str
    created_by: str
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None
    result: dict[str, Any] | None
    error: str | None
