"""Outbound channels' pure logic: models, message rendering, retry schedule, SSRF checks."""
