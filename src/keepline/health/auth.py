"""Who may call the health routes: health staff (admins and health officers) record and
read declarations; every role sees who has not declared; only a health officer clears a
flagged worker."""

from __future__ import annotations

from keepline.apikit.auth import HealthOfficer, HealthStaff, Member

DeclarationStaff = HealthStaff
MissingReader = Member
Clearer = HealthOfficer
