"""What both HTTP functions share: the resolver setup, error mapping and the caller's tenant."""

from __future__ import annotations

from contextvars import ContextVar
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from sigap.api.errors import ErrorResponse, error_response, validation_problems
from sigap.api.gateway import TenantLookup, current_tenant, guarded
from sigap.errors import InvalidCursorError, QueueError, StorageError
from sigap.models import Tenant
from sigap.observability import logger

S = TypeVar("S")

ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    status: {"description": text, "content": {"application/json": {"model": ErrorResponse}}}
    for status, text in (
        (400, "Malformed request"),
        (401, "Missing or wrong API key"),
        (403, "The API key belongs to another tenant"),
        (409, "A request with the same Idempotency-Key is in progress"),
        (413, "Body too large"),
        (422, "A field is missing or invalid; `fields` names each one"),
        (503, "Storage or queue unavailable; retry"),
    )
}


def responses(status: int, description: str, model: type[BaseModel]) -> dict[int, OpenAPIResponse]:
    """A route's success response and every error response, for the OpenAPI document."""
    success: OpenAPIResponse = {"description": description, "content": {"application/json": {"model": model}}}
    return {status: success} | ERROR_RESPONSES


def serve(  # noqa: UP047 - Sigap supports Python 3.11, which has no type-parameter syntax
    app: APIGatewayHttpResolver,
    event: dict[str, Any],
    context: Any,
    *,
    tenants: TenantLookup,
    max_body_bytes: int,
    settings_slot: ContextVar[S],
    settings: S,
) -> dict[str, Any]:
    """Answers one request: the function's settings visible to its routes, size and key checked first."""
    token = settings_slot.set(settings)
    try:
        return guarded(app.resolve, event, context, tenants=tenants, max_body_bytes=max_body_bytes)
    finally:
        settings_slot.reset(token)


def caller() -> Tenant:
    return current_tenant.get()


def new_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[str]:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", "the body is not valid JSON")
        problems = validation_problems(errors)
        summary = "; ".join(f"{p.field}: {p.problem}" for p in problems[:5])
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", summary, problems)

    @app.exception_handler(InvalidCursorError)
    def _bad_cursor(exc: InvalidCursorError) -> Response[str]:
        return error_response(HTTPStatus.BAD_REQUEST, "invalid_cursor", str(exc))

    @app.exception_handler([StorageError, QueueError])
    def _unavailable(exc: Exception) -> Response[str]:
        logger.exception("backing service failed", extra={"error": str(exc)})
        return error_response(
            HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", "storage is unavailable; retry with the same body"
        )

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route; see /v1/openapi.json")

    return app
