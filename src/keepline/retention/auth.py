"""Who may read and change the retention rule and run the purge: the enterprise's admins."""

from __future__ import annotations

from keepline.apikit.auth import Admin

RetentionAdmin = Admin
