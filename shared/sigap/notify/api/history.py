"""Acknowledging an alert, the notification history with each delivery, and incidents (open, read, change, note)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.incidents.domain.actions import (
    add_note,
    change_incident,
    open_incident,
    view,
)
from sigap.incidents.domain.model import IncidentCreate, IncidentPatch, IncidentView, NoteCreate
from sigap.kernel.models import utc_now
from sigap.notify.api.wiring import (
    ALERT_ID,
    INCIDENT_ID,
    NOTIFICATION_ID,
    adapters,
    ports_of,
    settings_of,
)
from sigap.notify.domain.acknowledging import acknowledge
from sigap.notify.domain.history import (
    IncidentPage,
    NotificationPage,
    list_incidents,
    list_notifications,
    notification_view,
)
from sigap.notify.domain.models import Acknowledgement, AcknowledgeRequest, NotificationView
from sigap.platform.http.gateway import Access, api_route
from sigap.platform.http.resolver import caller

router = APIGatewayHttpRouter()


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/alerts/{alert_id}/acknowledgement",
    access=Access.TENANT_KEY,
    summary="Acknowledge an alert: its story pages nobody else (unless more severe) and escalation stops",
    answer="The acknowledgement",
    tags=["notifications"],
)
def post_acknowledgement(
    tenant: str,
    alert_id: Annotated[str, Path(pattern=ALERT_ID)],
    body: Annotated[AcknowledgeRequest, Body(description="Who acknowledges, and why")],
) -> Acknowledgement:
    return acknowledge(caller(router).tenant_id, alert_id, body.by, "api", body.comment, ports_of(router), utc_now())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/notifications",
    access=Access.TENANT_KEY,
    summary="Every notification, newest first (firing, resolved, repeat, escalation, test, notices)",
    answer="A page of notifications",
    tags=["notifications"],
)
def get_notifications(
    tenant: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> NotificationPage:
    _, table, _ = adapters(settings_of(router))
    return list_notifications(table, caller(router), limit, cursor)


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/notifications/{notification_id}",
    access=Access.TENANT_KEY,
    summary="One notification as sent, with each channel's delivery and every attempt",
    answer="The notification and its deliveries",
    tags=["notifications"],
)
def get_notification(tenant: str, notification_id: Annotated[str, Path(pattern=NOTIFICATION_ID)]) -> NotificationView:
    _, table, _ = adapters(settings_of(router))
    return notification_view(table, caller(router), notification_id)


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/incidents",
    access=Access.TENANT_KEY,
    summary="Incidents, newest first, with time to detect, acknowledge and resolve",
    answer="A page of incidents",
    tags=["incidents"],
)
def get_incidents(
    tenant: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> IncidentPage:
    _, table, _ = adapters(settings_of(router))
    return list_incidents(table, caller(router), limit, cursor)


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/incidents",
    access=Access.TENANT_KEY,
    summary="Open an incident by hand (alerts on its story, if given, join it)",
    answer="The incident and its timeline",
    status=HTTPStatus.CREATED,
    tags=["incidents"],
)
def post_incident(tenant: str, body: Annotated[IncidentCreate, Body()]) -> IncidentView:
    _, table, _ = adapters(settings_of(router))
    return open_incident(table, caller(router).tenant_id, body, utc_now())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/incidents/{incident_id}",
    access=Access.TENANT_KEY,
    summary="One incident with its timeline: first mention, alerts, notifications, acknowledgements, changes, notes",
    answer="The incident and its timeline",
    tags=["incidents"],
)
def get_incident(tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)]) -> IncidentView:
    _, table, _ = adapters(settings_of(router))
    return view(table, caller(router).tenant_id, incident_id)


@api_route(
    router,
    "PATCH",
    "/v1/tenants/{tenant}/incidents/{incident_id}",
    access=Access.TENANT_KEY,
    summary="Change an incident's state (investigating → identified → monitoring → resolved), owner or severity",
    answer="The incident and its timeline",
    tags=["incidents"],
)
def patch_incident(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[IncidentPatch, Body()]
) -> IncidentView:
    _, table, _ = adapters(settings_of(router))
    return change_incident(table, caller(router).tenant_id, incident_id, body, utc_now())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/incidents/{incident_id}/notes",
    access=Access.TENANT_KEY,
    summary="Add a note to an incident's timeline",
    answer="The incident and its timeline",
    status=HTTPStatus.CREATED,
    tags=["incidents"],
)
def post_note(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[NoteCreate, Body()]
) -> IncidentView:
    _, table, _ = adapters(settings_of(router))
    return add_note(table, caller(router).tenant_id, incident_id, body, utc_now())
