"""Who may call screening. Rounds are visible to every role of the enterprise; samples,
results, sampling lists and who was missed are health data, and planning, collecting
and importing act on them: health officers and admins only."""

from __future__ import annotations

from keepline.apikit.auth import HealthStaff, Member

RoundReader = Member
HealthDataReader = HealthStaff
ScreeningStaff = HealthStaff
