"""Stored mentions and their per-minute aggregates: the mentions table, the aggregates read back, and the reading
API.
"""
