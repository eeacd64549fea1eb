"""Notification routes: channels (created, tested, rotated, enabled, deleted; a secret shown only once), the
notification policy (routing tree, quiet hours, inhibition, escalation), silences, acknowledgements, the
history of every notification with each delivery attempt, incidents with their timelines, and the public
one-click acknowledgement page behind the signed link in every message."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from sigap.detection.store import AlertsTable
from sigap.incidents.domain.actions import (
    IncidentConflictError,
    StoryHasIncidentError,
    add_note,
    change_incident,
    open_incident,
    view,
)
from sigap.incidents.domain.model import IncidentCreate, IncidentPatch, IncidentView, NoteCreate
from sigap.kernel.errors import NotFoundError
from sigap.kernel.models import utc_now
from sigap.kernel.tokens import LinkError, read_token
from sigap.notify.domain.acknowledging import acknowledge, send_test
from sigap.notify.domain.configuration import (
    InvalidSettingError,
    UrlPolicy,
    check_policy,
    create_channel,
    create_silence,
    delete_channel,
    expire_silence,
    rotate_webhook_secret,
    set_enabled,
)
from sigap.notify.domain.history import (
    IncidentPage,
    NotificationPage,
    list_incidents,
    list_notifications,
    notification_view,
)
from sigap.notify.domain.links import link_maker
from sigap.notify.domain.models import Acknowledgement, AcknowledgeRequest, Notification, NotificationView, Timer
from sigap.notify.domain.ports import ConflictError, NotifierPorts
from sigap.notify.domain.routing import NotificationPolicy
from sigap.notify.domain.silences import SILENCE_ID_PATTERN, Silence, SilenceCreate
from sigap.notify.queues import DeliveryQueue
from sigap.notify.secrets import ChannelSecrets, link_key
from sigap.notify.settings import NotificationsApiSettings
from sigap.notify.store import NotificationsTable, StoredConfiguration
from sigap.outbound.domain.models import Channel, ChannelCreate, ChannelType, CreatedChannel
from sigap.platform.http.errors import FieldProblem, error_response
from sigap.platform.http.gateway import Access, api_route
from sigap.platform.http.resolver import caller, new_resolver, ok_json, responses, serve
from sigap.tenants.store import TenantStore

router = APIGatewayHttpRouter()
CHANNEL_ID = r"^ch-[0-9a-f]{12}$"
ALERT_ID = r"^\d{8}T\d{4}-[0-9a-f]{20}$"
NOTIFICATION_ID = r"^[A-Za-z0-9._:-]{1,200}$"
INCIDENT_ID = r"^inc-\d{8}T\d{4}-[0-9a-f]{8}$"


class ChannelList(BaseModel):
    items: list[Channel]


class SilenceList(BaseModel):
    items: list[Silence]


class ChannelPatch(BaseModel):
    """`PATCH /v1/tenants/{tenant}/channels/{channel_id}`: turn a channel off or back on (clears its failures)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool


class SilenceEnd(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: str = Field(default="api", min_length=1, max_length=120)


class _NoTimers:
    """The API schedules nothing: acknowledging stops escalations the notifier's own timers find."""

    def schedule(self, timers: Sequence[Timer], now: datetime) -> None:
        raise RuntimeError("the notifications API does not schedule timers")


@lru_cache(maxsize=1)
def _adapters(settings: NotificationsApiSettings) -> tuple[TenantStore, NotificationsTable, ChannelSecrets]:
    return (
        TenantStore(settings.tenants_table),
        NotificationsTable(settings.notifications_table),
        ChannelSecrets(settings.secrets_prefix),
    )


def _settings() -> NotificationsApiSettings:
    settings: NotificationsApiSettings = app.context["settings"]
    return settings


def _public_url() -> str:
    """The API's own address as the caller reached it (its links point back here)."""
    configured = _settings().public_api_url
    if configured:
        return configured
    domain = app.current_event.request_context.domain_name
    return f"https://{domain}"


def _ports() -> NotifierPorts:
    settings = _settings()
    tenants, table, _ = _adapters(settings)
    return NotifierPorts(
        config=StoredConfiguration(table, tenants),
        store=table,
        alerts=AlertsTable(settings.alerts_table),
        timers=_NoTimers(),
        deliveries=DeliveryQueue(settings.delivery_queue_url),
        links=link_maker(_public_url(), link_key(settings.link_key_secret), utc_now),
    )


def _url_policy() -> UrlPolicy:
    return UrlPolicy(allow_loopback=_settings().allow_loopback_receivers)


# -- channels ----------------------------------------------------------------------------------------------


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/channels",
    access=Access.TENANT_KEY,
    summary="The tenant's channels (secrets are never shown)",
    responses=responses(200, "Channels", ChannelList),
    tags=["notifications"],
)
def get_channels(tenant: str) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(ChannelList(items=table.channels(caller(app).tenant_id)).model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/channels",
    access=Access.TENANT_KEY,
    summary="Add a channel: e-mail (SES), Slack, Microsoft Teams (Workflows), a signed webhook, or an SNS topic",
    description=(
        "Slack and Teams URLs and webhook signing secrets go to SSM Parameter Store and are never returned; "
        "a generated webhook secret (`whsec_…`) is shown in this answer only. URLs must be https and resolve "
        "to public addresses."
    ),
    responses=responses(201, "The channel (and a generated signing secret, shown once)", CreatedChannel),
    tags=["notifications"],
)
def post_channel(tenant: str, body: Annotated[ChannelCreate, Body(description="The channel")]) -> Response[str]:
    settings = _settings()
    _, table, secrets = _adapters(settings)
    if body.settings.type is ChannelType.EMAIL and not settings.email_sender:
        raise InvalidSettingError(
            "settings.type", "this stack has no EmailSender (an SES-verified address): redeploy with it set"
        )
    created = create_channel(caller(app).tenant_id, body, table, secrets, _url_policy(), utc_now())
    return ok_json(created.model_dump_json(), HTTPStatus.CREATED)


