"""A tenant's channels: created, listed, read, enabled, deleted, tested, and a webhook's secret rotated (a
secret is shown once)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.errors import NotFoundError
from sigap.kernel.models import utc_now
from sigap.notify.api.wiring import (
    CHANNEL_ID,
    ChannelList,
    ChannelPatch,
    adapters,
    ports_of,
    settings_of,
    url_policy,
)
from sigap.notify.domain.acknowledging import send_test
from sigap.notify.domain.configuration import (
    InvalidSettingError,
    create_channel,
    delete_channel,
    rotate_webhook_secret,
    set_enabled,
)
from sigap.notify.domain.models import Notification
from sigap.outbound.domain.models import Channel, ChannelCreate, ChannelType, CreatedChannel
from sigap.platform.http.gateway import Access, api_route
from sigap.platform.http.resolver import caller, ok_json, responses

router = APIGatewayHttpRouter()


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
    _, table, _ = adapters(settings_of(router))
    return ok_json(ChannelList(items=table.channels(caller(router).tenant_id)).model_dump_json())


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
    settings = settings_of(router)
    _, table, secrets = adapters(settings)
    if body.settings.type is ChannelType.EMAIL and not settings.email_sender:
        raise InvalidSettingError(
            "settings.type", "this stack has no EmailSender (an SES-verified address): redeploy with it set"
        )
    created = create_channel(caller(router).tenant_id, body, table, secrets, url_policy(router), utc_now())
    return ok_json(created.model_dump_json(), HTTPStatus.CREATED)


def _channel(channel_id: str) -> Channel:
    _, table, _ = adapters(settings_of(router))
    channel = table.channel(caller(router).tenant_id, channel_id)
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
    _, table, _ = adapters(settings_of(router))
    return ok_json(set_enabled(caller(router).tenant_id, channel_id, body.enabled, table).model_dump_json())


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
    _, table, secrets = adapters(settings_of(router))
    owner = caller(router).tenant_id
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
    owner = caller(router).tenant_id
    channel = _channel(channel_id)
    _, table, _ = adapters(settings_of(router))
    notification = send_test(owner, channel, ports_of(router), table.policy(owner).language, utc_now())
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
    _, table, secrets = adapters(settings_of(router))
    rotated = rotate_webhook_secret(caller(router).tenant_id, channel_id, table, secrets, utc_now())
    return ok_json(rotated.model_dump_json())
