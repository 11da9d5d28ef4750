"""Containment: cases, isolation and quarantine, access events, contact tracing, zone
states and the workforce they leave available.

Engines (pure): ``tracing`` (interval overlaps), ``availability`` (→ ``Workforce``),
``access_files`` (access-control exports → stays). Services, each ``(session, scope,
...)``: ``restrictions``, ``cases``, ``access``, ``contacts``, ``zone_states``,
``workforce``, ``queries``. Edges: ``auth`` (who may call what), ``api``, ``cli``."""
