"""Detection: per-tenant evaluation of the minute aggregates against a seasonal baseline, alerts with their
evidence and lifecycle, the schedule, and the alerts API.
"""
