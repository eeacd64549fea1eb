"""Acknowledging an alert, the notification history with each delivery, and incidents (open, read, change, note)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.detection.store import AlertsTable
from sigap.incidents.domain.actions import (
    add_note,
    change_incident,
    link_alert,
    open_incident,
    view,
)
from sigap.incidents.domain.model import AlertLink, IncidentCreate, IncidentPatch, IncidentView, NoteCreate
from sigap.kernel.errors import NotFoundError
from sigap.kernel.identity import Permission
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
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller

router = APIGatewayHttpRouter()
routes = Routes(router, "incidents")


@routes.post(
    "/v1/tenants/{tenant}/alerts/{alert_id}/acknowledgement",
    actor="by",
    permission=Permission.RESPOND,
    answer="The acknowledgement",
    tag="notifications",
)
def post_acknowledgement(
    tenant: str,
    alert_id: Annotated[str, Path(pattern=ALERT_ID)],
    body: Annotated[AcknowledgeRequest, Body(description="Who acknowledges, and why")],
) -> Acknowledgement:
    """Acknowledge an alert: its story pages nobody else (unless more severe) and escalation stops."""
    return acknowledge(caller(router).tenant_id, alert_id, body.by, "api", body.comment, ports_of(router), utc_now())


@routes.get("/v1/tenants/{tenant}/notifications", answer="A page of notifications", tag="notifications")
def get_notifications(
    tenant: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> NotificationPage:
    """Every notification, newest first (firing, resolved, repeat, escalation, test, notices)."""
    _, table, _ = adapters(settings_of(router))
    return list_notifications(table, caller(router), limit, cursor)


@routes.get(
    "/v1/tenants/{tenant}/notifications/{notification_id}",
    answer="The notification and its deliveries",
    tag="notifications",
)
def get_notification(tenant: str, notification_id: Annotated[str, Path(pattern=NOTIFICATION_ID)]) -> NotificationView:
    """One notification as sent, with each channel's delivery and every attempt."""
    _, table, _ = adapters(settings_of(router))
    return notification_view(table, caller(router), notification_id)


@routes.get("/v1/tenants/{tenant}/incidents", answer="A page of incidents")
def get_incidents(
    tenant: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> IncidentPage:
    """Incidents, newest first, with time to detect, acknowledge and resolve."""
    _, table, _ = adapters(settings_of(router))
    return list_incidents(table, caller(router), limit, cursor)


@routes.post(
    "/v1/tenants/{tenant}/incidents",
    actor="opened_by",
    permission=Permission.RESPOND,
    answer="The incident and its timeline",
    status=HTTPStatus.CREATED,
)
def post_incident(tenant: str, body: Annotated[IncidentCreate, Body()]) -> IncidentView:
    """Open an incident by hand (alerts on its story, if given, join it)."""
    _, table, _ = adapters(settings_of(router))
    return open_incident(table, caller(router).tenant_id, body, utc_now())


@routes.get("/v1/tenants/{tenant}/incidents/{incident_id}", answer="The incident and its timeline")
def get_incident(tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)]) -> IncidentView:
    """One incident with its timeline: first mention, alerts, notifications, acknowledgements, changes, notes."""
    _, table, _ = adapters(settings_of(router))
    return view(table, caller(router).tenant_id, incident_id)


@routes.patch(
    "/v1/tenants/{tenant}/incidents/{incident_id}",
    actor="by",
    permission=Permission.RESPOND,
    answer="The incident and its timeline",
)
def patch_incident(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[IncidentPatch, Body()]
) -> IncidentView:
    """Change an incident's state (investigating → identified → monitoring → resolved), owner or severity."""
    _, table, _ = adapters(settings_of(router))
    return change_incident(table, caller(router).tenant_id, incident_id, body, utc_now())


@routes.post(
    "/v1/tenants/{tenant}/incidents/{incident_id}/alerts",
    actor="by",
    permission=Permission.RESPOND,
    answer="The incident and its timeline",
)
def post_incident_alert(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[AlertLink, Body()]
) -> IncidentView:
    """Join an alert to this incident (the team judges it part of the same crisis): recorded on the timeline
    with who did it; joining the same alert again changes nothing."""
    alert = AlertsTable(settings_of(router).alerts_table).get(caller(router).tenant_id, body.alert_id)
    if alert is None:
        raise NotFoundError(f"no alert {body.alert_id!r}")
    _, table, _ = adapters(settings_of(router))
    return link_alert(table, caller(router).tenant_id, incident_id, alert, body, utc_now())


@routes.post(
    "/v1/tenants/{tenant}/incidents/{incident_id}/notes",
    actor="by",
    permission=Permission.RESPOND,
    answer="The incident and its timeline",
    status=HTTPStatus.CREATED,
)
def post_note(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[NoteCreate, Body()]
) -> IncidentView:
    """Add a note to an incident's timeline."""
    _, table, _ = adapters(settings_of(router))
    return add_note(table, caller(router).tenant_id, incident_id, body, utc_now())
