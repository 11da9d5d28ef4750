"""Emergency plans: triggers on the daily record → actions (issue 18)."""
