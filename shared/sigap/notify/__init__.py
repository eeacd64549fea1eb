"""Notification: routing, grouping, silences, inhibition, escalation and delivery of alerts to a tenant's
channels, with the notifications API.
"""
