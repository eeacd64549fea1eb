"""Statements from draft to published: the tone check, create, edit, new version, submit, review, publish."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.identity import Permission
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller
from sigap.statements.api.wiring import (
    INCIDENT_ID,
    STATEMENT_ID,
    CheckRequest,
    CheckResult,
    StatementList,
    adapters,
    settings_of,
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
routes = Routes(router, "statements")


@routes.post("/v1/tenants/{tenant}/statements/check", permission=Permission.RESPOND, answer="Findings")
def post_check(tenant: str, body: Annotated[CheckRequest, Body()]) -> CheckResult:
    """Tone-check a text: findings with rule, severity, span, explanation and suggestion."""
    findings = check(body.text, body.lang)
    return CheckResult(findings=findings, blocking=sum(f.severity.value == "error" for f in findings))


@routes.post(
    "/v1/tenants/{tenant}/statements",
    actor="by",
    permission=Permission.RESPOND,
    answer="The draft, its tone check and audit",
    status=HTTPStatus.CREATED,
)
def post_statement(tenant: str, body: Annotated[StatementCreate, Body()]) -> StatementView:
    """Draft a statement on an incident: written, or from a template with its variables."""
    incidents, table = tables_of(router)
    return create_statement(table, incidents, caller(router).tenant_id, body, utc_now())


@routes.get("/v1/tenants/{tenant}/statements", answer="Statements")
def get_statements(tenant: str, incident_id: Annotated[str | None, Query(pattern=INCIDENT_ID)] = None) -> StatementList:
    """The tenant's statements, newest first (optionally of one incident)."""
    _, table = tables_of(router)
    found = [s for s in table.statements_of(caller(router).tenant_id) if incident_id in (None, s.incident_id)]
    found.sort(key=lambda s: s.created_at, reverse=True)
    return StatementList(items=found)


@routes.get("/v1/tenants/{tenant}/statements/{statement_id}", answer="The statement")
def get_statement(tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)]) -> StatementView:
    """One statement: every version, approvals, overrides, its audit and each channel's delivery status."""
    _, table = tables_of(router)
    return view(table, caller(router).tenant_id, statement_id)


@routes.put(
    "/v1/tenants/{tenant}/statements/{statement_id}", actor="by", permission=Permission.RESPOND, answer="The statement"
)
def put_statement(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[StatementEdit, Body()]
) -> StatementView:
    """Edit the version being worked on (back to draft; its approvals are dropped)."""
    _, table = tables_of(router)
    return edit_statement(table, caller(router).tenant_id, statement_id, body, utc_now())


@routes.post(
    "/v1/tenants/{tenant}/statements/{statement_id}/versions",
    actor="by",
    permission=Permission.RESPOND,
    answer="The statement",
    status=HTTPStatus.CREATED,
)
def post_version(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[StatementEdit, Body()]
) -> StatementView:
    """An update (or a correction: content.correction) of a published statement, as a new draft version."""
    _, table = tables_of(router)
    return new_version(table, caller(router).tenant_id, statement_id, body, utc_now())


@routes.post(
    "/v1/tenants/{tenant}/statements/{statement_id}/submit",
    actor="by",
    permission=Permission.RESPOND,
    answer="The statement",
)
def post_submit(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[Submission, Body()]
) -> StatementView:
    """Send a draft for review; tone-check errors must be fixed or each overridden with a reason."""
    _, table = tables_of(router)
    return submit(table, caller(router).tenant_id, statement_id, body, utc_now())


@routes.post(
    "/v1/tenants/{tenant}/statements/{statement_id}/reviews",
    actor="by",
    permission=Permission.APPROVE,
    answer="The statement",
)
def post_review(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[Review, Body()]
) -> StatementView:
    """Approve (or request changes to) a statement in review; never its author."""
    _, table = tables_of(router)
    return review(table, caller(router).tenant_id, statement_id, body, utc_now())


@routes.post(
    "/v1/tenants/{tenant}/statements/{statement_id}/publish",
    actor="by",
    permission=Permission.RESPOND,
    answer="Published; deliveries follow (see deliveries)",
    status=HTTPStatus.ACCEPTED,
)
def post_publish(
    tenant: str, statement_id: Annotated[str, Path(pattern=STATEMENT_ID)], body: Annotated[PublishRequest, Body()]
) -> StatementView:
    """Publish the approved version: staff first, then the status page, feeds, channels and subscribers."""
    settings = settings_of(router)
    _, incidents, table, queue = adapters(settings)
    return publish(table, incidents, queue, caller(router).tenant_id, statement_id, body, utc_now())
