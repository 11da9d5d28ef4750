"""Who may call the emergency plans. Every role of the enterprise sees the plans, the
activations and the tasks (an activation names zones and materials, no person); admins
load plan versions and set the outbox's webhook; the roles that act on the record
(admin, health officer, planner, storekeeper) evaluate, confirm or refuse actions, stand
activations down and mark their own tasks done; admins and health officers enter the
city's risk status."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keepline.apikit.auth import Admin, HealthStaff, Member, authorize
from keepline.scope import EnterpriseScope, Role

PlanReader = Member
"""Plan versions, activations, tasks, the city's status."""
PlanAdmin = Admin
"""Loads plan versions; sets the webhook."""
Responder = Annotated[
    EnterpriseScope,
    Depends(authorize(Role.admin, Role.health_officer, Role.planner, Role.storekeeper)),
]
"""Evaluates; confirms, refuses, stands down; marks tasks done (their own role's)."""
CityKeeper = HealthStaff
"""Enters the city's risk level and control area."""
