"""Who may call what on the government side, declared once.

Officers (any government user) read and manage the registry, the dashboard, the daily
reports and the resumption applications of their jurisdiction and those under it. An
enterprise's admin submits its daily report and resumption applications; every user
of the enterprise reads them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keepline.apikit.auth import Admin, Member, Officer, authorize
from keepline.scope import EnterpriseScope, Role

GovReader = Officer
GovEditor = Officer
ReportReader = Member
ReportSubmitter = Annotated[EnterpriseScope, Depends(authorize(Role.admin, Role.planner))]
Applicant = Admin
ApplicationReader = Member

# --- visits ---
VisitReader = Officer
VisitEditor = Officer
RectificationReader = Member
# Whoever answers for the enterprise: its admin, planner or health officer.
RectificationAnswerer = Annotated[
    EnterpriseScope, Depends(authorize(Role.admin, Role.planner, Role.health_officer))
]
