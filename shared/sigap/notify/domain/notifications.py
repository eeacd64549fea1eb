"""What the notifier keeps: alert groups (Alertmanager's grouping with its timings), notifications, their
deliveries and attempts (the durable history Alertmanager lacks), acknowledgements and escalations; and the
pure decisions over them: when a group is due, what a flush sends, what each message says."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sigap.detection.domain.models import Alert, AlertStatus, Severity
from sigap.kernel.language import Language
from sigap.kernel.models import UtcDatetime
from sigap.notify.domain.routing import (
    MatchedRoute,
    NotificationPolicy,
    inhibited,
    sending_allowed,
)
from sigap.notify.domain.silences import Silence, silenced
from sigap.outbound.domain.message import value
from sigap.outbound.domain.models import Link, MessageItem, OutboundMessage

QUIET_RECHECK = timedelta(minutes=5)


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

    by: str = Field(min_length=1, max_length=120)
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


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: str
    owner: str
    kind: NotificationKind
    group_id: str | None = None
    receivers: list[str]
    alert_ids: list[str] = Field(default_factory=list)
    incident_keys: list[str] = Field(default_factory=list, description="tenant|story key of each alert")
    message: OutboundMessage
    created_at: UtcDatetime
    queued: bool = Field(default=False, description="Its deliveries are on the delivery queue")


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


def group_id_for(owner: str, route: MatchedRoute, labels: dict[str, str]) -> str:
    key = "\x00".join([owner, route.path, *(f"{name}={labels.get(name, '')}" for name in route.group_by)])
    return "g-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def add_member(group: AlertGroup, member: GroupMember, now: datetime) -> AlertGroup | None:
    """The group with this alert version in it and its next flush set; None if it already has this version or a
    newer one (a repeated or late transition changes nothing)."""
    known = group.members.get(member.alert.alert_id)
    if known is not None and known.alert.version >= member.alert.version:
        return None
    members = dict(group.members) | {member.alert.alert_id: member}
    fresh = not group.members and not group.notified
    if fresh:
        opened = now
        due = now + timedelta(seconds=group.route.group_wait)
    else:
        opened = group.opened_at
        earliest = (group.last_flush_at or group.opened_at) + timedelta(seconds=group.route.group_interval)
        due = max(now, earliest) if group.last_flush_at else group.opened_at + timedelta(seconds=group.route.group_wait)
    if group.next_flush_at is not None:
        due = min(due, group.next_flush_at)
    return group.model_copy(
        update={"members": members, "opened_at": opened, "next_flush_at": due, "version": group.version}
    )


def _state(alert: Alert) -> str:
    return "resolved" if alert.status is AlertStatus.RESOLVED else f"firing:{alert.severity.value}"


class Flush(BaseModel):
    """What one flush decided: the group after it, and the notification to send (if any)."""

    group: AlertGroup
    kind: NotificationKind | None = None
    shown: list[GroupMember] = Field(default_factory=list)
    muted: dict[str, str] = Field(default_factory=dict, description="alert id → why it was not sent")


def plan_flush(
    group: AlertGroup,
    policy: NotificationPolicy,
    silences: list[Silence],
    acknowledged: dict[str, Acknowledgement],
    now: datetime,
    firing_elsewhere: Sequence[dict[str, str]] = (),
) -> Flush:
    """Alertmanager's flush: send when the notified set changed, repeat after repeat_interval while firing,
    resolve notices once (even for an alert silenced since it was notified). Quiet hours postpone; silenced,
    inhibited and acknowledged alerts are kept in the group but not sent. An alert is inhibited by a firing
    alert in any group (`firing_elsewhere`: the labels of the owner's other firing alerts), not only its own."""
    route = group.route
    if not sending_allowed(policy, route, now):
        return Flush(group=group.model_copy(update={"next_flush_at": now + QUIET_RECHECK}))
    firing_labels = [m.labels for m in group.members.values() if m.alert.status is AlertStatus.FIRING]
    firing_labels += list(firing_elsewhere)
    shown: list[GroupMember] = []
    muted: dict[str, str] = {}
    for alert_id, member in sorted(group.members.items()):
        alert = member.alert
        if alert.status is AlertStatus.RESOLVED:
            if group.notified.get(alert_id, "resolved") != "resolved":
                shown.append(member)
            continue
        silence = silenced(member.labels, silences, now)
        ack = acknowledged.get(alert_id)
        if silence is not None:
            muted[alert_id] = f"silenced by {silence.silence_id}"
        elif inhibited(member.labels, firing_labels, policy.inhibit_rules):
            muted[alert_id] = "inhibited by a more severe alert on the same story"
        elif ack is not None and ack.covers(alert, now):
            muted[alert_id] = f"acknowledged by {ack.by}"
        else:
            shown.append(member)
    state_now = {m.alert.alert_id: _state(m.alert) for m in shown}
    changed = any(group.notified.get(alert_id) != state for alert_id, state in state_now.items())
    firing_shown = [m for m in shown if m.alert.status is AlertStatus.FIRING]
    kind: NotificationKind | None = None
    if changed:
        kind = NotificationKind.FIRING if firing_shown else NotificationKind.RESOLVED
    elif firing_shown and group.last_sent_at and now >= group.last_sent_at + timedelta(seconds=route.repeat_interval):
        kind = NotificationKind.REPEAT
    notified = dict(group.notified)
    if kind is not None:
        notified = {alert_id: state for alert_id, state in notified.items() if alert_id in group.members}
        notified.update(state_now)
    # Resolved members leave once their resolve notice is out (or if nothing was ever sent for them).
    members = {
        alert_id: member
        for alert_id, member in group.members.items()
        if member.alert.status is AlertStatus.FIRING
        or (kind is None and group.notified.get(alert_id, "resolved") != "resolved")
    }
    notified = {alert_id: state for alert_id, state in notified.items() if alert_id in members}
    last_sent = now if kind is not None else group.last_sent_at
    next_flush: datetime | None = None
    if members:
        if muted and len(muted) == len(members):
            next_flush = now + timedelta(seconds=route.group_interval)  # a silence may end, an ack may lapse
        elif last_sent is not None:
            next_flush = last_sent + timedelta(seconds=route.repeat_interval)
            if muted:
                next_flush = min(next_flush, now + timedelta(seconds=route.group_interval))
        else:
            next_flush = now + timedelta(seconds=route.group_interval)
    updated = group.model_copy(
        update={
            "members": members,
            "notified": notified,
            "last_flush_at": now,
            "last_sent_at": last_sent,
            "next_flush_at": next_flush,
            "sequence": group.sequence + (1 if kind is not None else 0),
        }
    )
    return Flush(group=updated, kind=kind, shown=shown, muted=muted)


# -- messages -----------------------------------------------------------------------------------------------

_RULE_NAMES = {
    Language.ENGLISH: {
        "negative_spike": "Negative spike",
        "signal_surge": "Crisis signal surge",
        "story_spread": "Story spreading",
        "high_reach": "Far-reaching mention",
        "sentiment_shift": "Sentiment shift",
    },
    Language.INDONESIAN: {
        "negative_spike": "Lonjakan sentimen negatif",
        "signal_surge": "Lonjakan sinyal krisis",
        "story_spread": "Cerita menyebar",
        "high_reach": "Sebutan berjangkauan luas",
        "sentiment_shift": "Pergeseran sentimen",
    },
}
_TEXT = {
    Language.ENGLISH: {
        "firing": "{n} alert(s) firing",
        "resolved": "Resolved",
        "repeat": "Still firing",
        "escalation": "Escalated: not acknowledged",
        "ack": "Acknowledge",
        "view": "View alert",
        "observed": "Observed",
        "expected": "Expected",
        "window": "Window",
        "why_scope": "Scope",
        "fired": "Fired",
        "intro_firing": "Sigap detected this from the mentions it watches.",
        "intro_resolved": "These alerts have resolved.",
        "intro_escalation": "Nobody has acknowledged this critical alert yet.",
    },
    Language.INDONESIAN: {
        "firing": "{n} peringatan aktif",
        "resolved": "Selesai",
        "repeat": "Masih aktif",
        "escalation": "Dieskalasi: belum ditangani",
        "ack": "Tangani",
        "view": "Lihat peringatan",
        "observed": "Teramati",
        "expected": "Biasanya",
        "window": "Jendela",
        "why_scope": "Cakupan",
        "fired": "Mulai",
        "intro_firing": "Sigap mendeteksi ini dari sebutan yang dipantaunya.",
        "intro_resolved": "Peringatan ini sudah selesai.",
        "intro_escalation": "Belum ada yang menangani peringatan kritis ini.",
    },
}


class LinkMaker(BaseModel):
    """Makes the links a message carries: the API's alert URL and the signed acknowledgement link."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    base_url: str
    ack_token: object = Field(description="Callable (tenant, alert id) → token")

    def alert_url(self, tenant_id: str, alert_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/v1/tenants/{tenant_id}/alerts/{alert_id}"

    def ack_url(self, tenant_id: str, alert_id: str) -> str:
        make = self.ack_token
        assert callable(make)
        return f"{self.base_url.rstrip('/')}/v1/ack/{make(tenant_id, alert_id)}"


def build_message(
    notification_id: str,
    owner: str,
    kind: NotificationKind,
    members: list[GroupMember],
    language: Language,
    links: LinkMaker,
    now: datetime,
    agency: bool = False,
) -> OutboundMessage:
    text = _TEXT[language]
    firing = [m for m in members if m.alert.status is AlertStatus.FIRING]
    firing.sort(key=lambda m: (-m.alert.severity.rank, m.alert.fired_at))
    resolved = [m for m in members if m.alert.status is AlertStatus.RESOLVED]
    ordered = firing + resolved
    top = ordered[0].alert if ordered else None
    clients = sorted({m.client for m in ordered})
    prefix = (
        f"[{value(language, top.severity.value).upper()}] " if top and kind is not NotificationKind.RESOLVED else ""
    )
    who = f"{', '.join(clients)}: " if clients else ""
    if kind is NotificationKind.RESOLVED:
        headline = text["resolved"]
    elif kind is NotificationKind.REPEAT:
        headline = text["repeat"]
    elif kind is NotificationKind.ESCALATION:
        headline = text["escalation"]
    else:
        headline = text["firing"].format(n=len(firing))
    lead = _RULE_NAMES[language].get(top.rule.value, top.rule.value) if top else ""
    title = f"{prefix}{who}{headline}" + (f" — {lead}" if lead else "")
    items = []
    for member in ordered:
        alert = member.alert
        evidence = alert.evidence
        item_links = [Link(label=text["view"], url=links.alert_url(alert.tenant_id, alert.alert_id))]
        if alert.status is AlertStatus.FIRING:
            item_links.insert(0, Link(label=text["ack"], url=links.ack_url(alert.tenant_id, alert.alert_id)))
        facts = [
            (text["observed"], f"{evidence.observed:g} ({evidence.measure})"),
            (text["expected"], f"{evidence.expected:.1f}"),
            (text["window"], f"{evidence.window_minutes} min"),
            (text["fired"], f"{alert.fired_at:%Y-%m-%d %H:%M} UTC"),
        ]
        if evidence.scope_reason:
            facts.append((text["why_scope"], evidence.scope_reason))
        items.append(
            MessageItem(
                item_id=alert.alert_id,
                title=f"{_RULE_NAMES[language].get(alert.rule.value, alert.rule.value)}: {alert.subject}",
                status=alert.status.value,
                severity=alert.severity.value,
                scope=alert.scope.value,
                client=member.client if agency or len(clients) > 1 else None,
                summary=alert.summary,
                at=alert.resolved_at or alert.fired_at,
                facts=facts,
                quotes=[sample.text[:200] for sample in evidence.samples[:2]]
                if alert.status is AlertStatus.FIRING
                else [],
                links=item_links,
            )
        )
    intro_key = {
        NotificationKind.RESOLVED: "intro_resolved",
        NotificationKind.ESCALATION: "intro_escalation",
    }.get(kind, "intro_firing")
    return OutboundMessage(
        message_id=notification_id,
        tenant_id=owner,
        kind=kind.value,
        language=language,
        title=title,
        intro=text[intro_key],
        items=items,
        created_at=now,
        payload={
            "kind": kind.value,
            "alerts": [m.alert.model_dump(mode="json", exclude={"evidence": {"samples"}}) for m in ordered],
        },
    )
