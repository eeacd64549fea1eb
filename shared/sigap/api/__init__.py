"""Sigap's HTTP API: Powertools resolvers for API Gateway HTTP APIs, one per function, one OpenAPI document."""
