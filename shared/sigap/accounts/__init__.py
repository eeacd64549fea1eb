"""Accounts: the people of a tenant and their roles, its machine keys, and an agency's clients (create, list,
suspend, resume, delete, quotas) with a roll-up of how each is doing."""
