"""Who may call what in jobs: every role of the enterprise reads its jobs; starting one
takes a role its kind names (``jobs.kinds``: planners and admins for an assessment or a
re-plan)."""

from __future__ import annotations

from keepline.apikit.auth import Forbidden, Member
from keepline.jobs.runner import Kind
from keepline.scope import EnterpriseScope

JobReader = Member
JobStarter = Member
"""Any member reaches ``POST /jobs``; :func:`may_start` then checks the kind's roles."""


def may_start(scope: EnterpriseScope, kind: str, spec: Kind) -> None:
    if scope.role not in spec.roles:
        names = ", ".join(r.value for r in spec.roles)
        raise Forbidden(f"role '{scope.role.value}' may not start a {kind} job (needs {names})")
