"""Who may call what in logistics: every role of the enterprise reads; admins,
storekeepers and planners record statuses, lanes, shipments and passes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keepline.apikit.auth import Member, authorize
from keepline.scope import EnterpriseScope, Role

LogisticsReader = Member
LogisticsEditor = Annotated[
    EnterpriseScope, Depends(authorize(Role.admin, Role.storekeeper, Role.planner))
]
