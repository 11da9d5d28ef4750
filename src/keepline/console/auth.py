"""Who may open which console page: the same role rules as the API's routes, built from
``apikit.auth`` (the console signs in with the API's session cookie, so a page's scope is
made exactly as an API call's is)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keepline.apikit.auth import Admin, HealthOfficer, HealthStaff, Member, Officer, authorize
from keepline.jobs.kinds import KINDS
from keepline.scope import EnterpriseScope, Role

PageReader = Member
"""Today, the roster, zone states, screening rounds, materials, orders: every role."""
HealthPage = HealthStaff
"""Cases, declarations, personal-link badges, the roster's import: admins and health officers."""
Clearer = HealthOfficer
"""Clearing a worker held by their declaration: health officers only (as the API)."""
GovPage = Officer
"""The government's pages: a jurisdiction's officer (an enterprise's account is 403)."""
DIFFICULTY_SUBMITTER_ROLES = (Role.admin, Role.planner)
RECTIFICATION_ANSWERER_ROLES = (Role.admin, Role.planner, Role.health_officer)
DifficultySubmitter = Annotated[EnterpriseScope, Depends(authorize(*DIFFICULTY_SUBMITTER_ROLES))]
"""Submitting, confirming or reopening a difficulty: admins and planners (as the API)."""
RectificationAnswerer = Annotated[
    EnterpriseScope, Depends(authorize(*RECTIFICATION_ANSWERER_ROLES))
]
"""Answering a rectification task: admins, planners and health officers (as the API)."""

# The emergency plans' pages: the roles of ``plans.auth`` (an edge the console may not
# import), kept equal by tests/console/test_plans_pages.py.
PLAN_RESPONDER_ROLES = (Role.admin, Role.health_officer, Role.planner, Role.storekeeper)
PlanAdmin = Admin
"""Loads plan versions: admins."""
PlanResponder = Annotated[EnterpriseScope, Depends(authorize(*PLAN_RESPONDER_ROLES))]
"""Confirms or refuses actions, stands activations down, marks tasks done."""

# Background jobs: who may start each kind is ``jobs.kinds`` (one rule for the API's
# ``POST /jobs`` and these pages).
AssessmentRunner = Annotated[EnterpriseScope, Depends(authorize(*KINDS["assessment"].roles))]
"""Runs an assessment from its page: planners and admins (as ``POST /jobs``)."""
Replanner = Annotated[EnterpriseScope, Depends(authorize(*KINDS["replan"].roles))]
"""Re-plans production from today: planners and admins (as ``POST /plans``)."""
DrillRunner = Annotated[EnterpriseScope, Depends(authorize(*KINDS["drill"].roles))]
"""Runs an emergency-plan drill from the drills page: planners and admins (as ``POST /jobs``)."""
# Materials, logistics and production: the roles of ``materials.auth``, ``logistics.auth``
# and ``production.auth`` (edges the console may not import), kept equal by
# tests/console/test_ops_pages.py.
STOCK_RECORDER_ROLES = (Role.admin, Role.storekeeper)
LOGISTICS_EDITOR_ROLES = (Role.admin, Role.storekeeper, Role.planner)
OUTPUT_RECORDER_ROLES = (Role.admin, Role.planner)
StockRecorder = Annotated[EnterpriseScope, Depends(authorize(*STOCK_RECORDER_ROLES))]
"""Records a stock movement: admins and storekeepers."""
LogisticsEditor = Annotated[EnterpriseScope, Depends(authorize(*LOGISTICS_EDITOR_ROLES))]
"""Moves shipments on and issues transport passes: admins, storekeepers and planners."""
OutputRecorder = Annotated[EnterpriseScope, Depends(authorize(*OUTPUT_RECORDER_ROLES))]
"""Records a line's output: admins and planners."""
