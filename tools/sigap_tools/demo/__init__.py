"""The bundled crisis scenario and its replay through the HTTP API."""
