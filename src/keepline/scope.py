"""Who calls a service: one typed scope, made once at the edge and passed to every service.

The API (``apikit.auth``), the CLI (``clikit``) and the console make a scope from the
caller; a service function takes ``(session, scope, ...)`` and reads the tenant, the
actor for the audit log and the role from it alone. An enterprise route's scope always
has its enterprise (never optional); a government route's scope has its jurisdiction.
Roles live here, below every package, so that engines, services and edges share them
without importing the accounts tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"  # the enterprise's administrator
    health_officer = "health_officer"
    planner = "planner"
    storekeeper = "storekeeper"
    viewer = "viewer"
    government_officer = "government_officer"  # belongs to a jurisdiction


ENTERPRISE_ROLES = (Role.admin, Role.health_officer, Role.planner, Role.storekeeper, Role.viewer)
# Who may see personal data (ID number, phone) and health details.
PERSONAL_DATA_ROLES = frozenset({Role.admin, Role.health_officer})
# Who may see a transport pass's driver (a name: personal data, not health data): the
# roles that issue and check passes (logistics' editors), not health officers or viewers.
PASS_DRIVER_ROLES = frozenset({Role.admin, Role.storekeeper, Role.planner})


@dataclass(frozen=True, slots=True)
class EnterpriseScope:
    """A call on one enterprise's data: every query is scoped to ``enterprise_id``.

    ``actor`` is what the audit log records (``user:<email>`` from the API, the CLI's
    ``--actor``). The CLI acts as the enterprise's admin: whoever runs it holds the
    database already.
    """

    enterprise_id: str
    actor: str
    role: Role = Role.admin
    user_id: int | None = None

    @property
    def sees_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES

    @property
    def sees_drivers(self) -> bool:
        """Whether transport passes show their driver's name."""
        return self.role in PASS_DRIVER_ROLES


@dataclass(frozen=True, slots=True)
class JurisdictionScope:
    """A government call: a jurisdiction (and its sub-jurisdictions), never a worker."""

    jurisdiction: str
    actor: str
    role: Role = Role.government_officer
    department: str | None = None
    user_id: int | None = None


Scope = EnterpriseScope | JurisdictionScope
