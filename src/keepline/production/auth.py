"""Who may call what in production: every role of the enterprise reads; planners and
admins record output and run plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keepline.apikit.auth import Member, authorize
from keepline.scope import EnterpriseScope, Role

ProductionReader = Member
Planner = Annotated[EnterpriseScope, Depends(authorize(Role.admin, Role.planner))]
