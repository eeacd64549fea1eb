"""The notifications table: a tenant's notification policy and silences; alert groups, notifications,
deliveries with their attempts, acknowledgements, escalations. The same table holds the channels
(outbound.store) and the incidents with their timelines (incidents.store), which this adapter extends.

Every partition key is the tenant id; sort keys say what an item is:
- `CHANNEL#<id>`, `POLICY`, `SILENCE#<id>`: configuration, changed through the API;
- `GROUP#<id>`: one alert group (members, what was last sent, the next flush), written on its version;
- `NOTIFY#<id>`: a notification (its message as sent), with `HISTORY#<created>#<id>` beside it for listing
  newest first; `DELIVERY#<notification id>#<channel id>`: one delivery and every attempt;
- `ACK#<story key>`, `ESC#<group id>`: acknowledgements (per story) and escalations (per alert group).
Nothing here expires: it is the audit of every alert, notification and delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sigap.incidents.domain.model import EventKind, event
from sigap.incidents.store import IncidentsTable
from sigap.notify.domain.models import Acknowledgement, AlertGroup, Delivery, Escalation, Notification
from sigap.notify.domain.routing import NotificationPolicy
from sigap.notify.domain.silences import Silence
from sigap.outbound.domain.models import Channel
from sigap.outbound.store import ChannelsTable
from sigap.platform.attributes import attribute, attributes, plain, value_of
from sigap.platform.aws_errors import storage_error
from sigap.tenants.store import TenantStore


class NotificationsTable(IncidentsTable, ChannelsTable):
    """NotifierStore, DeliveryStore and the configuration the API changes, over one DynamoDB table (which
    also holds the incidents and the channels, each with an adapter of its own)."""

    label = "notifications"

    # -- configuration ---------------------------------------------------------------------------------

    def policy(self, tenant_id: str) -> NotificationPolicy:
        return self._get_model(tenant_id, "POLICY", NotificationPolicy) or NotificationPolicy()

    def put_policy(self, tenant_id: str, policy: NotificationPolicy) -> None:
        self._conditional_put(self._put_item(tenant_id, "POLICY", policy))

    def silences(self, tenant_id: str) -> list[Silence]:
        return self._models(tenant_id, "SILENCE#", Silence)

    def silence(self, tenant_id: str, silence_id: str) -> Silence | None:
        return self._get_model(tenant_id, f"SILENCE#{silence_id}", Silence)

    def put_silence(self, silence: Silence) -> None:
        self._conditional_put(self._put_item(silence.tenant_id, f"SILENCE#{silence.silence_id}", silence))

    def expire_silences_of(self, tenant_id: str, incident_id: str, now: datetime) -> list[str]:
        ended = []
        for silence in self.silences(tenant_id):
            if silence.incident_id == incident_id and silence.active(now):
                self.put_silence(
                    silence.model_copy(update={"expired_at": now, "expired_reason": f"incident {incident_id} resolved"})
                )
                ended.append(silence.silence_id)
        return ended

    # -- groups and notifications ----------------------------------------------------------------------

    def group(self, owner: str, group_id: str) -> AlertGroup | None:
        return self._get_model(owner, f"GROUP#{group_id}", AlertGroup)

    def save_group(self, group: AlertGroup, expected_version: int, notification: Notification | None) -> bool:
        items: list[dict[str, Any]] = [
            {
                "Put": self._put_item(
                    group.owner, f"GROUP#{group.group_id}", group, version=group.version, expected=expected_version
                )
            }
        ]
        if notification is not None:
            items.extend({"Put": request} for request in self._notification_puts(notification))
        return self._transact(items)

    def _notification_puts(self, notification: Notification) -> list[dict[str, Any]]:
        created = notification.created_at.strftime("%Y%m%dT%H%M%S%f")
        summary = attributes(
            kind=notification.kind.value,
            title=notification.message.title,
            receivers=len(notification.receivers),
            created_at=notification.created_at.isoformat(),
            notification_id=notification.notification_id,
        )
        main = self._put_item(notification.owner, f"NOTIFY#{notification.notification_id}", notification, only_new=True)
        main["Item"]["queued"] = attribute(False)
        history = {
            "TableName": self._table,
            "Item": self._key(notification.owner, f"HISTORY#{created}#{notification.notification_id}") | summary,
        }
        return [main, history]

    def put_notification(self, notification: Notification) -> None:
        self._transact([{"Put": request} for request in self._notification_puts(notification)])

    def notification(self, owner: str, notification_id: str) -> Notification | None:
        item = self._get(owner, f"NOTIFY#{notification_id}")
        if item is None:
            return None
        stored = Notification.model_validate_json(plain(item["doc"]))
        return stored.model_copy(update={"queued": bool(value_of(item, "queued", False))})

    def mark_queued(self, owner: str, notification_id: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(owner, f"NOTIFY#{notification_id}"),
                UpdateExpression="SET queued = :yes",
                ExpressionAttributeValues={":yes": attribute(True)},
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("UpdateItem on notifications", exc) from exc

    def history(self, owner: str, limit: int, after: str | None) -> tuple[list[dict[str, str]], str | None]:
        items, last = self._query(owner, "HISTORY#", newest_first=True, limit=limit, after=after)
        rows = [
            {
                "notification_id": plain(item["notification_id"]),
                "kind": plain(item["kind"]),
                "title": plain(item["title"]),
                "receivers": plain(item["receivers"]),
                "created_at": plain(item["created_at"]),
            }
            for item in items
        ]
        return rows, last

    def deliveries_of(self, owner: str, notification_id: str) -> list[Delivery]:
        return self._models(owner, f"DELIVERY#{notification_id}#", Delivery)

    def delivery(self, owner: str, notification_id: str, channel_id: str) -> Delivery | None:
        return self._get_model(owner, f"DELIVERY#{notification_id}#{channel_id}", Delivery)

    def save_delivery(self, delivery: Delivery, expected_version: int) -> bool:
        return self._conditional_put(
            self._put_item(
                delivery.owner,
                f"DELIVERY#{delivery.notification_id}#{delivery.channel_id}",
                delivery,
                version=delivery.version,
                expected=expected_version,
                extra={"status": attribute(delivery.status.value)},
            )
        )

    # -- acknowledgements and escalations --------------------------------------------------------------

    def acknowledgement(self, tenant_id: str, key: str) -> Acknowledgement | None:
        return self._get_model(tenant_id, f"ACK#{key}", Acknowledgement)

    def put_acknowledgement(self, ack: Acknowledgement) -> None:
        self._conditional_put(self._put_item(ack.tenant_id, f"ACK#{ack.story_key}", ack))

    def escalation(self, owner: str, group_id: str) -> Escalation | None:
        return self._get_model(owner, f"ESC#{group_id}", Escalation)

    def save_escalation(self, escalation: Escalation, expected_version: int) -> bool:
        return self._conditional_put(
            self._put_item(
                escalation.owner,
                f"ESC#{escalation.group_id}",
                escalation,
                version=escalation.version,
                expected=expected_version,
            )
        )

    def note_delivery(self, notification: Notification, kind: EventKind, text: str, ref: str, at: datetime) -> None:
        """IncidentNotes: a delivery's outcome on the open incident of each alert it carried."""
        for incident_ref in notification.incident_keys:
            incident = self.open_incident(incident_ref.tenant_id, incident_ref.story_key)
            if incident is not None:
                self.add_events(
                    incident_ref.tenant_id,
                    [event(incident, kind, at, text, ref=ref, notification_id=notification.notification_id)],
                )


@dataclass(frozen=True)
class StoredConfiguration:
    """The notifier's Configuration port: policy, channels and silences from the notifications table, a
    client's display name (the label on an agency's notifications) from the tenants table."""

    table: NotificationsTable
    tenants: TenantStore

    def policy(self, tenant_id: str) -> NotificationPolicy:
        return self.table.policy(tenant_id)

    def channels(self, tenant_id: str) -> list[Channel]:
        return self.table.channels(tenant_id)

    def silences(self, tenant_id: str) -> list[Silence]:
        return self.table.silences(tenant_id)

    def client_name(self, tenant_id: str) -> str:
        tenant = self.tenants.get(tenant_id)
        return tenant.display_name if tenant is not None else tenant_id
