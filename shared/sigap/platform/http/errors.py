"""One error shape for every 4xx/5xx the API gives: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

# Union members the request body may be validated as; they are noise in a field path a client reads.
_UNION_TAGS = frozenset({"single", "batch"})


class FieldProblem(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[FieldProblem] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    status: {"description": text, "content": {"application/json": {"model": ErrorResponse}}}
    for status, text in (
        (400, "Malformed request: not UTF-8, not JSON, nested too deep, or a cursor this API did not issue"),
        (401, "Missing or wrong API key (or, on a webhook, signature or secret: the message names the check)"),
        (403, "The API key belongs to another tenant"),
        (404, "No such route, or nothing with this id for this tenant"),
        (409, "A request with the same Idempotency-Key is in progress, or a name or version conflict"),
        (413, "Body too large, or more records than one request may carry"),
        (415, "The body is not JSON"),
        (422, "A field is missing or invalid; `fields` names each one"),
        (503, "Storage or queue unavailable; retry"),
    )
}


def error_response(
    status: HTTPStatus,
    code: str,
    message: str,
    fields: Sequence[FieldProblem] | None = None,
    *,
    retry_after: int | None = None,
) -> Response[str]:
    """The one error shape; `retry_after` (seconds) adds the Retry-After header of a 429 or 503."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message, fields=list(fields) if fields else None))
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(exclude_none=True),
        headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
    )


def field_path(location: Sequence[Any]) -> str:
    """('body', 'batch', 'mentions', 3, 'text') → 'mentions[3].text'; ('query', 'limit') → 'limit'."""
    path = ""
    parts = [part for part in location if part not in _UNION_TAGS]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validation_problems(errors: Sequence[Any]) -> list[FieldProblem]:
    problems = []
    seen = set()
    for error in errors:
        problem = FieldProblem(field=field_path(error.get("loc", ())), problem=str(error.get("msg", "invalid")))
        if (problem.field, problem.problem) not in seen:
            seen.add((problem.field, problem.problem))
            problems.append(problem)
    return problems


# Every HTML page the API serves (acknowledgement and subscription pages, the post-crisis report): no script,
# inline style only, images only as data: URIs (the report's charts), no framing (clickjacking a one-click
# acknowledgement), no sniffing, no referrer (a signed link's token must not leak to another site).
HTML_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def html_response(status: HTTPStatus, body: str) -> Response[str]:
    return Response(
        status_code=status.value, content_type="text/html; charset=utf-8", body=body, headers=dict(HTML_HEADERS)
    )
