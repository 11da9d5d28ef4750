"""The continuity assessment: outbreak → workforce → plan → what is lost, per policy and
scenario, with a report."""
