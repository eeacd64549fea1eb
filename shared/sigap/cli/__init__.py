"""The `sigap` command."""
