"""Delivering one (notification, channel): sent at most once by a claim written before sending, retried on the
Svix-like schedule, then dead-lettered with its reason; a channel that answers 410 or fails for days is
disabled and the tenant told on its other channels. Every attempt is kept on the delivery record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sigap.incidents.domain.model import EventKind
from sigap.kernel.language import Language
from sigap.notify.domain.models import Attempt, Delivery, DeliveryStatus, DeliveryTask, Notification, NotificationKind
from sigap.outbound.domain.message import word
from sigap.outbound.domain.models import (
    Channel,
    ChannelSecret,
    ChannelType,
    DeliveryError,
    DeliveryReceipt,
    OutboundMessage,
)
from sigap.outbound.domain.retry import DEFAULT_SCHEDULE, next_delay

# Longer than one send can take (5 s to connect, 15 s to answer) and than the function's 30 s timeout, so a live
# claim is never taken over; a claim left by a dead worker is taken over this long after it was made.
LEASE = timedelta(seconds=35)
DISABLE_AFTER = timedelta(days=5)


class Sender(Protocol):
    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt: ...


class SenderLookup(Protocol):
    def for_type(self, channel_type: ChannelType) -> Sender: ...


class DeliveryStore(Protocol):
    def delivery(self, owner: str, notification_id: str, channel_id: str) -> Delivery | None: ...

    def save_delivery(self, delivery: Delivery, expected_version: int) -> bool: ...

    def notification(self, owner: str, notification_id: str) -> Notification | None: ...

    def put_notification(self, notification: Notification) -> None: ...

    def mark_queued(self, owner: str, notification_id: str) -> None: ...

    def channel(self, owner: str, channel_id: str) -> Channel | None: ...

    def channels(self, owner: str) -> list[Channel]: ...

    def save_channel(self, channel: Channel, expected_version: int) -> bool: ...


class IncidentNotes(Protocol):
    def note_delivery(self, notification: Notification, kind: EventKind, text: str, ref: str, at: datetime) -> None: ...


class SecretSource(Protocol):
    def secret(self, owner: str, channel_id: str) -> ChannelSecret | None: ...


class Requeue(Protocol):
    def later(self, task: DeliveryTask, delay_seconds: float) -> None: ...

    def send(self, tasks: list[DeliveryTask]) -> None: ...


class DeadLetters(Protocol):
    def put(self, body: str, reason: str, tenant_id: str | None = None) -> None: ...


@dataclass(frozen=True)
class DeliveryPorts:
    store: DeliveryStore
    secrets: SecretSource
    senders: SenderLookup
    requeue: Requeue
    dead_letters: DeadLetters
    incidents: IncidentNotes
    schedule: tuple[int, ...] = DEFAULT_SCHEDULE
    disable_after: timedelta = DISABLE_AFTER
    language_of: Callable[[str], Language] = lambda _tenant: Language.ENGLISH  # a tenant's policy language


_NEEDS_SECRET = {ChannelType.SLACK, ChannelType.TEAMS, ChannelType.WEBHOOK}


class DeliveryResult(StrEnum):
    """What became of one delivery task: the metrics count these, the logs carry the detail."""

    DELIVERED = "delivered"
    DEAD_LETTERED = "dead-lettered"
    RETRYING = "retrying"  # this attempt failed; the next one is queued
    DEFERRED = "deferred"  # queued again for when it can go ahead (a lease, a retry time)
    NOTHING_TO_DO = "nothing to do"  # already delivered or dead


@dataclass(frozen=True)
class DeliveryOutcome:
    result: DeliveryResult
    detail: str

    def __str__(self) -> str:
        return self.detail


def deliver(task: DeliveryTask, ports: DeliveryPorts, now: datetime) -> DeliveryOutcome:
    if task.not_before is not None and now < task.not_before:
        ports.requeue.later(task, (task.not_before - now).total_seconds())
        return DeliveryOutcome(DeliveryResult.DEFERRED, "waiting for its retry time")
    store = ports.store
    current = store.delivery(task.owner, task.notification_id, task.channel_id) or Delivery(
        owner=task.owner, notification_id=task.notification_id, channel_id=task.channel_id
    )
    if current.status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD):
        return DeliveryOutcome(DeliveryResult.NOTHING_TO_DO, f"already {current.status.value}")
    # A task that cannot go ahead now is queued again for when it can, never dropped: the worker holding the
    # lease may die mid-send, and a crash between storing a retry and queueing it leaves only this copy.
    if current.status is DeliveryStatus.SENDING and current.lease_until is not None and now < current.lease_until:
        ports.requeue.later(task, (current.lease_until - now).total_seconds() + 1)
        return DeliveryOutcome(
            DeliveryResult.DEFERRED, "being sent by another worker; checked again when its lease ends"
        )
    if (
        current.status is DeliveryStatus.RETRYING
        and current.next_attempt_at is not None
        and now < current.next_attempt_at - timedelta(seconds=1)
    ):
        ports.requeue.later(task, (current.next_attempt_at - now).total_seconds())
        return DeliveryOutcome(DeliveryResult.DEFERRED, "a retry is already scheduled; this copy waits for it too")
    notification = store.notification(task.owner, task.notification_id)
    channel = store.channel(task.owner, task.channel_id)
    if notification is None or channel is None or not channel.enabled:
        reason = (
            "the notification no longer exists"
            if notification is None
            else "the channel was deleted"
            if channel is None
            else f"the channel is disabled: {channel.disabled_reason or 'by its tenant'}"
        )
        _dead(task, current, reason, ports, now, attempt=None, notification=notification)
        return DeliveryOutcome(DeliveryResult.DEAD_LETTERED, f"dead-lettered: {reason}")
    claim = current.model_copy(
        update={"status": DeliveryStatus.SENDING, "lease_until": now + LEASE, "version": current.version + 1}
    )
    if not store.save_delivery(claim, current.version):
        ports.requeue.later(task, LEASE.total_seconds() + 1)
        return DeliveryOutcome(DeliveryResult.DEFERRED, "claimed by another worker; checked again when its lease ends")
    number = len(current.attempts) + 1
    try:
        secret = ports.secrets.secret(task.owner, task.channel_id) if channel.type in _NEEDS_SECRET else None
        receipt = ports.senders.for_type(channel.type).send(channel, secret, notification.message)
    except DeliveryError as failure:
        return _failed(task, claim, channel, notification, failure, number, ports, now)
    attempt = Attempt(
        number=number,
        at=now,
        outcome="delivered",
        duration_ms=receipt.duration_ms,
        status_code=receipt.status_code,
        provider_id=receipt.provider_id,
    )
    done = claim.model_copy(
        update={
            "status": DeliveryStatus.DELIVERED,
            "attempts": [*claim.attempts, attempt],
            "lease_until": None,
            "next_attempt_at": None,
            "reason": None,
            "version": claim.version + 1,
        }
    )
    store.save_delivery(done, claim.version)
    if channel.failing_since is not None:
        store.save_channel(
            channel.model_copy(update={"failing_since": None, "version": channel.version + 1}), channel.version
        )
    ports.incidents.note_delivery(
        notification,
        EventKind.NOTIFICATION_SENT,
        f"Delivered to {channel.type.value} channel {channel.name!r}",
        ref=f"{task.notification_id}|{task.channel_id}|delivered",
        at=now,
    )
    return DeliveryOutcome(DeliveryResult.DELIVERED, f"delivered (attempt {number})")


def _failed(
    task: DeliveryTask,
    claim: Delivery,
    channel: Channel,
    notification: Notification,
    failure: DeliveryError,
    number: int,
    ports: DeliveryPorts,
    now: datetime,
) -> DeliveryOutcome:
    attempt = Attempt(
        number=number, at=now, outcome="failed", status_code=failure.status_code, error=failure.reason[:500]
    )
    failing_since = channel.failing_since or now
    disable_reason = None
    if failure.disable:
        disable_reason = failure.reason
    elif now - failing_since >= ports.disable_after:
        disable_reason = f"every delivery failed for {(now - failing_since).days} days; last: {failure.reason}"
    updated_channel = channel.model_copy(
        update={
            "failing_since": failing_since,
            "enabled": channel.enabled and disable_reason is None,
            "disabled_reason": disable_reason or channel.disabled_reason,
            "version": channel.version + 1,
        }
    )
    if updated_channel != channel.model_copy(update={"version": channel.version + 1}):
        ports.store.save_channel(updated_channel, channel.version)
    if disable_reason is not None and channel.enabled:
        _tell_tenant(updated_channel, disable_reason, ports, now)
    delay = (
        next_delay(number, ports.schedule, failure.retry_after)
        if failure.retryable and disable_reason is None
        else None
    )
    if delay is None:
        reason = failure.reason if not failure.retryable else f"gave up after {number} attempts: {failure.reason}"
        _dead(task, claim, reason, ports, now, attempt=attempt, notification=notification)
        return DeliveryOutcome(DeliveryResult.DEAD_LETTERED, f"dead-lettered: {reason}")
    retrying = claim.model_copy(
        update={
            "status": DeliveryStatus.RETRYING,
            "attempts": [*claim.attempts, attempt],
            "lease_until": None,
            "next_attempt_at": now + timedelta(seconds=delay),
            "reason": failure.reason[:500],
            "version": claim.version + 1,
        }
    )
    if ports.store.save_delivery(retrying, claim.version):
        ports.requeue.later(task, delay)
    return DeliveryOutcome(
        DeliveryResult.RETRYING, f"attempt {number} failed ({failure.reason[:120]}); retry in {delay:.0f} s"
    )


def _dead(
    task: DeliveryTask,
    current: Delivery,
    reason: str,
    ports: DeliveryPorts,
    now: datetime,
    *,
    attempt: Attempt | None,
    notification: Notification | None,
) -> None:
    """Dead-lettered with its reason first, then marked dead: a crash between the two dead-letters it twice
    (harmless: same task), never zero times."""
    ports.dead_letters.put(task.model_dump_json(), reason, tenant_id=task.owner)
    dead = current.model_copy(
        update={
            "status": DeliveryStatus.DEAD,
            "attempts": [*current.attempts, attempt] if attempt else current.attempts,
            "lease_until": None,
            "next_attempt_at": None,
            "reason": reason[:1000],
            "version": current.version + 1,
        }
    )
    ports.store.save_delivery(dead, current.version)
    if notification is not None:
        ports.incidents.note_delivery(
            notification,
            EventKind.NOTIFICATION_FAILED,
            f"Not delivered to channel {task.channel_id}: {reason[:300]}",
            ref=f"{task.notification_id}|{task.channel_id}|dead",
            at=now,
        )


def _tell_tenant(channel: Channel, reason: str, ports: DeliveryPorts, now: datetime) -> None:
    """A notice on the tenant's other enabled channels that this one was disabled."""
    others = [
        c.channel_id
        for c in ports.store.channels(channel.tenant_id)
        if c.enabled and c.channel_id != channel.channel_id
    ]
    if not others:
        return
    language = ports.language_of(channel.tenant_id)
    title = {
        Language.ENGLISH: f"Sigap disabled the channel {channel.name!r}",
        Language.INDONESIAN: f"Sigap menonaktifkan saluran {channel.name!r}",
    }[language]
    notification_id = f"notice-{channel.channel_id}-{now:%Y%m%dT%H%M%S}"
    notification = Notification(
        notification_id=notification_id,
        owner=channel.tenant_id,
        kind=NotificationKind.NOTICE,
        receivers=sorted(others),
        message=OutboundMessage(
            message_id=notification_id,
            tenant_id=channel.tenant_id,
            kind=NotificationKind.NOTICE.value,
            language=language,
            title=title,
            intro=f"{reason} — {word(language, 'footer')}",
            created_at=now,
        ),
        created_at=now,
    )
    ports.store.put_notification(notification)
    ports.requeue.send(
        [DeliveryTask(owner=channel.tenant_id, notification_id=notification_id, channel_id=other) for other in others]
    )
    ports.store.mark_queued(channel.tenant_id, notification_id)
