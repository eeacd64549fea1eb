"""Incidents: opened by a critical alert or by hand, with states, owner, severity, notes and a timeline."""
