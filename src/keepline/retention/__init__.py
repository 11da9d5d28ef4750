"""Retention of health data: how long each kind of record is kept, per enterprise, and
the daily purge that deletes what is older (audited, never what an open case, an open
isolation or quarantine, or a daily report still due needs)."""
