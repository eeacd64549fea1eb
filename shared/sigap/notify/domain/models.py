"""What the notifier keeps: alert groups (Alertmanager's grouping with its timings), notifications, their
deliveries and attempts (the durable history Alertmanager lacks), acknowledgements, escalations and timers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sigap.detection.domain.models import Alert, Severity
from sigap.detection.domain.story import story_key
from sigap.kernel.models import UtcDatetime
from sigap.notify.domain.routing import MatchedRoute
from sigap.outbound.domain.models import OutboundMessage


class NotificationKind(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"
    REPEAT = "repeat"
    ESCALATION = "escalation"
    TEST = "test"
    NOTICE = "notice"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"


class Acknowledgement(BaseModel):
    """Covers the alert's story: later alerts on it page nobody unless they are more severe."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    story_key: str
    alert_id: str
    severity: Severity
    by: str
    via: str = Field(description="api | link")
    comment: str = ""
    at: UtcDatetime
    expires_at: UtcDatetime | None = None

    def covers(self, alert: Alert, now: datetime) -> bool:
        live = self.expires_at is None or now < self.expires_at
        return live and alert.severity.rank <= self.severity.rank


class AcknowledgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: str = Field(
        min_length=1,
        max_length=254,
        description="Set from the caller's sign-in or key, never sent",
        json_schema_extra={"readOnly": True},
    )
    comment: str = Field(default="", max_length=1000)


class GroupMember(BaseModel):
    model_config = ConfigDict(frozen=True)

    alert: Alert
    client: str
    labels: dict[str, str]


class AlertGroup(BaseModel):
    model_config = ConfigDict(frozen=True)

    group_id: str
    owner: str = Field(description="The tenant whose route this is (an agency's, for its agency routes)")
    route: MatchedRoute
    labels: dict[str, str]
    members: dict[str, GroupMember] = Field(default_factory=dict)
    notified: dict[str, str] = Field(default_factory=dict, description="alert id → state last sent")
    opened_at: UtcDatetime
    next_flush_at: UtcDatetime | None = None
    last_flush_at: UtcDatetime | None = None
    last_sent_at: UtcDatetime | None = None
    sequence: int = 0
    unqueued: list[str] = Field(default_factory=list, description="Notifications stored but not yet queued")
    version: int = 0


class IncidentRef(BaseModel):
    """Which incident an alert belongs to: its tenant and its story key (an incident is open per story)."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    story_key: str

    @classmethod
    def of(cls, alert: Alert) -> IncidentRef:
        return cls(tenant_id=alert.tenant_id, story_key=story_key(alert))


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: str
    owner: str
    kind: NotificationKind
    group_id: str | None = None
    receivers: list[str]
    alert_ids: list[str] = Field(default_factory=list)
    incident_keys: list[IncidentRef] = Field(default_factory=list, description="The incident of each alert shown")
    message: OutboundMessage
    created_at: UtcDatetime
    queued: bool = Field(default=False, description="Its deliveries are on the delivery queue")

    @field_validator("incident_keys", mode="before")
    @classmethod
    def _read_stored_strings(cls, value: Any) -> Any:
        # Notifications stored before IncidentRef kept each as the string "tenant|story key".
        if not isinstance(value, list):
            return value
        return [
            dict(zip(("tenant_id", "story_key"), item.split("|", 1), strict=True)) if isinstance(item, str) else item
            for item in value
        ]


class Attempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    at: UtcDatetime
    outcome: str = Field(description="delivered | failed | refused")
    duration_ms: int | None = None
    status_code: int | None = None
    error: str | None = None
    provider_id: str | None = None


class Delivery(BaseModel):
    """One (notification, channel): the unit that is sent once, retried, or dead-lettered with its reason."""

    model_config = ConfigDict(frozen=True)

    owner: str
    notification_id: str
    channel_id: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[Attempt] = Field(default_factory=list)
    lease_until: UtcDatetime | None = None
    next_attempt_at: UtcDatetime | None = None
    reason: str | None = None
    version: int = 0


class DeliveryTask(BaseModel):
    """One message of the delivery queue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str
    notification_id: str
    channel_id: str
    not_before: UtcDatetime | None = Field(default=None, description="Retries wait longer than SQS's 15 min")


class TimerKind(StrEnum):
    GROUP = "group"
    ESCALATION = "escalation"


class Timer(BaseModel):
    """A wake-up on the timers queue: flush a group, or take an escalation step, at `due_at`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TimerKind
    owner: str
    key: str = Field(description="The alert group's id (for a flush and for its escalation alike)")
    due_at: UtcDatetime


class Escalation(BaseModel):
    """The escalation of one alert group (what one message shows together), as PagerDuty escalates an incident:
    its steps page the next receivers while any of the group's alerts at or above the policy's severity is
    firing and unacknowledged. A new alert joining the group after it stopped starts a new generation."""

    model_config = ConfigDict(frozen=True)

    owner: str
    group_id: str
    policy: str
    generation: int = 0
    alerts: list[str] = Field(default_factory=list, description="Alert ids it has covered")
    step: int = 0
    loop: int = 0
    next_at: UtcDatetime
    done: bool = False
    stopped_reason: str | None = None
    last_notification: str | None = Field(default=None, description="Queued again if a crash left it unqueued")
    version: int = 0


class NotificationView(BaseModel):
    notification: Notification
    deliveries: list[Delivery]
