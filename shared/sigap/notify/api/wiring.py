"""The notifications API's wiring: its adapters (built once per settings), the notifier's ports for the routes
that acknowledge and test, and what its routes share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from sigap.detection.store import AlertsTable
from sigap.kernel.models import utc_now
from sigap.notify.domain.configuration import (
    UrlPolicy,
)
from sigap.notify.domain.links import link_maker
from sigap.notify.domain.models import Timer
from sigap.notify.domain.ports import NotifierPorts
from sigap.notify.domain.silences import Silence
from sigap.notify.queues import DeliveryQueue
from sigap.notify.settings import NotificationsApiSettings
from sigap.notify.store import NotificationsTable, StoredConfiguration
from sigap.outbound.domain.models import Channel
from sigap.outbound.secrets import ChannelSecrets
from sigap.platform.http.resolver import HasContext, settings_in
from sigap.platform.link_key import link_key
from sigap.tenants.store import TenantStore

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

    enabled: StrictBool = Field(description="true or false (JSON booleans only: 0, 1 and 'yes' are refused)")


class _NoTimers:
    """The API schedules nothing: acknowledging stops escalations the notifier's own timers find."""

    def schedule(self, timers: Sequence[Timer], now: datetime) -> None:
        raise RuntimeError("the notifications API does not schedule timers")


@lru_cache(maxsize=1)
def adapters(settings: NotificationsApiSettings) -> tuple[TenantStore, NotificationsTable, ChannelSecrets]:
    return (
        TenantStore(settings.tenants_table),
        NotificationsTable(settings.notifications_table),
        ChannelSecrets(settings.secrets_prefix),
    )


def settings_of(router: HasContext) -> NotificationsApiSettings:
    """The function's settings, which `serve` put in the resolver's context (a router shares its app's)."""
    return settings_in(router, NotificationsApiSettings)


def public_url(router: APIGatewayHttpRouter) -> str:
    """The API's own address as the caller reached it (its links point back here)."""
    configured = settings_of(router).public_api_url
    if configured:
        return configured
    domain = router.current_event.request_context.domain_name
    return f"https://{domain}"


def ports_of(router: APIGatewayHttpRouter) -> NotifierPorts:
    settings = settings_of(router)
    tenants, table, _ = adapters(settings)
    return NotifierPorts(
        config=StoredConfiguration(table, tenants),
        store=table,
        alerts=AlertsTable(settings.alerts_table),
        timers=_NoTimers(),
        deliveries=DeliveryQueue(settings.delivery_queue_url),
        links=link_maker(public_url(router), link_key(settings.link_key_secret), utc_now),
    )


def url_policy(router: HasContext) -> UrlPolicy:
    return UrlPolicy(allow_loopback=settings_of(router).allow_loopback_receivers)
