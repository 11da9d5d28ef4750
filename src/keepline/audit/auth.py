"""Who may read the audit log: the enterprise's admins."""

from __future__ import annotations

from keepline.apikit.auth import Admin

AuditReader = Admin
