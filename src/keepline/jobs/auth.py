"""Who may call what in jobs: every role of the enterprise reads its jobs, but a private
kind's (a roster import's) only the roles that may start it; starting one takes a role
its kind names (``jobs.kinds``: planners and admins for an assessment or a re-plan)."""

from __future__ import annotations

from keepline.apikit.auth import Forbidden, Member
from keepline.errors import NotFound
from keepline.jobs.runner import Kind
from keepline.scope import EnterpriseScope

JobReader = Member
JobStarter = Member
"""Any member reaches ``POST /jobs``; :func:`may_start` then checks the kind's roles."""


def may_start(scope: EnterpriseScope, kind: str, spec: Kind) -> None:
    if scope.role not in spec.roles:
        names = ", ".join(r.value for r in spec.roles)
        raise Forbidden(f"role '{scope.role.value}' may not start a {kind} job (needs {names})")


def may_read(scope: EnterpriseScope, job_id: int, spec: Kind | None) -> None:
    """A private kind's job is, to a role that may not start it, as if it did not exist
    (404, as another enterprise's)."""
    if spec is not None and not spec.read_by(scope.role):
        raise NotFound(f"no job {job_id}", field="job_id")
