"""What a tenant configures for delivery, with the checks that make a bad value a 422 naming its field:
channels (each URL checked against SSRF when saved, and again at every connection), the notification policy
(its receivers must be the tenant's channels), silences and their expiry."""

from __future__ import annotations

import base64
import hashlib
import secrets as random_secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sigap.kernel.errors import NotFoundError, SigapError
from sigap.notify.domain.routing import NotificationPolicy
from sigap.notify.domain.silences import Silence, SilenceCreate, new_silence
from sigap.outbound.domain.models import (
    Channel,
    ChannelCreate,
    ChannelSecret,
    ChannelType,
    CreatedChannel,
    EmailSettings,
    SlackSettings,
    SnsSettings,
    TeamsSettings,
    WebhookSettings,
)
from sigap.outbound.domain.ssrf import Resolver, UnsafeUrlError, resolve_target, system_resolver

ROTATION_OVERLAP = timedelta(hours=24)
MAX_CHANNELS = 50


def topic_prefix(tenant_id: str) -> str:
    """What an SNS channel's topic name starts with: the tenant's own namespace. The functions may publish only to
    topics named `sigap_*` (their IAM policy), and a tenant only to its own (this check): neither the stack's
    alarm and feedback topics nor another tenant's can be a channel. Tenant ids never hold '_', so
    `sigap_acme_` is never a prefix of `sigap_acme-foods_`."""
    return f"sigap_{tenant_id}_"


def _check_topic_is_the_tenants(tenant_id: str, topic_arn: str) -> None:
    name = topic_arn.rsplit(":", 1)[-1]
    if not name.startswith(topic_prefix(tenant_id)) or name == topic_prefix(tenant_id):
        raise InvalidSettingError(
            "settings.topic_arn",
            f"the topic's name must start with {topic_prefix(tenant_id)} (this tenant's own topics; "
            f"the stack may publish to no other), e.g. {topic_prefix(tenant_id)}alerts",
        )


