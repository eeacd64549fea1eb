"""A notifier and a delivery worker on a hand-driven clock, over the real adapters under moto (the
notifications table, SSM secrets, the alerts table, the dead-letter queue), with the timer and delivery
queues replaced by in-memory lists so a test can step through group_wait, group_interval and retry delays
without waiting for them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from sigap.detection.domain.models import (
    Alert,
    AlertStatus,
    AlertTransition,
    Evidence,
    Ranked,
    Rule,
    Scope,
    Severity,
    TransitionKind,
)
from sigap.detection.store import AlertsTable
from sigap.notify.domain.configuration import UrlPolicy, create_channel
from sigap.notify.domain.delivery import DeliveryPorts, deliver
from sigap.notify.domain.links import link_maker
from sigap.notify.domain.models import DeliveryTask, Notification, Timer
from sigap.notify.domain.notifier import handle_timer, handle_transition
from sigap.notify.domain.ports import NotifierPorts
from sigap.notify.domain.routing import NotificationPolicy
from sigap.notify.store import NotificationsTable, StoredConfiguration
from sigap.outbound.domain.models import (
    Channel,
    ChannelCreate,
    ChannelSecret,
    ChannelType,
    DeliveryError,
    DeliveryReceipt,
    OutboundMessage,
)
from sigap.outbound.providers import Providers
from sigap.outbound.secrets import ChannelSecrets
from sigap.platform.sqs import DeadLetterQueue
from sigap.tenants.store import TenantStore
from tests.integration.conftest import AwsStack

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LINK_KEY = b"test-link-key"
STORY = "s-0123456789ab"


def make_alert(
    number: int = 1,
    *,
    tenant: str = "brand-a",
    severity: Severity = Severity.CRITICAL,
    rule: Rule = Rule.STORY_SPREAD,
    subject: str = STORY,
    status: AlertStatus = AlertStatus.FIRING,
    version: int = 1,
    fired_at: datetime = T0,
    scope: Scope = Scope.NATIONAL,
) -> Alert:
    return Alert(
        alert_id=f"{fired_at:%Y%m%dT%H%M}-{number:020x}",
        tenant_id=tenant,
        fingerprint=f"fp-{number}",
        rule=rule,
        subject=subject,
        severity=severity,
        scope=scope,
        status=status,
        started_at=fired_at - timedelta(minutes=20),
        fired_at=fired_at,
        last_seen_at=fired_at,
        resolved_at=fired_at + timedelta(hours=1) if status is AlertStatus.RESOLVED else None,
        summary=f"Story {subject} spreading: 120 authors in 15 minutes",
        evidence=Evidence(
            measure="distinct authors of the story",
            observed=120,
            expected=3,
            threshold=20,
            window_minutes=15,
            mentions=150,
            distinct_authors=120,
            negative_share=0.9,
            baseline_negative_share=0.2,
            top_stories=[Ranked(name=subject if subject.startswith("s-") else STORY, mentions=140)],
        ),
        version=version,
    )


def transition(alert: Alert, kind: TransitionKind | None = None, at: datetime | None = None) -> AlertTransition:
    kind = kind or (TransitionKind.RESOLVED if alert.status is AlertStatus.RESOLVED else TransitionKind.FIRED)
    return AlertTransition(
        transition_id=f"{alert.alert_id}-v{alert.version}", kind=kind, at=at or alert.last_seen_at, alert=alert
    )


@dataclass
class Sent:
    channel_id: str
    channel_type: ChannelType
    message: OutboundMessage


@dataclass
class RecordingSender:
    """Stands in for a provider: records each send; fails the first `fail_first` calls or when `failing`."""

    channel_type: ChannelType
    log: list[Sent]
    fail_first: int = 0
    failing: DeliveryError | None = None
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        with self.lock:
            self.calls += 1
            if self.failing is not None:
                raise self.failing
            if self.calls <= self.fail_first:
                raise DeliveryError("the receiver answered 503", retryable=True, status_code=503)
            self.log.append(Sent(channel.channel_id, channel.type, message))
        return DeliveryReceipt(channel_id=channel.channel_id, status_code=200, duration_ms=1, at=message.created_at)


class Timers:
    def __init__(self) -> None:
        self.pending: list[Timer] = []

    def schedule(self, timers: Any, now: datetime) -> None:
        self.pending.extend(timers)


class Deliveries:
    def __init__(self) -> None:
        self.pending: list[tuple[datetime | None, DeliveryTask]] = []

    def send(self, tasks: Any) -> None:
        self.pending.extend((None, task) for task in tasks)


class Requeue:
    def __init__(self, harness: Harness) -> None:
        self._harness = harness

    def later(self, task: DeliveryTask, delay_seconds: float) -> None:
        self._harness.deliveries.pending.append((self._harness.now + timedelta(seconds=delay_seconds), task))

    def send(self, tasks: list[DeliveryTask]) -> None:
        self._harness.deliveries.send(tasks)


class Harness:
    def __init__(self, aws: AwsStack, agency: str | None = None) -> None:
        aws.use_function_environment("NotifierFunction")
        self.aws = aws
        self.now = T0
        self.table = NotificationsTable(aws.table("NotificationsTable"))
        self.alerts = AlertsTable(aws.table("AlertsTable"))
        self.tenants = TenantStore(aws.table("TenantsTable"))
        self.secrets = ChannelSecrets("/sigap/test")
        self.timers = Timers()
        self.deliveries = Deliveries()
        self.sent: list[Sent] = []
        self.senders = {kind: RecordingSender(kind, self.sent) for kind in ChannelType}
        self.dead_letter_url = aws.queue_url("DeliveryDeadLetterQueue")
        self.ports = NotifierPorts(
            config=StoredConfiguration(self.table, self.tenants),
            store=self.table,
            alerts=self.alerts,
            timers=self.timers,
            deliveries=self.deliveries,
            links=link_maker("https://api.sigap.test", LINK_KEY, lambda: self.now),
            agency=agency,
        )
        self.schedule: tuple[int, ...] = (0, 5, 300, 1800)
        self.providers: Providers | None = None

    def delivery_ports(self) -> DeliveryPorts:
        return DeliveryPorts(
            store=self.table,
            secrets=self.secrets,
            senders=self.providers or Providers("alerts@sigap.test", overrides=dict(self.senders)),
            requeue=Requeue(self),
            dead_letters=DeadLetterQueue(self.dead_letter_url),
            incidents=self.table,
            schedule=self.schedule,
        )

    # -- set-up ---------------------------------------------------------------------------------------

    def channel(self, channel_type: ChannelType, owner: str = "brand-a", name: str | None = None) -> Channel:
        settings: dict[str, Any] = {
            ChannelType.EMAIL: {"type": "email", "to": ["rina@brand.test"]},
            ChannelType.SLACK: {"type": "slack", "webhook_url": "https://hooks.slack.com/services/T0/B0/x"},
            ChannelType.TEAMS: {"type": "teams", "webhook_url": "https://prod.logic.azure.com/workflows/x"},
            ChannelType.WEBHOOK: {"type": "webhook", "url": "https://hooks.brand.test/sigap"},
            ChannelType.SNS: {"type": "sns", "topic_arn": f"arn:aws:sns:us-east-1:123456789012:sigap_{owner}_pager"},
        }[channel_type]
        request = ChannelCreate(name=name or f"{channel_type.value} of {owner}", settings=settings)
        public = UrlPolicy(resolver=lambda host, port: ["93.184.216.34"])
        return create_channel(owner, request, self.table, self.secrets, public, self.now).channel

    def policy(self, owner: str, policy: dict[str, Any]) -> NotificationPolicy:
        parsed = NotificationPolicy.model_validate(policy)
        self.table.put_policy(owner, parsed)
        return parsed

    # -- driving ----------------------------------------------------------------------------------------

    def fire(self, alert: Alert, kind: TransitionKind | None = None) -> list[str]:
        stored = self.alerts.get(alert.tenant_id, alert.alert_id)
        self.alerts.save(alert, stored.version if stored else 0, None)
        return handle_transition(transition(alert, kind, at=self.now), self.ports, self.now)

    def advance(self, seconds: float) -> None:
        """Moves the clock, running every timer and delivery that falls due on the way, in time order."""
        end = self.now + timedelta(seconds=seconds)
        while True:
            self.deliver_ready()
            due = sorted(
                [timer.due_at for timer in self.timers.pending]
                + [at for at, _ in self.deliveries.pending if at is not None]
            )
            if not due or due[0] > end:
                break
            self.now = max(self.now, due[0])
            ready = [timer for timer in self.timers.pending if timer.due_at <= self.now]
            self.timers.pending = [timer for timer in self.timers.pending if timer.due_at > self.now]
            for timer in ready:
                handle_timer(timer, self.ports, self.now)
        self.now = end
        self.deliver_ready()

    def deliver_ready(self) -> None:
        while True:
            ready = [(at, task) for at, task in self.deliveries.pending if at is None or at <= self.now]
            if not ready:
                return
            self.deliveries.pending = [
                (at, task) for at, task in self.deliveries.pending if at is not None and at > self.now
            ]
            for _, task in ready:
                deliver(task, self.delivery_ports(), self.now)

    # -- reading --------------------------------------------------------------------------------------

    def notifications(self, owner: str = "brand-a") -> list[Notification]:
        rows, _ = self.table.history(owner, 100, None)
        found = [self.table.notification(owner, row["notification_id"]) for row in rows]
        return sorted((n for n in found if n is not None), key=lambda n: (n.created_at, n.notification_id))

    def sent_to(self, channel_id: str) -> list[OutboundMessage]:
        return [sent.message for sent in self.sent if sent.channel_id == channel_id]

    def dead_letters(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        found = []
        while True:
            answer = sqs.receive_message(
                QueueUrl=self.dead_letter_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            )
            messages = answer.get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append({"body": message["Body"], "reason": message["MessageAttributes"]["reason"]["StringValue"]})
