"""What both HTTP functions share: the resolver, one exception handler per domain error, and the request's
tenant and settings, carried in Powertools' own resolver context."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError, ResponseValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel

from sigap.kernel.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    InvalidCursorError,
    InvalidWindowError,
    MentionTooLargeError,
    NotFoundError,
    QueueError,
    QuotaExceededError,
    RequestInProgressError,
    StorageError,
    TooManyRecordsError,
    UnprocessableError,
)
from sigap.kernel.identity import Principal
from sigap.kernel.models import Tenant
from sigap.platform.http.callers import TenantLookup
from sigap.platform.http.errors import ERROR_RESPONSES, FieldProblem, error_response, validation_problems
from sigap.platform.http.gateway import as_proxy_result, guarded
from sigap.platform.observability import logger
from sigap.platform.rate_limits import rate_limiter
from sigap.platform.user_tokens import user_tokens


def responses(status: int, description: str, model: type[BaseModel]) -> dict[int, OpenAPIResponse]:
    """The OpenAPI responses of a route that returns a Response itself (JSON or HTML by what the caller
    accepts): its success and every error. A route with a typed return names only its `answer` (api_route)."""
    success: OpenAPIResponse = {"description": description, "content": {"application/json": {"model": model}}}
    return {status: success} | ERROR_RESPONSES


def serve(
    app: APIGatewayHttpResolver,
    event: dict[str, Any],
    context: Any,
    *,
    tenants: TenantLookup,
    max_body_bytes: int,
    settings: object,
    reshape: Callable[[Any], Any] | None = None,
    verify: Callable[[dict[str, Any]], Response[str] | None] | None = None,
) -> dict[str, Any]:
    """Answers one request: the function's settings in the resolver's context, size, access and body first."""
    app.append_context(settings=settings)
    try:
        return guarded(
            app.resolve,
            event,
            context,
            tenants=tenants,
            max_body_bytes=max_body_bytes,
            on_caller=lambda found: app.append_context(tenant=found.tenant, principal=found.principal),
            tokens=user_tokens(),
            limiter=rate_limiter(),
            reshape=reshape,
            verify=verify,
        )
    except (StorageError, QueueError) as exc:
        # Failed at the door (reading the tenant, a key, a person's role, a rate limit's count): answered as the
        # resolver answers a failure behind it, a 503 to retry, never an unhandled error (a 500).
        return as_proxy_result(unavailable(exc))
    finally:
        app.clear_context()  # a request refused before resolve() must not leave its tenant for the next one


def unavailable(exc: Exception) -> Response[str]:
    """What a request gets when DynamoDB or SQS failed it: a 503 to retry, the same body being idempotent."""
    logger.exception("backing service failed", extra={"error": str(exc)})
    return error_response(
        HTTPStatus.SERVICE_UNAVAILABLE, "unavailable", "storage is unavailable; retry with the same body"
    )


def ok_json(body: str, status: HTTPStatus = HTTPStatus.OK) -> Response[str]:
    """A 200 (or `status`) with a JSON body the route has already serialised (pydantic's model_dump_json)."""
    return Response(status_code=status.value, content_type=content_types.APPLICATION_JSON, body=body)


class HasContext(Protocol):
    """A resolver, or a router included in one (whose context is its resolver's)."""

    @property
    def context(self) -> dict[str, Any]: ...


def settings_in[Settings](source: HasContext, model: type[Settings]) -> Settings:
    """The function's settings, which `serve` put in the resolver's context for this request."""
    settings = source.context["settings"]
    if not isinstance(settings, model):
        raise TypeError(f"the resolver holds {type(settings).__name__} settings, not {model.__name__}")
    return settings


def caller(source: HasContext) -> Tenant:
    """The tenant in the request's path, which its caller may act on (put in the context by `serve` once access
    was checked)."""
    tenant: Tenant = source.context["tenant"]
    return tenant


def principal_of(source: HasContext) -> Principal:
    """Who made the request: what an audit trail records as the actor."""
    principal: Principal = source.context["principal"]
    return principal


def _json_text(value: Any) -> str:
    """A typed route's answer as pydantic writes it (UTF-8 text as it is, not \\u escapes), compact."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, cls=Encoder)


def new_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(
        enable_validation=True,
        serializer=_json_text,
        response_validation_error_http_code=HTTPStatus.INTERNAL_SERVER_ERROR,
    )

    @app.exception_handler(ResponseValidationError)
    def _unwritable(exc: ResponseValidationError) -> Response[str]:
        # A route returned something else than its declared model: Sigap's bug, not the caller's request.
        logger.error("a route's answer does not match its declared model", extra={"errors": str(exc.errors())})
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "the answer could not be written")

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[str]:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", "the body is not valid JSON")
        problems = validation_problems(errors)
        summary = "; ".join(f"{p.field}: {p.problem}" for p in problems[:5])
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", summary, problems)

    @app.exception_handler(NotFoundError)
    def _missing(exc: NotFoundError) -> Response[str]:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", str(exc))

    @app.exception_handler(InvalidCursorError)
    def _bad_cursor(exc: InvalidCursorError) -> Response[str]:
        return error_response(HTTPStatus.BAD_REQUEST, "invalid_cursor", str(exc))

    @app.exception_handler(InvalidWindowError)
    def _bad_window(exc: InvalidWindowError) -> Response[str]:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "invalid_window",
            str(exc),
            [FieldProblem(field=exc.field, problem=str(exc))],
        )

    @app.exception_handler(MentionTooLargeError)
    def _too_large(exc: MentionTooLargeError) -> Response[str]:
        return error_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "mention_too_large",
            str(exc),
            [FieldProblem(field=f"mentions[{exc.index}]", problem=str(exc))],
        )

    @app.exception_handler(IdempotencyKeyReusedError)
    def _key_reused(_: IdempotencyKeyReusedError) -> Response[str]:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different body in the last 24 hours; use a new key",
            [FieldProblem(field="idempotency-key", problem="reused with a different body")],
        )

    @app.exception_handler(RequestInProgressError)
    def _in_progress(_: RequestInProgressError) -> Response[str]:
        return error_response(
            HTTPStatus.CONFLICT, "in_progress", "a request with this Idempotency-Key is still being processed; retry"
        )

    @app.exception_handler(UnprocessableError)
    def _unprocessable(exc: UnprocessableError) -> Response[str]:
        problems = [FieldProblem(field=field, problem=problem) for field, problem in exc.problems[:50]]
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, exc.code, str(exc), problems)

    @app.exception_handler(QuotaExceededError)
    def _quota(exc: QuotaExceededError) -> Response[str]:
        return error_response(HTTPStatus.TOO_MANY_REQUESTS, "quota_exceeded", str(exc), retry_after=exc.retry_after)

    @app.exception_handler(ForbiddenError)
    def _forbidden(exc: ForbiddenError) -> Response[str]:
        return error_response(HTTPStatus.FORBIDDEN, "forbidden", str(exc))

    @app.exception_handler(ConflictError)
    def _conflict(exc: ConflictError) -> Response[str]:
        return error_response(HTTPStatus.CONFLICT, "conflict", str(exc))

    @app.exception_handler(TooManyRecordsError)
    def _too_many(exc: TooManyRecordsError) -> Response[str]:
        return error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_many_records", str(exc))

    @app.exception_handler([StorageError, QueueError])
    def _unavailable(exc: Exception) -> Response[str]:
        return unavailable(exc)

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route; see /v1/openapi.json")

    return app