def _channel(channel_id: str) -> Channel:
    _, table, _ = _adapters(_settings())
    channel = table.channel(caller(app).tenant_id, channel_id)
    if channel is None:
        raise NotFoundError(f"no channel {channel_id!r}")
    return channel


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/channels/{channel_id}",
    access=Access.TENANT_KEY,
    summary="One channel: where it sends (masked), whether it is enabled, failing since when",
    responses=responses(200, "The channel", Channel),
    tags=["notifications"],
)
def get_channel(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> Response[str]:
    return ok_json(_channel(channel_id).model_dump_json())


@api_route(
    router,
    "PATCH",
    "/v1/tenants/{tenant}/channels/{channel_id}",
    access=Access.TENANT_KEY,
    summary="Enable or disable a channel (enabling clears its failure record)",
    responses=responses(200, "The channel", Channel),
    tags=["notifications"],
)
def patch_channel(
    tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)], body: Annotated[ChannelPatch, Body()]
) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(set_enabled(caller(app).tenant_id, channel_id, body.enabled, table).model_dump_json())


@api_route(
    router,
    "DELETE",
    "/v1/tenants/{tenant}/channels/{channel_id}",
    access=Access.TENANT_KEY,
    summary="Delete a channel and its secret (routes naming it must be changed first)",
    responses=responses(200, "Deleted", Channel),
    tags=["notifications"],
)
def delete_one_channel(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> Response[str]:
    _, table, secrets = _adapters(_settings())
    owner = caller(app).tenant_id
    channel = _channel(channel_id)
    if channel_id in table.policy(owner).channel_ids():
        raise InvalidSettingError(
            "channel_id", "the notification policy names this channel; change the policy before deleting it"
        )
    delete_channel(owner, channel_id, table, secrets)
    return ok_json(channel.model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/channels/{channel_id}/test",
    access=Access.TENANT_KEY,
    summary="Send a test notification through this channel (see its delivery in /notifications)",
    responses=responses(202, "The test notification, queued", Notification),
    tags=["notifications"],
)
def post_channel_test(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> Response[str]:
    owner = caller(app).tenant_id
    channel = _channel(channel_id)
    _, table, _ = _adapters(_settings())
    notification = send_test(owner, channel, _ports(), table.policy(owner).language, utc_now())
    return ok_json(notification.model_dump_json(), HTTPStatus.ACCEPTED)


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/channels/{channel_id}/rotate-secret",
    access=Access.TENANT_KEY,
    summary="A new webhook signing secret (shown once); the old one keeps signing beside it for 24 hours",
    responses=responses(200, "The channel and its new secret", CreatedChannel),
    tags=["notifications"],
)
def post_secret_rotation(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> Response[str]:
    _, table, secrets = _adapters(_settings())
    rotated = rotate_webhook_secret(caller(app).tenant_id, channel_id, table, secrets, utc_now())
    return ok_json(rotated.model_dump_json())


# -- policy and silences -----------------------------------------------------------------------------------


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/notification-policy",
    access=Access.TENANT_KEY,
    summary="The routing tree, quiet hours, inhibition, escalation policies and incident settings in force",
    responses=responses(200, "The policy (the defaults until changed)", NotificationPolicy),
    tags=["notifications"],
)
def get_policy(tenant: str) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(table.policy(caller(app).tenant_id).model_dump_json())


@api_route(
    router,
    "PUT",
    "/v1/tenants/{tenant}/notification-policy",
    access=Access.TENANT_KEY,
    summary="Replace the notification policy; a bad route, matcher or channel id gets a 422 naming the field",
    responses=responses(200, "The policy now in force", NotificationPolicy),
    tags=["notifications"],
)
def put_policy(tenant: str, body: Annotated[NotificationPolicy, Body(description="The whole policy")]) -> Response[str]:
    _, table, _ = _adapters(_settings())
    owner = caller(app).tenant_id
    check_policy(body, table.channels(owner))
    table.put_policy(owner, body)
    return ok_json(body.model_dump_json())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/silences",
    access=Access.TENANT_KEY,
    summary="Every silence, active, pending and ended",
    responses=responses(200, "Silences", SilenceList),
    tags=["notifications"],
)
def get_silences(tenant: str) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(SilenceList(items=table.silences(caller(app).tenant_id)).model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/silences",
    access=Access.TENANT_KEY,
    summary="Silence matching alerts for a while (or until an incident resolves); they are kept, not notified",
    responses=responses(201, "The silence", Silence),
    tags=["notifications"],
)
def post_silence(tenant: str, body: Annotated[SilenceCreate, Body(description="The silence")]) -> Response[str]:
    _, table, _ = _adapters(_settings())
    silence = create_silence(caller(app).tenant_id, body, utc_now())
    table.put_silence(silence)
    return ok_json(silence.model_dump_json(), HTTPStatus.CREATED)


