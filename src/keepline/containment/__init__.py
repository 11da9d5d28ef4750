"""Containment: cases, isolation and quarantine, access events, contact tracing, zone
states and the workforce they leave available."""
