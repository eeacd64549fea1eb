"""Ingestion: mentions accepted from clients (each once), queued for scoring."""
