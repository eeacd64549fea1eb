"""The publisher's adapters for one tenant, on what its settings name: used by the publisher's batch
(`publisher_consumer`) and the reminders run (`reminders_tick`), which both publish and send for a tenant."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sigap.incidents.store import AllIncidents, IncidentsTable
from sigap.outbound.domain.models import Channel, ChannelSecret, DeliveryReceipt, OutboundMessage
from sigap.outbound.providers import Providers, SesMailer
from sigap.outbound.secrets import ChannelSecrets
from sigap.outbound.store import ChannelsTable
from sigap.platform.link_key import link_key
from sigap.platform.sqs import DeadLetterQueue
from sigap.statements.domain.publisher_ports import PublisherPorts, SiteLinks
from sigap.statements.queue import PublicationQueue
from sigap.statements.settings import PublishingSettings
from sigap.statements.site_bucket import SiteBucket
from sigap.statements.store import PublishingTable
from sigap.tenants.store import TenantStore


@dataclass(frozen=True)
class ChannelSenders:
    """A tenant's channels, their secrets and the provider of each type, as the publisher needs them."""

    table: ChannelsTable
    secrets: ChannelSecrets
    providers: Providers

    def channel(self, tenant_id: str, channel_id: str) -> Channel | None:
        return self.table.channel(tenant_id, channel_id)

    def secret(self, tenant_id: str, channel_id: str) -> ChannelSecret | None:
        return self.secrets.secret(tenant_id, channel_id)

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        return self.providers.for_type(channel.type).send(channel, secret, message)


class _NoDeadLetters:
    def put(self, body: str, reason: str, tenant_id: str | None = None) -> None:
        raise RuntimeError(f"nothing may be dead-lettered from here: {reason}")


def publisher_ports(settings: PublishingSettings, tenant_id: str, dead_letters_url: str = "") -> PublisherPorts:
    """The publisher's adapters for one tenant (its name and site address are the tenant's own)."""
    shared = shared_adapters(settings)
    tenants, incidents, table, site, queue, senders = shared
    tenant = tenants.get(tenant_id)
    return PublisherPorts(
        store=table,
        incidents=incidents,
        incident_list=AllIncidents(incidents),
        site=site,
        mailer=SesMailer(settings.email_sender, settings.email_configuration_set),
        channels=senders,
        queue=queue,
        dead_letters=DeadLetterQueue(dead_letters_url) if dead_letters_url else _NoDeadLetters(),
        links=SiteLinks(site_url=settings.site_url(tenant_id), api_url=settings.public_api_url),
        tenant_name=tenant.display_name if tenant else tenant_id,
        link_key=link_key(settings.link_key_secret),
    )


@lru_cache(maxsize=4)
def shared_adapters(
    settings: PublishingSettings,
) -> tuple[TenantStore, IncidentsTable, PublishingTable, SiteBucket, PublicationQueue, ChannelSenders]:
    # Incidents and channels live in the notifications table; each has its adapter (statements never use notify's).
    return (
        TenantStore(settings.tenants_table),
        IncidentsTable(settings.notifications_table),
        PublishingTable(settings.publishing_table),
        SiteBucket(settings.status_site_bucket),
        PublicationQueue(settings.publication_queue_url),
        ChannelSenders(
            ChannelsTable(settings.notifications_table),
            ChannelSecrets(settings.secrets_prefix),
            Providers(
                settings.email_sender,
                allow_loopback=settings.allow_loopback_receivers,
                email_configuration_set=settings.email_configuration_set,
            ),
        ),
    )
