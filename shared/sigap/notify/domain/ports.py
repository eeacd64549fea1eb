"""What the notifier reads and writes, as protocols: the tenant's configuration, the notifications table, the
alerts, the timer and delivery queues (DynamoDB and SQS adapters in `sigap.notify`, fakes in the tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sigap.detection.domain.models import Alert, AlertAcknowledgement
from sigap.incidents.domain.model import Incident, IncidentEvent
from sigap.kernel.errors import SigapError
from sigap.notify.domain.message import LinkMaker
from sigap.notify.domain.models import (
    Acknowledgement,
    AlertGroup,
    DeliveryTask,
    Escalation,
    Notification,
    Timer,
)
from sigap.notify.domain.routing import NotificationPolicy
from sigap.notify.domain.silences import Silence
from sigap.outbound.domain.models import Channel


class ConflictError(SigapError):
    """Another notifier changed the same record MAX_RACES times in a row; the message is retried."""


class Configuration(Protocol):
    def policy(self, tenant_id: str) -> NotificationPolicy: ...

    def channels(self, tenant_id: str) -> list[Channel]: ...

    def client_name(self, tenant_id: str) -> str: ...

    def silences(self, tenant_id: str) -> list[Silence]: ...


class NotifierStore(Protocol):
    def group(self, owner: str, group_id: str) -> AlertGroup | None: ...

    def save_group(self, group: AlertGroup, expected_version: int, notification: Notification | None) -> bool: ...

    def mark_queued(self, owner: str, notification_id: str) -> None: ...

    def notification(self, owner: str, notification_id: str) -> Notification | None: ...

    def put_notification(self, notification: Notification) -> None:
        """Stores it unless one with its id exists (a retried step stores it once)."""
        ...

    def acknowledgement(self, tenant_id: str, key: str) -> Acknowledgement | None: ...

    def put_acknowledgement(self, ack: Acknowledgement) -> None: ...

    def escalation(self, owner: str, group_id: str) -> Escalation | None: ...

    def save_escalation(self, escalation: Escalation, expected_version: int) -> bool: ...

    def open_incident(self, tenant_id: str, key: str) -> Incident | None: ...

    def incident(self, tenant_id: str, incident_id: str) -> Incident | None: ...

    def save_incident(self, incident: Incident, expected_version: int, events: Sequence[IncidentEvent]) -> bool:
        """Stores the incident (and its open pointer while it is not resolved) and its events."""
        ...

    def add_events(self, tenant_id: str, events: Sequence[IncidentEvent]) -> None: ...

    def expire_silences_of(self, tenant_id: str, incident_id: str, now: datetime) -> list[str]: ...


class AlertSource(Protocol):
    def get(self, tenant_id: str, alert_id: str) -> Alert | None: ...

    def record_acknowledgement(self, tenant_id: str, alert_id: str, acknowledgement: AlertAcknowledgement) -> None: ...

    def open_alerts(self, tenant_id: str) -> list[Alert]: ...


class TimerSink(Protocol):
    def schedule(self, timers: Sequence[Timer], now: datetime) -> None: ...


class DeliverySink(Protocol):
    def send(self, tasks: Sequence[DeliveryTask]) -> None: ...


@dataclass(frozen=True)
class NotifierPorts:
    config: Configuration
    store: NotifierStore
    alerts: AlertSource
    timers: TimerSink
    deliveries: DeliverySink
    links: LinkMaker
    agency: str | None = None  # an agency stack's own tenant: its routes receive every client's alerts
