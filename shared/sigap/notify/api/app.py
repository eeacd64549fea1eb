"""The notifications API function: one resolver that includes each resource's router, the errors particular
to notification as HTTP answers, and the handler's entry point."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from sigap.incidents.domain.actions import (
    IncidentConflictError,
    StoryHasIncidentError,
)
from sigap.notify.api import ack_link, channels, history, policy
from sigap.notify.api.wiring import adapters
from sigap.notify.domain.configuration import (
    InvalidSettingError,
)
from sigap.notify.domain.ports import ConflictError
from sigap.notify.settings import NotificationsApiSettings
from sigap.platform.http.errors import FieldProblem, error_response
from sigap.platform.http.resolver import new_resolver, serve

app = new_resolver()
ROUTERS = tuple(routes.router for routes in (channels, policy, history, ack_link))
for included in ROUTERS:
    app.include_router(included)


@app.exception_handler(InvalidSettingError)
def _invalid_setting(exc: InvalidSettingError) -> Response[str]:
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_setting", str(exc), [FieldProblem(field=exc.field, problem=str(exc))]
    )


@app.exception_handler(StoryHasIncidentError)
def _story_has_incident(exc: StoryHasIncidentError) -> Response[str]:
    return error_response(HTTPStatus.CONFLICT, "incident_exists", str(exc))


@app.exception_handler([IncidentConflictError, ConflictError])
def _conflict(exc: Exception) -> Response[str]:
    return error_response(HTTPStatus.CONFLICT, "conflict", f"{exc}; retry")


def handle(event: dict[str, Any], context: Any, settings: NotificationsApiSettings) -> dict[str, Any]:
    tenants, _, _ = adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=64 * 1024, settings=settings)


__all__ = ["ROUTERS", "app", "handle"]