@api_route(
    router,
    "DELETE",
    "/v1/tenants/{tenant}/silences/{silence_id}",
    access=Access.TENANT_KEY,
    summary="End a silence now (it stays in the list, ended)",
    responses=responses(200, "The ended silence", Silence),
    tags=["notifications"],
)
def delete_silence(tenant: str, silence_id: Annotated[str, Path(pattern=SILENCE_ID_PATTERN)]) -> Response[str]:
    _, table, _ = _adapters(_settings())
    owner = caller(app).tenant_id
    ended = expire_silence(table.silence(owner, silence_id), silence_id, "api", utc_now())
    table.put_silence(ended)
    return ok_json(ended.model_dump_json())


# -- acknowledgements, history, incidents ------------------------------------------------------------------


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/alerts/{alert_id}/acknowledgement",
    access=Access.TENANT_KEY,
    summary="Acknowledge an alert: its story pages nobody else (unless more severe) and escalation stops",
    responses=responses(200, "The acknowledgement", Acknowledgement),
    tags=["notifications"],
)
def post_acknowledgement(
    tenant: str,
    alert_id: Annotated[str, Path(pattern=ALERT_ID)],
    body: Annotated[AcknowledgeRequest, Body(description="Who acknowledges, and why")],
) -> Response[str]:
    ack = acknowledge(caller(app).tenant_id, alert_id, body.by, "api", body.comment, _ports(), utc_now())
    return ok_json(ack.model_dump_json())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/notifications",
    access=Access.TENANT_KEY,
    summary="Every notification, newest first (firing, resolved, repeat, escalation, test, notices)",
    responses=responses(200, "A page of notifications", NotificationPage),
    tags=["notifications"],
)
def get_notifications(
    tenant: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(list_notifications(table, caller(app), limit, cursor).model_dump_json())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/notifications/{notification_id}",
    access=Access.TENANT_KEY,
    summary="One notification as sent, with each channel's delivery and every attempt",
    responses=responses(200, "The notification and its deliveries", NotificationView),
    tags=["notifications"],
)
def get_notification(tenant: str, notification_id: Annotated[str, Path(pattern=NOTIFICATION_ID)]) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(notification_view(table, caller(app), notification_id).model_dump_json())


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/incidents",
    access=Access.TENANT_KEY,
    summary="Incidents, newest first, with time to detect, acknowledge and resolve",
    responses=responses(200, "A page of incidents", IncidentPage),
    tags=["incidents"],
)
def get_incidents(
    tenant: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(list_incidents(table, caller(app), limit, cursor).model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/incidents",
    access=Access.TENANT_KEY,
    summary="Open an incident by hand (alerts on its story, if given, join it)",
    responses=responses(201, "The incident and its timeline", IncidentView),
    tags=["incidents"],
)
def post_incident(tenant: str, body: Annotated[IncidentCreate, Body()]) -> Response[str]:
    _, table, _ = _adapters(_settings())
    opened = open_incident(table, caller(app).tenant_id, body, utc_now())
    return ok_json(opened.model_dump_json(), HTTPStatus.CREATED)


@api_route(
    router,
    "GET",
    "/v1/tenants/{tenant}/incidents/{incident_id}",
    access=Access.TENANT_KEY,
    summary="One incident with its timeline: first mention, alerts, notifications, acknowledgements, changes, notes",
    responses=responses(200, "The incident and its timeline", IncidentView),
    tags=["incidents"],
)
def get_incident(tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)]) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(view(table, caller(app).tenant_id, incident_id).model_dump_json())


