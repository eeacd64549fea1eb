"""The accounts API function: one resolver including the people, keys and agency routers, and its entry point."""

from __future__ import annotations

from typing import Any

from sigap.accounts.api import clients, keys, people
from sigap.accounts.api.wiring import adapters
from sigap.accounts.settings import AccountsSettings
from sigap.platform.http.resolver import new_resolver, serve

app = new_resolver()
ROUTERS = tuple(routes.router for routes in (people, keys, clients))
for included in ROUTERS:
    app.include_router(included)


def handle(event: dict[str, Any], context: Any, settings: AccountsSettings) -> dict[str, Any]:
    return serve(
        app,
        event,
        context,
        tenants=adapters(settings).tenants,
        max_body_bytes=settings.max_body_bytes,
        settings=settings,
    )
