"""Who may call what in materials: every role of the enterprise reads; storekeepers and
admins record stock; health officers and admins set the prevention policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keepline.apikit.auth import Member, authorize
from keepline.scope import EnterpriseScope, Role

StockReader = Member
Storekeeper = Annotated[EnterpriseScope, Depends(authorize(Role.admin, Role.storekeeper))]
PolicyEditor = Annotated[EnterpriseScope, Depends(authorize(Role.admin, Role.health_officer))]
