"""What publishing reads and writes, as protocols (the publishing table, incidents, the site, mail, channels,
the queue), its timings, and the links a published statement carries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sigap.incidents.domain.model import Incident, IncidentEvent
from sigap.outbound.domain.models import (
    Channel,
    ChannelSecret,
    DeliveryReceipt,
    OutboundMessage,
)
from sigap.statements.domain.models import (
    ChannelDelivery,
    DeliveryState,
    PublicationTask,
    PublishingSettings,
    Statement,
    Subscriber,
)
from sigap.statements.domain.site_content import SiteFile
from sigap.statements.domain.subscribers import SendingStats

PUBLISH_SCHEDULE = (0, 5, 30, 120, 300, 900, 1800, 3600)  # statements are urgent: retries come quickly
SUBSCRIBER_SLICE = 50  # recipients per task: one task's sends finish well inside the function's timeout
LEASE = timedelta(seconds=90)
THROTTLE_PAUSE = 1.0  # seconds: SES throttles per second


class Claim(StrEnum):
    NEW = "new"  # this worker sends it
    DONE = "done"  # sent (or given up on) before
    BUSY = "busy"  # another worker holds a live claim


class PublishingStore(Protocol):
    def statement(self, tenant_id: str, statement_id: str) -> Statement | None: ...

    def settings(self, tenant_id: str) -> PublishingSettings: ...

    def statements_of(self, tenant_id: str) -> list[Statement]: ...

    def claim(self, tenant_id: str, statement_id: str, version: int, key: str, now: datetime) -> Claim: ...

    def release(self, tenant_id: str, statement_id: str, version: int, key: str) -> None: ...

    def finish(
        self,
        tenant_id: str,
        statement_id: str,
        version: int,
        keys: Sequence[str],
        target: str,
        outcome: DeliveryState,
        now: datetime,
        error: str | None = None,
    ) -> None: ...

    def mark(self, tenant_id: str, statement_id: str, version: int, delivery: ChannelDelivery) -> None: ...

    def confirmed_subscribers(self, tenant_id: str) -> list[Subscriber]: ...

    def subscribers_by_email(self, tenant_id: str, emails: Sequence[str]) -> dict[str, Subscriber]: ...

    def suppressed(self, tenant_id: str, emails: Sequence[str]) -> set[str]: ...

    def stats(self, tenant_id: str) -> SendingStats: ...

    def count_sent(self, tenant_id: str, sent: int) -> None: ...


class IncidentReader(Protocol):
    def incident(self, tenant_id: str, incident_id: str) -> Incident | None: ...

    def add_events(self, tenant_id: str, events: Sequence[IncidentEvent]) -> None: ...


class IncidentLister(Protocol):
    def all_incidents(self, tenant_id: str) -> list[Incident]: ...


class SiteWriter(Protocol):
    def write(self, tenant_id: str, files: dict[str, SiteFile]) -> None: ...


class Mailer(Protocol):
    def send(
        self, to: Sequence[str], subject: str, text: str, html: str, headers: dict[str, str], tags: dict[str, str]
    ) -> str: ...


class ChannelSenders(Protocol):
    def channel(self, tenant_id: str, channel_id: str) -> Channel | None: ...

    def secret(self, tenant_id: str, channel_id: str) -> ChannelSecret | None: ...

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt: ...


class TaskQueue(Protocol):
    def send(self, tasks: Sequence[PublicationTask]) -> None: ...

    def later(self, task: PublicationTask, delay_seconds: float) -> None: ...


class DeadLetters(Protocol):
    def put(self, body: str, reason: str, tenant_id: str | None = None) -> None: ...


@dataclass(frozen=True)
class SiteLinks:
    """Where the public can read and subscribe."""

    site_url: str  # the tenant's status page, ending in '/'
    api_url: str  # the API's base, for subscribe and unsubscribe links

    def subscribe_url(self, tenant_id: str) -> str:
        return f"{self.api_url.rstrip('/')}/v1/status/{tenant_id}/subscribe"

    def confirm_url(self, tenant_id: str, token: str) -> str:
        return f"{self.api_url.rstrip('/')}/v1/status/{tenant_id}/confirm/{token}"

    def unsubscribe_url(self, tenant_id: str, token: str) -> str:
        return f"{self.api_url.rstrip('/')}/v1/status/{tenant_id}/unsubscribe/{token}"


@dataclass(frozen=True)
class PublisherPorts:
    store: PublishingStore
    incidents: IncidentReader
    incident_list: IncidentLister
    site: SiteWriter
    mailer: Mailer
    channels: ChannelSenders
    queue: TaskQueue
    dead_letters: DeadLetters
    links: SiteLinks
    tenant_name: str
    link_key: bytes


class StatementGoneError(Exception):
    """The task names a statement version that does not exist (a poison message)."""