@api_route(
    router,
    "PATCH",
    "/v1/tenants/{tenant}/incidents/{incident_id}",
    access=Access.TENANT_KEY,
    summary="Change an incident's state (investigating → identified → monitoring → resolved), owner or severity",
    responses=responses(200, "The incident and its timeline", IncidentView),
    tags=["incidents"],
)
def patch_incident(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[IncidentPatch, Body()]
) -> Response[str]:
    _, table, _ = _adapters(_settings())
    return ok_json(change_incident(table, caller(app).tenant_id, incident_id, body, utc_now()).model_dump_json())


@api_route(
    router,
    "POST",
    "/v1/tenants/{tenant}/incidents/{incident_id}/notes",
    access=Access.TENANT_KEY,
    summary="Add a note to an incident's timeline",
    responses=responses(201, "The incident and its timeline", IncidentView),
    tags=["incidents"],
)
def post_note(
    tenant: str, incident_id: Annotated[str, Path(pattern=INCIDENT_ID)], body: Annotated[NoteCreate, Body()]
) -> Response[str]:
    _, table, _ = _adapters(_settings())
    noted = add_note(table, caller(app).tenant_id, incident_id, body, utc_now())
    return ok_json(noted.model_dump_json(), HTTPStatus.CREATED)


# -- the signed one-click link -----------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>{title} · Sigap</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}}
button{{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#0b5cad;color:#fff;cursor:pointer}}
.muted{{color:#555}}</style></head>
<body><h1>{title}</h1>{body}<p class="muted">Sigap</p></body></html>"""


def _page(status: HTTPStatus, title: str, body: str) -> Response[str]:
    return Response(
        status_code=status.value,
        content_type="text/html; charset=utf-8",
        body=_PAGE.format(title=html.escape(title), body=body),
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _claims(token: str) -> tuple[str, str] | Response[str]:
    try:
        action, tenant_id, alert_id = read_token(link_key(_settings().link_key_secret), token, utc_now())
    except LinkError as problem:
        return _page(HTTPStatus.BAD_REQUEST, "This link cannot be used", f"<p>{html.escape(str(problem))}.</p>")
    if action != "ack":
        return _page(HTTPStatus.BAD_REQUEST, "This link cannot be used", "<p>It is not an acknowledgement link.</p>")
    return tenant_id, alert_id


@api_route(
    router,
    "GET",
    "/v1/ack/{token}",
    access=Access.PUBLIC,
    summary="The page behind a message's acknowledgement link: asks to confirm (link scanners only GET)",
    tags=["notifications"],
)
def get_ack_page(token: Annotated[str, Path(min_length=10, max_length=1024)]) -> Response[str]:
    claims = _claims(token)
    if isinstance(claims, Response):
        return claims
    tenant_id, alert_id = claims
    alert = AlertsTable(_settings().alerts_table).get(tenant_id, alert_id)
    if alert is None:
        return _page(HTTPStatus.NOT_FOUND, "Alert not found", "<p>This alert no longer exists.</p>")
    body = (
        f"<p><strong>{html.escape(alert.severity.value.upper())}</strong> · {html.escape(alert.summary)}</p>"
        f"<p class=muted>{html.escape(tenant_id)} · {html.escape(alert.status.value)}</p>"
        '<form method="post"><button type="submit">Acknowledge / Tangani</button></form>'
    )
    body += "<p class=muted>Alerts sent together with it in a message are acknowledged with it.</p>"
    return _page(HTTPStatus.OK, "Acknowledge this alert?", body)


@api_route(
    router,
    "POST",
    "/v1/ack/{token}",
    access=Access.PUBLIC,
    summary="Acknowledge the alert a signed link names (the confirmation button of its page)",
    tags=["notifications"],
)
def post_ack_page(token: Annotated[str, Path(min_length=10, max_length=1024)]) -> Response[str]:
    claims = _claims(token)
    if isinstance(claims, Response):
        return claims
    tenant_id, alert_id = claims
    try:
        ack = acknowledge(tenant_id, alert_id, "a message's recipient", "link", "", _ports(), utc_now())
    except NotFoundError:
        return _page(HTTPStatus.NOT_FOUND, "Alert not found", "<p>This alert no longer exists.</p>")
    return _page(
        HTTPStatus.OK,
        "Acknowledged",
        f"<p>Acknowledged at {html.escape(ack.at.strftime('%Y-%m-%d %H:%M UTC'))}. Escalation has stopped; "
        "nobody else is paged about this story unless it gets worse.</p>",
    )


app = new_resolver()
app.include_router(router)


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
    tenants, _, _ = _adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=64 * 1024, settings=settings)


__all__ = ["app", "handle", "router"]
