"""Statements' pure logic."""