class InvalidSettingError(SigapError, ValueError):
    """A value a tenant sent cannot be used: `field` names it (for the 422's `fields`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class ChannelStore(Protocol):
    def channels(self, owner: str) -> list[Channel]: ...

    def channel(self, owner: str, channel_id: str) -> Channel | None: ...

    def save_channel(self, channel: Channel, expected_version: int) -> bool: ...

    def delete_channel(self, owner: str, channel_id: str) -> None: ...


class SecretStore(Protocol):
    def put(self, owner: str, channel_id: str, secret: ChannelSecret) -> None: ...

    def secret(self, owner: str, channel_id: str) -> ChannelSecret | None: ...

    def delete(self, owner: str, channel_id: str) -> None: ...


@dataclass(frozen=True)
class UrlPolicy:
    allow_loopback: bool = False
    resolver: Resolver = system_resolver

    def check(self, field: str, url: str) -> None:
        try:
            resolve_target(url, allow_loopback=self.allow_loopback, resolver=self.resolver)
        except UnsafeUrlError as exc:
            raise InvalidSettingError(field, str(exc)) from exc


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(random_secrets.token_bytes(32)).decode()


def _mask(url: str) -> str:
    head, _, tail = url.partition("://")
    host = tail.split("/", 1)[0]
    return f"{head}://{host}/…{hashlib.sha256(url.encode()).hexdigest()[:6]}"


def create_channel(
    owner: str,
    request: ChannelCreate,
    store: ChannelStore,
    secrets: SecretStore,
    urls: UrlPolicy,
    now: datetime,
    new_id: Callable[[], str] = lambda: f"ch-{random_secrets.token_hex(6)}",
) -> CreatedChannel:
    if len(store.channels(owner)) >= MAX_CHANNELS:
        raise InvalidSettingError("settings", f"a tenant may have at most {MAX_CHANNELS} channels")
    settings = request.settings
    channel_id = new_id()
    shown_secret: str | None = None
    secret: ChannelSecret | None = None
    base = {
        "channel_id": channel_id,
        "tenant_id": owner,
        "name": request.name,
        "language": request.language,
        "created_at": now,
    }
    if isinstance(settings, EmailSettings):
        channel = Channel(**base, type=ChannelType.EMAIL, target=", ".join(settings.to), to=list(settings.to))
    elif isinstance(settings, SnsSettings):
        _check_topic_is_the_tenants(owner, settings.topic_arn)
        channel = Channel(**base, type=ChannelType.SNS, target=settings.topic_arn, topic_arn=settings.topic_arn)
    elif isinstance(settings, SlackSettings | TeamsSettings):
        urls.check("settings.webhook_url", settings.webhook_url)
        secret = ChannelSecret(url=settings.webhook_url)
        channel = Channel(**base, type=settings.type, target=_mask(settings.webhook_url), secret_versions=1)
    else:
        assert isinstance(settings, WebhookSettings)
        urls.check("settings.url", settings.url)
        signing = settings.secret or new_webhook_secret()
        shown_secret = None if settings.secret else signing
        secret = ChannelSecret(signing=[signing])
        channel = Channel(**base, type=ChannelType.WEBHOOK, target=settings.url, url=settings.url, secret_versions=1)
    if secret is not None:
        secrets.put(owner, channel_id, secret)  # the secret first: a channel never exists without it
    store.save_channel(channel, 0)
    return CreatedChannel(channel=channel, signing_secret=shown_secret)


def rotate_webhook_secret(
    owner: str, channel_id: str, store: ChannelStore, secrets: SecretStore, now: datetime
) -> CreatedChannel:
    """A new signing secret, shown once; the previous one keeps signing for 24 hours beside it."""
    channel = store.channel(owner, channel_id)
    if channel is None:
        raise NotFoundError(f"no channel {channel_id!r}")
    if channel.type is not ChannelType.WEBHOOK:
        raise InvalidSettingError("channel_id", "only webhook channels have a signing secret to rotate")
    current = secrets.secret(owner, channel_id) or ChannelSecret()
    fresh = new_webhook_secret()
    secrets.put(
        owner, channel_id, ChannelSecret(signing=[fresh, *current.signing[:1]], previous_until=now + ROTATION_OVERLAP)
    )
    updated = channel.model_copy(
        update={"secret_versions": channel.secret_versions + 1, "version": channel.version + 1}
    )
    store.save_channel(updated, channel.version)
    return CreatedChannel(channel=updated, signing_secret=fresh)


def delete_channel(owner: str, channel_id: str, store: ChannelStore, secrets: SecretStore) -> None:
    if store.channel(owner, channel_id) is None:
        raise NotFoundError(f"no channel {channel_id!r}")
    store.delete_channel(owner, channel_id)
    secrets.delete(owner, channel_id)


def set_enabled(owner: str, channel_id: str, enabled: bool, store: ChannelStore) -> Channel:
    channel = store.channel(owner, channel_id)
    if channel is None:
        raise NotFoundError(f"no channel {channel_id!r}")
    updated = channel.model_copy(
        update={
            "enabled": enabled,
            "disabled_reason": None if enabled else "disabled by the tenant",
            "failing_since": None,
            "version": channel.version + 1,
        }
    )
    store.save_channel(updated, channel.version)
    return updated


def check_policy(policy: NotificationPolicy, channels: list[Channel]) -> None:
    """Every receiver a policy names must be one of the tenant's channels."""
    known = {channel.channel_id for channel in channels}
    unknown = sorted(policy.channel_ids() - known)
    if unknown:
        raise InvalidSettingError("route", f"unknown channel id(s): {', '.join(unknown)}; create them first")


def create_silence(tenant_id: str, request: SilenceCreate, now: datetime) -> Silence:
    try:
        return new_silence(tenant_id, request, f"sil-{random_secrets.token_hex(6)}", now)
    except ValueError as exc:
        raise InvalidSettingError("ends_at", str(exc)) from exc


def expire_silence(silence: Silence | None, silence_id: str, by: str, now: datetime) -> Silence:
    if silence is None:
        raise NotFoundError(f"no silence {silence_id!r}")
    if not silence.active(now) and silence.starts_at <= now:
        return silence
    return silence.model_copy(update={"expired_at": now, "expired_reason": f"ended by {by}"})
