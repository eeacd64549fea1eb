"""Incidents' pure logic."""
