"""Who may call containment. Cases, contacts, isolations, quarantines and access events
are health data: health officers and admins only; so is changing a zone's state. Zone
states and the workforce available are for every role of the enterprise."""

from __future__ import annotations

from keepline.apikit.auth import HealthStaff, Member

CaseKeeper = HealthStaff
"""Cases, contacts, isolations and quarantines, access events."""
ZoneKeeper = HealthStaff
"""Changes a zone's state."""
ZoneReader = Member
"""Zone states and history, the workforce available."""
