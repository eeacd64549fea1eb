"""The post-crisis report of an incident (JSON, HTML or PDF) and its lessons learned."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.errors import NotFoundError
from sigap.kernel.identity import Permission
from sigap.kernel.models import utc_now
from sigap.mentions.aggregate_store import AggregateStore
from sigap.platform.http.errors import html_response
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, ok_json
from sigap.statements.api.wiring import (
    INCIDENT_ID,
    Lessons,
    settings_of,
    tables_of,
)
from sigap.statements.domain.report import build_report, report_html, report_pdf, report_window

router = APIGatewayHttpRouter()
routes = Routes(router, "statements")


def _report(tenant_id: str, incident_id: str) -> Any:
    settings = settings_of(router)
    incidents, table = tables_of(router)
    incident = incidents.incident(tenant_id, incident_id)
    if incident is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    now = utc_now()
    since, until = report_window(incident, now)
    statements = [s for s in table.statements_of(tenant_id) if s.incident_id == incident_id]
    return build_report(
        incident,
        incidents.timeline(tenant_id, incident_id),
        statements,
        {s.statement_id: table.deliveries(tenant_id, s.statement_id) for s in statements},
        AggregateStore(settings.aggregates_table, settings.aggregate_shards).window(tenant_id, since, until),
        table.lessons(tenant_id, incident_id),
        now,
    )


@routes.get("/v1/tenants/{tenant}/incidents/{incident_id}/report")
# Unannotated on purpose: Powertools validates an annotated return value, and would read a PDF as UTF-8 text.
def get_report(  # type: ignore[no-untyped-def]
    tenant: str,
    incident_id: Annotated[str, Path(pattern=INCIDENT_ID)],
    format: Annotated[str, Query(pattern=r"^(html|pdf|json)$")] = "html",
):
    """The post-crisis report: format=html (default), pdf or json."""
    report = _report(caller(router).tenant_id, incident_id)
    if format == "json":
        return ok_json(report.model_dump_json())
    if format == "pdf":
        return Response(
            status_code=200,
            content_type="application/pdf",
            body=report_pdf(report),
            headers={"Content-Disposition": f'inline; filename="report-{incident_id}.pdf"'},
        )
    return html_response(HTTPStatus.OK, report_html(report))


@routes.put(
    "/v1/tenants/{tenant}/incidents/{incident_id}/report/lessons", permission=Permission.RESPOND, answer="Saved"
)
def put_lessons(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[Lessons, Body()]
) -> Lessons:
    """Write the report's lessons-learned section (plain text)."""
    incidents, table = tables_of(router)
    if incidents.incident(caller(router).tenant_id, incident_id) is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    table.put_lessons(caller(router).tenant_id, incident_id, body.text)
    return body
