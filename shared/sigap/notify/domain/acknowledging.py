"""Acknowledging an alert (through the API or a message's signed link), and a channel's test message."""

from __future__ import annotations

from datetime import datetime, timedelta

from sigap.detection.domain.models import Alert, AlertAcknowledgement, AlertStatus
from sigap.detection.domain.story import story_key
from sigap.incidents.domain.model import EventKind, event
from sigap.kernel.errors import NotFoundError
from sigap.kernel.language import Language
from sigap.kernel.races import LOST_RACE, LostRace, retry_on_conflict
from sigap.notify.domain.grouping import group_id_for
from sigap.notify.domain.models import Acknowledgement, Notification, NotificationKind
from sigap.notify.domain.notifier import queue_deliveries
from sigap.notify.domain.ports import ConflictError, NotifierPorts
from sigap.notify.domain.routing import alert_labels, matching_routes
from sigap.outbound.domain.models import Channel, OutboundMessage


def acknowledge(
    tenant_id: str, alert_id: str, by: str, via: str, comment: str, ports: NotifierPorts, now: datetime
) -> Acknowledgement:
    """Acknowledges the alert and every firing alert grouped with it in the tenant's notifications (what one
    message showed together is acknowledged together, as PagerDuty acknowledges an incident): each of their
    stories pages nobody again unless it gets more severe, and their escalations stop at their next step."""
    alert = ports.alerts.get(tenant_id, alert_id)
    if alert is None:
        raise NotFoundError(f"no alert {alert_id!r} for tenant {tenant_id!r}")
    policy = ports.config.policy(tenant_id)
    lifetime = policy.ack_expires_after_minutes
    expires_at = now + timedelta(minutes=lifetime) if lifetime else None
    covered: dict[str, Alert] = {story_key(alert): alert}
    labels = alert_labels(alert, ports.config.client_name(tenant_id))
    for route in matching_routes(policy, labels):
        group = ports.store.group(tenant_id, group_id_for(tenant_id, route, labels))
        for member in group.members.values() if group is not None else ():
            if member.alert.status is AlertStatus.FIRING and member.alert.tenant_id == tenant_id:
                key = story_key(member.alert)
                known = covered.get(key)
                if known is None or member.alert.severity.rank > known.severity.rank:
                    covered[key] = member.alert
    acknowledgements = [
        Acknowledgement(
            tenant_id=tenant_id,
            story_key=key,
            alert_id=member.alert_id,
            severity=member.severity,
            by=by,
            via=via,
            comment=comment,
            at=now,
            expires_at=expires_at,
        )
        for key, member in sorted(covered.items())
    ]
    for ack in acknowledgements:
        ports.store.put_acknowledgement(ack)
        ports.alerts.record_acknowledgement(tenant_id, ack.alert_id, AlertAcknowledgement(by=by, via=via, at=now))
        _note_acknowledgement(ports, ack, alert_id, by, via, comment, now)
    return next(ack for ack in acknowledgements if ack.story_key == story_key(alert))


def _note_acknowledgement(
    ports: NotifierPorts, ack: Acknowledgement, alert_id: str, by: str, via: str, comment: str, now: datetime
) -> None:
    incident = ports.store.open_incident(ack.tenant_id, ack.story_key)
    if incident is None:
        return

    def attempt() -> LostRace | None:
        current = ports.store.incident(ack.tenant_id, incident.incident_id)
        if current is None:
            return None
        updated = current.model_copy(
            update={"acknowledged_at": current.acknowledged_at or now, "version": current.version + 1}
        )
        text = f"Acknowledged by {by} through {'the signed link' if via == 'link' else 'the API'}" + (
            f": {comment}" if comment else ""
        )
        events = [event(current, EventKind.ACKNOWLEDGED, now, text, ref=f"{alert_id}|{by}|{now.isoformat()}", actor=by)]
        return None if ports.store.save_incident(updated, current.version, events) else LOST_RACE

    retry_on_conflict(attempt, lambda: ConflictError("another writer kept changing the incident; retry"))


def send_test(owner: str, channel: Channel, ports: NotifierPorts, language: Language, now: datetime) -> Notification:
    words = {
        Language.ENGLISH: ("Sigap test notification", "If you can read this, the channel works."),
        Language.INDONESIAN: ("Notifikasi uji Sigap", "Jika Anda dapat membaca ini, saluran ini berfungsi."),
    }[channel.language or language]
    notification_id = f"test-{channel.channel_id}-{now:%Y%m%dT%H%M%S%f}"
    notification = Notification(
        notification_id=notification_id,
        owner=owner,
        kind=NotificationKind.TEST,
        receivers=[channel.channel_id],
        message=OutboundMessage(
            message_id=notification_id,
            tenant_id=owner,
            kind=NotificationKind.TEST.value,
            language=channel.language or language,
            title=words[0],
            intro=f"{words[1]} ({channel.name})",
            created_at=now,
        ),
        created_at=now,
    )
    ports.store.put_notification(notification)
    queue_deliveries(notification, ports)
    return notification
