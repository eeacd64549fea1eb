"""The statements API function: one resolver that includes each resource's router, the errors particular to
statements as HTTP answers, and the handler's entry point."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from sigap.platform.http.errors import FieldProblem, error_response
from sigap.platform.http.resolver import new_resolver, serve
from sigap.statements.api import drafts, public, reports, settings_templates, subscribers
from sigap.statements.api.wiring import adapters
from sigap.statements.domain.templates import (
    TemplateProblemError,
)
from sigap.statements.domain.workflow_ports import (
    BlockedByToneError,
    NotAllowedError,
    StatementConflictError,
    StatementStateError,
)
from sigap.statements.settings import StatementsApiSettings

app = new_resolver()
ROUTERS = tuple(routes.router for routes in (settings_templates, drafts, subscribers, reports, public))
for included in ROUTERS:
    app.include_router(included)


@app.exception_handler(TemplateProblemError)
def _template_problem(exc: TemplateProblemError) -> Response[str]:
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "invalid_template",
        str(exc),
        [FieldProblem(field=exc.field, problem=exc.problem)],
    )


@app.exception_handler(BlockedByToneError)
def _blocked(exc: BlockedByToneError) -> Response[str]:
    problems = [
        FieldProblem(field=f"overrides.{f.rule.value}", problem=f"{f.explanation} ({f.span.text!r})")
        for f in exc.findings
    ]
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "tone_check_failed", str(exc), problems)


@app.exception_handler(NotAllowedError)
def _not_allowed(exc: NotAllowedError) -> Response[str]:
    return error_response(HTTPStatus.FORBIDDEN, "not_allowed", str(exc))


@app.exception_handler([StatementStateError, StatementConflictError])
def _conflict(exc: Exception) -> Response[str]:
    return error_response(HTTPStatus.CONFLICT, "conflict", str(exc))


def handle(event: dict[str, Any], context: Any, settings: StatementsApiSettings) -> dict[str, Any]:
    tenants, *_ = adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=settings.max_body_bytes, settings=settings)


__all__ = ["ROUTERS", "app", "handle"]
