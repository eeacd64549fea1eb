"""Accepting mentions from clients and handing them to scoring."""
