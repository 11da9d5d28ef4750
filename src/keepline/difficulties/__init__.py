"""Difficulties (诉求): an enterprise's problems routed to a department of its jurisdiction
and handled against the clock (issue 17, second half)."""
