"""A tenant's channels: created, listed, read, enabled, deleted, tested, and a webhook's secret rotated (a
secret is shown once)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

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
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller
from sigap.platform.public_limits import CHANNEL_TESTS

router = APIGatewayHttpRouter()
routes = Routes(router, "notifications")


@routes.get("/v1/tenants/{tenant}/channels", answer="Channels")
def get_channels(tenant: str) -> ChannelList:
    """The tenant's channels (secrets are never shown)."""
    _, table, _ = adapters(settings_of(router))
    return ChannelList(items=table.channels(caller(router).tenant_id))


@routes.post(
    "/v1/tenants/{tenant}/channels",
    answer="The channel (and a generated signing secret, shown once)",
    status=HTTPStatus.CREATED,
)
def post_channel(tenant: str, body: Annotated[ChannelCreate, Body(description="The channel")]) -> CreatedChannel:
    """Add a channel: e-mail (SES), Slack, Microsoft Teams (Workflows), a signed webhook, or an SNS topic.

    Slack and Teams URLs and webhook signing secrets go to SSM Parameter Store and are never returned; a generated
    webhook secret (`whsec_…`) is shown in this answer only. URLs must be https and resolve to public addresses."""
    settings = settings_of(router)
    _, table, secrets = adapters(settings)
    if body.settings.type is ChannelType.EMAIL and not settings.email_sender:
        raise InvalidSettingError(
            "settings.type", "this stack has no EmailSender (an SES-verified address): redeploy with it set"
        )
    return create_channel(caller(router).tenant_id, body, table, secrets, url_policy(router), utc_now())


def _channel(channel_id: str) -> Channel:
    _, table, _ = adapters(settings_of(router))
    channel = table.channel(caller(router).tenant_id, channel_id)
    if channel is None:
        raise NotFoundError(f"no channel {channel_id!r}")
    return channel


@routes.get("/v1/tenants/{tenant}/channels/{channel_id}", answer="The channel")
def get_channel(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> Channel:
    """One channel: where it sends (masked), whether it is enabled, failing since when."""
    return _channel(channel_id)


@routes.patch("/v1/tenants/{tenant}/channels/{channel_id}", answer="The channel")
def patch_channel(
    tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)], body: Annotated[ChannelPatch, Body()]
) -> Channel:
    """Enable or disable a channel (enabling clears its failure record)."""
    _, table, _ = adapters(settings_of(router))
    return set_enabled(caller(router).tenant_id, channel_id, body.enabled, table)


@routes.delete("/v1/tenants/{tenant}/channels/{channel_id}", answer="Deleted")
def delete_one_channel(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> Channel:
    """Delete a channel and its secret (routes naming it must be changed first)."""
    _, table, secrets = adapters(settings_of(router))
    owner = caller(router).tenant_id
    channel = _channel(channel_id)
    if channel_id in table.policy(owner).channel_ids():
        raise InvalidSettingError(
            "channel_id", "the notification policy names this channel; change the policy before deleting it"
        )
    delete_channel(owner, channel_id, table, secrets)
    return channel


@routes.post(
    "/v1/tenants/{tenant}/channels/{channel_id}/test",
    rate=CHANNEL_TESTS,
    answer="The test notification, queued",
    status=HTTPStatus.ACCEPTED,
)
def post_channel_test(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> Notification:
    """Send a test notification through this channel (see its delivery in /notifications)."""
    owner = caller(router).tenant_id
    channel = _channel(channel_id)
    _, table, _ = adapters(settings_of(router))
    return send_test(owner, channel, ports_of(router), table.policy(owner).language, utc_now())


@routes.post("/v1/tenants/{tenant}/channels/{channel_id}/rotate-secret", answer="The channel and its new secret")
def post_secret_rotation(tenant: str, channel_id: Annotated[str, Path(pattern=CHANNEL_ID)]) -> CreatedChannel:
    """A new webhook signing secret (shown once); the old one keeps signing beside it for 24 hours."""
    _, table, secrets = adapters(settings_of(router))
    return rotate_webhook_secret(caller(router).tenant_id, channel_id, table, secrets, utc_now())
