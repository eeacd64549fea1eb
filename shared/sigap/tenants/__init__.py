"""Tenants: creating a brand with its API key, and the tenants table."""
