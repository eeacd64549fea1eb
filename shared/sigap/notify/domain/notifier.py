"""The notifier: from alert transitions and timers to notifications on the delivery queue, and the incidents,
acknowledgements and escalations around them. The logic both the deployed function and the tests run; the
ports are protocols (DynamoDB, SQS and SSM adapters in `sigap.dal`).

Every step is idempotent: a group, an escalation or an incident is written conditionally on the version read
(a lost race is read again and redone), notifications and timeline events have ids fixed by what they record,
and a notification is stored before its deliveries are queued and marked queued after, so a crash in between
queues it again on the retry instead of losing it. Deliveries are one per (notification, channel).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sigap.detection.domain.models import Alert, AlertStatus, AlertTransition, TransitionKind
from sigap.detection.domain.story import story_key
from sigap.incidents.domain.model import (
    EventKind,
    Incident,
    IncidentEvent,
    apply_transition,
    event,
    open_from_alert,
)
from sigap.kernel.errors import NotFoundError, SigapError
from sigap.kernel.language import Language
from sigap.kernel.races import LOST_RACE, retry_on_conflict
from sigap.notify.domain.notifications import (
    Acknowledgement,
    AlertGroup,
    DeliveryTask,
    Escalation,
    GroupMember,
    LinkMaker,
    Notification,
    NotificationKind,
    Timer,
    TimerKind,
    add_member,
    build_message,
    group_id_for,
    plan_flush,
)
from sigap.notify.domain.routing import MatchedRoute, NotificationPolicy, alert_labels, matching_routes
from sigap.notify.domain.silences import Silence
from sigap.outbound.domain.models import Channel, OutboundMessage

T = TypeVar("T")


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


def _retry(step: Callable[[], bool]) -> None:
    """Runs `step` (True once its write held) until it holds; ConflictError after MAX_RACES lost races."""
    retry_on_conflict(
        lambda: None if step() else LOST_RACE,
        lambda: ConflictError("another notifier kept changing the same record; retry"),
    )


def owners_of(tenant_id: str, agency: str | None) -> list[str]:
    return [tenant_id] if agency is None or agency == tenant_id else [tenant_id, agency]


def receivers_of(ports: NotifierPorts, owner: str, wanted: list[str] | None) -> list[str]:
    """The enabled channels a route names, or every enabled channel of the owner when it names none."""
    enabled = [channel.channel_id for channel in ports.config.channels(owner) if channel.enabled]
    return sorted(enabled) if wanted is None else [channel_id for channel_id in wanted if channel_id in enabled]


# -- alert transitions --------------------------------------------------------------------------------------


def handle_transition(transition: AlertTransition, ports: NotifierPorts, now: datetime) -> list[str]:
    """One alert transition: its incident, every group its routes put it in, and its escalation."""
    alert = transition.alert
    policy = ports.config.policy(alert.tenant_id)
    incident = _track_incident(transition, policy, ports)
    client = ports.config.client_name(alert.tenant_id)
    labels = alert_labels(alert, client)
    touched: list[str] = []
    timers: list[Timer] = []
    for owner in owners_of(alert.tenant_id, ports.agency):
        owner_policy = policy if owner == alert.tenant_id else ports.config.policy(owner)
        for route in matching_routes(owner_policy, labels):
            group_id = group_id_for(owner, route, labels)
            member = GroupMember(alert=alert, client=client, labels=labels)
            due = _add_to_group(ports, owner, group_id, route, member, now)
            touched.append(group_id)
            if due is not None:
                timers.append(Timer(kind=TimerKind.GROUP, owner=owner, key=group_id, due_at=due))
            if route.escalation_policy and transition.kind is not TransitionKind.RESOLVED:
                timer = _start_escalation(ports, owner_policy, owner, route.escalation_policy, group_id, alert, now)
                if timer is not None:
                    timers.append(timer)
    ports.timers.schedule(timers, now)
    if incident is not None and transition.kind is TransitionKind.RESOLVED and incident.resolved_at is not None:
        ports.store.expire_silences_of(alert.tenant_id, incident.incident_id, now)
    return touched


def _add_to_group(
    ports: NotifierPorts, owner: str, group_id: str, route: MatchedRoute, member: GroupMember, now: datetime
) -> datetime | None:
    due: list[datetime | None] = [None]

    def step() -> bool:
        group = ports.store.group(owner, group_id) or AlertGroup(
            group_id=group_id,
            owner=owner,
            route=route,
            labels={name: member.labels.get(name, "") for name in route.group_by},
            opened_at=now,
        )
        group = group.model_copy(update={"route": route})  # a changed policy applies from the next alert
        updated = add_member(group, member, now)
        if updated is None:
            due[0] = group.next_flush_at  # nothing new; the timer is sent again in case it was lost
            return True
        due[0] = updated.next_flush_at
        return ports.store.save_group(updated.model_copy(update={"version": group.version + 1}), group.version, None)

    _retry(step)
    return due[0]


def _track_incident(transition: AlertTransition, policy: NotificationPolicy, ports: NotifierPorts) -> Incident | None:
    alert = transition.alert
    key = story_key(alert)
    result: list[Incident | None] = [None]

    def step() -> bool:
        current = ports.store.open_incident(alert.tenant_id, key)
        if current is None:
            opened = open_from_alert(transition, policy.incidents)
            if opened is None:
                return True
            incident, events = opened
            result[0] = incident
            return ports.store.save_incident(incident, 0, events)
        updated, events = apply_transition(current, transition, policy.incidents)
        result[0] = updated
        return ports.store.save_incident(updated, current.version, events)

    _retry(step)
    return result[0]


def _start_escalation(
    ports: NotifierPorts,
    policy: NotificationPolicy,
    owner: str,
    name: str,
    group_id: str,
    alert: Alert,
    now: datetime,
) -> Timer | None:
    """Starts the group's escalation for this alert, unless it is running (its next step will see the alert),
    or the alert was already covered, or is acknowledged."""
    escalation_policy = policy.escalation_policies[name]
    if alert.severity.rank < escalation_policy.min_severity.rank:
        return None
    existing = ports.store.escalation(owner, group_id)
    if existing is not None and not existing.done:
        return _escalation_timer(existing)
    if existing is not None and alert.alert_id in existing.alerts:
        return None
    ack = ports.store.acknowledgement(alert.tenant_id, story_key(alert))
    if ack is not None and ack.covers(alert, now):
        return None
    escalation = Escalation(
        owner=owner,
        group_id=group_id,
        policy=name,
        generation=existing.generation + 1 if existing is not None else 0,
        alerts=sorted({*(existing.alerts if existing is not None else []), alert.alert_id}),
        next_at=now + timedelta(minutes=escalation_policy.steps[0].after_minutes),
        last_notification=existing.last_notification if existing is not None else None,
        version=existing.version + 1 if existing is not None else 1,
    )
    if not ports.store.save_escalation(escalation, existing.version if existing is not None else 0):
        return None  # another notifier started it
    return _escalation_timer(escalation)


def _escalation_timer(escalation: Escalation) -> Timer:
    return Timer(kind=TimerKind.ESCALATION, owner=escalation.owner, key=escalation.group_id, due_at=escalation.next_at)


# -- timers --------------------------------------------------------------------------------------------------


def handle_timer(timer: Timer, ports: NotifierPorts, now: datetime) -> str:
    if now < timer.due_at:
        ports.timers.schedule([timer], now)  # a long wait is a chain of SQS delays of at most 15 minutes
        return "waiting"
    if timer.kind is TimerKind.GROUP:
        return flush_group(timer.owner, timer.key, ports, now)
    return escalate(timer, ports, now)


def _acknowledgements(ports: NotifierPorts, group: AlertGroup) -> dict[str, Acknowledgement]:
    found: dict[str, Acknowledgement] = {}
    for alert_id, member in group.members.items():
        ack = ports.store.acknowledgement(member.alert.tenant_id, story_key(member.alert))
        if ack is not None:
            found[alert_id] = ack
    return found


def flush_group(owner: str, group_id: str, ports: NotifierPorts, now: datetime) -> str:
    outcome: list[str] = ["nothing due"]
    queued: list[Notification] = []

    def step() -> bool:
        group = ports.store.group(owner, group_id)
        if group is None:
            return True
        for notification_id in group.unqueued:  # stored by an earlier try that failed before queueing
            stored = ports.store.notification(owner, notification_id)
            if stored is not None and not stored.queued:
                queued.append(stored)
        still_unqueued = [notification.notification_id for notification in queued]
        if group.next_flush_at is None or now < group.next_flush_at - timedelta(seconds=1):
            if group.next_flush_at is not None:
                ports.timers.schedule(
                    [Timer(kind=TimerKind.GROUP, owner=owner, key=group_id, due_at=group.next_flush_at)], now
                )
            return True
        policy = ports.config.policy(owner)
        silences = ports.config.silences(owner)
        tenants = {member.alert.tenant_id for member in group.members.values()} - {owner}
        for tenant_id in sorted(tenants):
            silences = silences + ports.config.silences(tenant_id)
        clients = {member.alert.tenant_id: member.client for member in group.members.values()}
        firing = [
            alert_labels(alert, client)
            for tenant_id, client in sorted(clients.items())
            for alert in ports.alerts.open_alerts(tenant_id)
            if alert.status is AlertStatus.FIRING and alert.alert_id not in group.members
        ]
        flush = plan_flush(group, policy, silences, _acknowledgements(ports, group), now, firing)
        updated = flush.group
        notification = None
        receivers = receivers_of(ports, owner, group.route.receivers) if flush.kind is not None else []
        if flush.kind is not None and not receivers:
            outcome[0] = f"{flush.kind.value}: no enabled channel to send to"
        if flush.kind is not None and receivers:
            notification_id = f"{group_id}-{updated.sequence}"
            notification = Notification(
                notification_id=notification_id,
                owner=owner,
                kind=flush.kind,
                group_id=group_id,
                receivers=receivers,
                alert_ids=[member.alert.alert_id for member in flush.shown],
                incident_keys=sorted({f"{m.alert.tenant_id}|{story_key(m.alert)}" for m in flush.shown}),
                message=build_message(
                    notification_id,
                    owner,
                    flush.kind,
                    flush.shown,
                    policy.language,
                    ports.links,
                    now,
                    agency=owner == ports.agency,
                ),
                created_at=now,
            )
            updated = updated.model_copy(update={"unqueued": [*still_unqueued, notification_id]})
            outcome[0] = f"{flush.kind.value} notification {notification_id} to {len(receivers)} channel(s)"
        else:
            updated = updated.model_copy(update={"unqueued": still_unqueued})
            if flush.muted:
                outcome[0] = "muted: " + "; ".join(sorted(set(flush.muted.values())))
        if not ports.store.save_group(
            updated.model_copy(update={"version": group.version + 1}), group.version, notification
        ):
            queued.clear()
            return False
        if notification is not None:
            queued.append(notification)
        if updated.next_flush_at is not None:
            ports.timers.schedule(
                [Timer(kind=TimerKind.GROUP, owner=owner, key=group_id, due_at=updated.next_flush_at)], now
            )
        return True

    _retry(step)
    for notification in queued:
        queue_deliveries(notification, ports)
    return outcome[0]


def queue_deliveries(notification: Notification, ports: NotifierPorts) -> None:
    """One delivery task per (notification, channel), then the notification marked queued."""
    ports.deliveries.send(
        [
            DeliveryTask(owner=notification.owner, notification_id=notification.notification_id, channel_id=channel_id)
            for channel_id in notification.receivers
        ]
    )
    ports.store.mark_queued(notification.owner, notification.notification_id)
    _note_on_incidents(notification, ports)


def _note_on_incidents(notification: Notification, ports: NotifierPorts) -> None:
    for key in notification.incident_keys:
        tenant_id, _, story = key.partition("|")
        incident = ports.store.open_incident(tenant_id, story)
        if incident is None:
            continue
        ports.store.add_events(
            tenant_id,
            [
                event(
                    incident,
                    EventKind.NOTIFICATION_SENT,
                    notification.created_at,
                    f"{notification.kind.value} notification queued to {len(notification.receivers)} channel(s)",
                    ref=notification.notification_id,
                    notification_id=notification.notification_id,
                )
            ],
        )


def escalate(timer: Timer, ports: NotifierPorts, now: datetime) -> str:
    """One escalation step of a group, if it is due: the group's firing alerts at or above the policy's severity
    that nobody acknowledged go to the step's receivers in one message; none left stops it (or pauses it until
    the first acknowledgement lapses, when every one of them lapses)."""
    outcome = ["nothing to do"]
    notifications: list[Notification] = []
    stopped: list[tuple[str, list[GroupMember]]] = []

    def stop(current: Escalation, reason: str, members: list[GroupMember]) -> bool:
        outcome[0] = f"stopped: {reason}"
        stopped.append((reason, members))
        return ports.store.save_escalation(
            current.model_copy(update={"done": True, "stopped_reason": reason, "version": current.version + 1}),
            current.version,
        )

    def step() -> bool:
        stopped.clear()
        notifications.clear()
        current = ports.store.escalation(timer.owner, timer.key)
        if current is not None and current.last_notification is not None:
            earlier = ports.store.notification(timer.owner, current.last_notification)
            if earlier is not None and not earlier.queued:  # stored by a try that died before queueing it
                notifications.append(earlier)
        if current is None or current.done:
            return True
        if now < current.next_at - timedelta(seconds=1):
            ports.timers.schedule([_escalation_timer(current)], now)
            return True
        policy = ports.config.policy(timer.owner)
        escalation_policy = policy.escalation_policies.get(current.policy)
        if escalation_policy is None:
            return stop(current, f"escalation policy {current.policy!r} no longer exists", [])
        group = ports.store.group(timer.owner, timer.key)
        firing = [
            member
            for _, member in sorted(group.members.items() if group is not None else [])
            if member.alert.status is AlertStatus.FIRING
            and member.alert.severity.rank >= escalation_policy.min_severity.rank
        ]
        if not firing:
            return stop(current, "every alert it covered resolved", [])
        acks = {
            member.alert.alert_id: ports.store.acknowledgement(member.alert.tenant_id, story_key(member.alert))
            for member in firing
        }
        unacknowledged = [
            member
            for member in firing
            if not ((ack := acks[member.alert.alert_id]) is not None and ack.covers(member.alert, now))
        ]
        if not unacknowledged:
            lapses = [ack.expires_at for ack in acks.values() if ack is not None and ack.expires_at is not None]
            if len(lapses) < len(firing):
                people = sorted({ack.by for ack in acks.values() if ack is not None})
                return stop(current, f"acknowledged by {', '.join(people)}", firing)
            resumed = current.model_copy(update={"next_at": min(lapses), "version": current.version + 1})
            outcome[0] = "paused until the first acknowledgement lapses"
            if ports.store.save_escalation(resumed, current.version):
                ports.timers.schedule([_escalation_timer(resumed)], now)
                return True
            return False
        steps = escalation_policy.steps
        this_step = steps[current.step]
        notification_id = f"esc-{timer.key}-{current.generation}-{current.loop}-{current.step}"
        notification = Notification(
            notification_id=notification_id,
            owner=timer.owner,
            kind=NotificationKind.ESCALATION,
            group_id=timer.key,
            receivers=receivers_of(ports, timer.owner, this_step.receivers),
            alert_ids=[member.alert.alert_id for member in unacknowledged],
            incident_keys=sorted({f"{m.alert.tenant_id}|{story_key(m.alert)}" for m in unacknowledged}),
            message=build_message(
                notification_id,
                timer.owner,
                NotificationKind.ESCALATION,
                unacknowledged,
                policy.language,
                ports.links,
                now,
                agency=timer.owner == ports.agency,
            ),
            created_at=now,
        )
        following, loop = current.step + 1, current.loop
        if following >= len(steps):
            following, loop = 0, loop + 1
        done = loop > escalation_policy.loops
        advanced = current.model_copy(
            update={
                "step": following,
                "loop": loop,
                "alerts": sorted({*current.alerts, *notification.alert_ids}),
                "next_at": now + timedelta(minutes=steps[following].after_minutes),
                "done": done,
                "stopped_reason": "every step and loop taken" if done else None,
                "last_notification": notification_id if notification.receivers else current.last_notification,
                "version": current.version + 1,
            }
        )
        if notification.receivers:
            ports.store.put_notification(notification)  # before the step is recorded: never a step without it
        if not ports.store.save_escalation(advanced, current.version):
            return False
        if notification.receivers:
            notifications.append(notification)
        outcome[0] = f"step {current.step + 1} (loop {current.loop + 1}): {notification_id}"
        if not done:
            ports.timers.schedule([_escalation_timer(advanced)], now)
        return True

    _retry(step)
    for reason, members in stopped:
        for tenant_id, story in sorted({(m.alert.tenant_id, story_key(m.alert)) for m in members}):
            incident = ports.store.open_incident(tenant_id, story)
            if incident is not None:
                ports.store.add_events(
                    tenant_id,
                    [
                        event(
                            incident, EventKind.ESCALATED, now, f"Escalation stopped: {reason}", ref=f"{timer.key}-stop"
                        )
                    ],
                )
    for notification in notifications:
        queue_deliveries(notification, ports)
        for key in notification.incident_keys:
            tenant_id, _, story = key.partition("|")
            incident = ports.store.open_incident(tenant_id, story)
            if incident is not None:
                ports.store.add_events(
                    tenant_id,
                    [
                        event(
                            incident,
                            EventKind.ESCALATED,
                            notification.created_at,
                            f"Not acknowledged: escalated to {len(notification.receivers)} channel(s)",
                            ref=notification.notification_id + "-escalated",
                            notification_id=notification.notification_id,
                        )
                    ],
                )
    return outcome[0]


# -- acknowledgements and tests ------------------------------------------------------------------------------


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
        _note_acknowledgement(ports, ack, alert_id, by, via, comment, now)
    return next(ack for ack in acknowledgements if ack.story_key == story_key(alert))


def _note_acknowledgement(
    ports: NotifierPorts, ack: Acknowledgement, alert_id: str, by: str, via: str, comment: str, now: datetime
) -> None:
    incident = ports.store.open_incident(ack.tenant_id, ack.story_key)
    if incident is None:
        return

    def step() -> bool:
        current = ports.store.incident(ack.tenant_id, incident.incident_id)
        if current is None:
            return True
        updated = current.model_copy(
            update={"acknowledged_at": current.acknowledged_at or now, "version": current.version + 1}
        )
        text = f"Acknowledged by {by} through {'the signed link' if via == 'link' else 'the API'}" + (
            f": {comment}" if comment else ""
        )
        events = [event(current, EventKind.ACKNOWLEDGED, now, text, ref=f"{alert_id}|{by}|{now.isoformat()}", actor=by)]
        return ports.store.save_incident(updated, current.version, events)

    _retry(step)


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
