"""Statements from draft to published: the tone check, create, edit, new version, submit, review, publish."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Access, api_route
from sigap.platform.http.resolver import caller, ok_json, responses
from sigap.statements.api.wiring import (
    INCIDENT_ID,
    STATEMENT_ID,
    CheckRequest,
    CheckResult,
    StatementList,
    adapters,
    settings_of,
    statement_answer,
    tables_of,
)
from sigap.statements.domain.models import (
    PublishRequest,
    Review,
    StatementCreate,
    StatementEdit,
    StatementView,
    Submission,
)
from sigap.statements.domain.tone.check import check
from sigap.statements.domain.workflow import (
    create_statement,
    edit_statement,
    new_version,
    publish,
    review,
    submit,
    view,
)

router = APIGatewayHttpRouter()


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/check",
    access=Access.TENANT_KEY,
    summary="Tone-check a text: findings with rule, severity, span, explanation and suggestion",
    responses=responses(200, "Findings", CheckResult),
    tags=["statements"],
)
def post_check(tenant: str, body: Annotated[CheckRequest, Body()]) -> Response[str]:
    findings = check(body.text, body.lang)
    result = CheckResult(findings=findings, blocking=sum(f.severity.value == "error" for f in findings))
    return ok_json(result.model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements",
    access=Access.TENANT_KEY,
    summary="Draft a statement on an incident: written, or from a template with its variables",
    responses=responses(201, "The draft, its tone check and audit", StatementView),
    tags=["statements"],
)
def post_statement(tenant: str, body: Annotated[StatementCreate, Body()]) -> Response[str]:
    incidents, table = tables_of(router)
    return statement_answer(
        create_statement(table, incidents, caller(router).tenant_id, body, utc_now()), HTTPStatus.CREATED
    )


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/statements",
    access=Access.TENANT_KEY,
    summary="The tenant's statements, newest first (optionally of one incident)",
    responses=responses(200, "Statements", StatementList),
    tags=["statements"],
)
def get_statements(tenant: str, incident_id: Annotated[str | None, Query(pattern=INCIDENT_ID)] = None) -> Response[str]:
    _, table = tables_of(router)
    found = [s for s in table.statements_of(caller(router).tenant_id) if incident_id in (None, s.incident_id)]
    found.sort(key=lambda s: s.created_at, reverse=True)
    return ok_json(StatementList(items=found).model_dump_json())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/statements/{statement_id}",
    access=Access.TENANT_KEY,
    summary="One statement: every version, approvals, overrides, its audit and each channel's delivery status",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def get_statement(tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)]) -> Response[str]:
    _, table = tables_of(router)
    return statement_answer(view(table, caller(router).tenant_id, statement_id))


@api_route(
    router,
    "PUT",
    "/v1/tenants/{tenant}/statements/{statement_id}",
    access=Access.TENANT_KEY,
    summary="Edit the version being worked on (back to draft; its approvals are dropped)",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def put_statement(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[StatementEdit, Body()]
) -> Response[str]:
    _, table = tables_of(router)
    return statement_answer(edit_statement(table, caller(router).tenant_id, statement_id, body, utc_now()))


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/versions",
    access=Access.TENANT_KEY,
    summary="An update (or a correction: content.correction) of a published statement, as a new draft version",
    responses=responses(201, "The statement", StatementView),
    tags=["statements"],
)
def post_version(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[StatementEdit, Body()]
) -> Response[str]:
    _, table = tables_of(router)
    return statement_answer(
        new_version(table, caller(router).tenant_id, statement_id, body, utc_now()), HTTPStatus.CREATED
    )


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/submit",
    access=Access.TENANT_KEY,
    summary="Send a draft for review; tone-check errors must be fixed or each overridden with a reason",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def post_submit(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[Submission, Body()]
) -> Response[str]:
    _, table = tables_of(router)
    return statement_answer(submit(table, caller(router).tenant_id, statement_id, body, utc_now()))


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/reviews",
    access=Access.TENANT_KEY,
    summary="Approve (or request changes to) a statement in review; never its author",
    responses=responses(200, "The statement", StatementView),
    tags=["statements"],
)
def post_review(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[Review, Body()]
) -> Response[str]:
    _, table = tables_of(router)
    return statement_answer(review(table, caller(router).tenant_id, statement_id, body, utc_now()))


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/statements/{statement_id}/publish",
    access=Access.TENANT_KEY,
    summary="Publish the approved version: staff first, then the status page, feeds, channels and subscribers",
    responses=responses(202, "Published; deliveries follow (see deliveries)", StatementView),
    tags=["statements"],
)
def post_publish(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[PublishRequest, Body()]
) -> Response[str]:
    settings = settings_of(router)
    _, incidents, table, queue = adapters(settings)
    result = publish(table, incidents, queue, caller(router).tenant_id, statement_id, body, utc_now())
    return statement_answer(result, HTTPStatus.ACCEPTED)
