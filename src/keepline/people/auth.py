"""Who may call the roster routes: every role reads it; admins and health officers change it."""

from __future__ import annotations

from keepline.apikit.auth import HealthStaff, Member

RosterReader = Member
RosterEditor = HealthStaff
