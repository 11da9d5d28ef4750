"""Who may call the accounts routes: any logged-in account (its own login), the
enterprise's admins (its users)."""

from __future__ import annotations

from keepline.apikit.auth import Admin, CurrentCaller

LoggedIn = CurrentCaller
"""Any valid login, an enterprise's or a jurisdiction's."""
UserAdmin = Admin
"""Lists, adds and changes the enterprise's users."""
