"""Who may call what on the difficulties, declared once.

An enterprise's admin or planner submits a difficulty, confirms or reopens it; every user
of the enterprise reads its own. Officers read and handle the difficulties their reach
allows (``service.visible``: their jurisdiction and below, a department's officer their
department's queue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keepline.apikit.auth import Member, Officer, authorize
from keepline.scope import EnterpriseScope, Role

Submitter = Annotated[EnterpriseScope, Depends(authorize(Role.admin, Role.planner))]
Reader = Member
Handler = Officer
GovReader = Officer
