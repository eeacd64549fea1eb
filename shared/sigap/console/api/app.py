"""The console function: one resolver including every console router, and its entry point."""

from __future__ import annotations

from typing import Any

from sigap.console.api import admin, alerts, incidents, mentions, now, sign_in, statements
from sigap.console.api.wiring import adapters
from sigap.console.settings import ConsoleSettings
from sigap.platform.http.resolver import new_resolver, serve

app = new_resolver()
ROUTERS = tuple(routes.router for routes in (sign_in, now, alerts, incidents, statements, mentions, admin))
for included in ROUTERS:
    app.include_router(included)


def handle(event: dict[str, Any], context: Any, settings: ConsoleSettings) -> dict[str, Any]:
    return serve(
        app,
        event,
        context,
        tenants=adapters(settings).tenants,
        max_body_bytes=settings.max_body_bytes,
        settings=settings,
    )
