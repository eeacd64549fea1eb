"""The console function: one resolver including every console router, and its entry point."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from sigap.console.api import admin, alerts, incidents, mentions, now, sign_in, statements
from sigap.console.api.wiring import adapters, language_of, problem_page
from sigap.console.api_client import ApiUnavailableError
from sigap.console.settings import ConsoleSettings
from sigap.platform.http.resolver import new_resolver, serve
from sigap.platform.observability import logger

app = new_resolver()
ROUTERS = tuple(routes.router for routes in (sign_in, now, alerts, incidents, statements, mentions, admin))
for included in ROUTERS:
    app.include_router(included)


@app.exception_handler(ApiUnavailableError)
def _api_unavailable(exc: ApiUnavailableError) -> Response[str]:
    # The page could not be made: the API did not answer in time. The person is told to retry, not shown a 500.
    logger.warning("the API did not answer a console page", extra={"error": str(exc)})
    language = language_of(app.current_event)
    answer = problem_page(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", language, None, detail=str(exc))
    answer.headers["Retry-After"] = "5"
    return answer


def handle(event: dict[str, Any], context: Any, settings: ConsoleSettings) -> dict[str, Any]:
    return serve(
        app,
        event,
        context,
        tenants=adapters(settings).tenants,
        max_body_bytes=settings.max_body_bytes,
        settings=settings,
    )
