"""The notification policy (routing tree, quiet hours, inhibition, escalation) and silences."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.identity import Permission
from sigap.kernel.models import utc_now
from sigap.notify.api.wiring import (
    SilenceList,
    adapters,
    settings_of,
)
from sigap.notify.domain.configuration import (
    check_policy,
    create_silence,
    expire_silence,
)
from sigap.notify.domain.routing import NotificationPolicy
from sigap.notify.domain.silences import SILENCE_ID_PATTERN, Silence, SilenceCreate
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, principal_of

router = APIGatewayHttpRouter()
routes = Routes(router, "notifications")


@routes.get("/v1/tenants/{tenant}/notification-policy", answer="The policy (the defaults until changed)")
def get_policy(tenant: str) -> NotificationPolicy:
    """The routing tree, quiet hours, inhibition, escalation policies and incident settings in force."""
    _, table, _ = adapters(settings_of(router))
    return table.policy(caller(router).tenant_id)


@routes.put("/v1/tenants/{tenant}/notification-policy", answer="The policy now in force")
def put_policy(
    tenant: str, body: Annotated[NotificationPolicy, Body(description="The whole policy")]
) -> NotificationPolicy:
    """Replace the notification policy; a bad route, matcher or channel id gets a 422 naming the field."""
    _, table, _ = adapters(settings_of(router))
    owner = caller(router).tenant_id
    check_policy(body, table.channels(owner))
    table.put_policy(owner, body)
    return body


@routes.get("/v1/tenants/{tenant}/silences", answer="Silences")
def get_silences(tenant: str) -> SilenceList:
    """Every silence, active, pending and ended."""
    _, table, _ = adapters(settings_of(router))
    return SilenceList(items=table.silences(caller(router).tenant_id))


@routes.post(
    "/v1/tenants/{tenant}/silences",
    actor="created_by",
    permission=Permission.RESPOND,
    answer="The silence",
    status=HTTPStatus.CREATED,
)
def post_silence(tenant: str, body: Annotated[SilenceCreate, Body(description="The silence")]) -> Silence:
    """Silence matching alerts for a while (or until an incident resolves); they are kept, not notified."""
    _, table, _ = adapters(settings_of(router))
    silence = create_silence(caller(router).tenant_id, body, utc_now())
    table.put_silence(silence)
    return silence


@routes.delete("/v1/tenants/{tenant}/silences/{silence_id}", permission=Permission.RESPOND, answer="The ended silence")
def delete_silence(tenant: str, silence_id: Annotated[str, Path(pattern=SILENCE_ID_PATTERN)]) -> Silence:
    """End a silence now (it stays in the list, ended)."""
    _, table, _ = adapters(settings_of(router))
    owner = caller(router).tenant_id
    ended = expire_silence(table.silence(owner, silence_id), silence_id, principal_of(router).actor, utc_now())
    table.put_silence(ended)
    return ended
