"""The notifier: alert transitions and timers in; incidents, alert groups, escalations and queued deliveries
out. Each step reads what it needs through the ports, asks a pure stage (`plans`, `grouping`) what to do, and
applies the plan: the record written on the version read (a lost race is read and decided again, through
`retry_on_conflict`), then the timers sent, the deliveries queued and the incidents told.

Every step is idempotent: notifications and timeline events have ids fixed by what they record, and a
notification is stored before its deliveries are queued and marked queued after, so a crash in between
queues it again on the retry instead of losing it. Deliveries are one per (notification, channel).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

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
from sigap.kernel.races import LOST_RACE, LostRace, retry_on_conflict
from sigap.notify.domain.grouping import add_member, group_id_for
from sigap.notify.domain.models import (
    Acknowledgement,
    AlertGroup,
    DeliveryTask,
    Escalation,
    GroupMember,
    IncidentRef,
    Notification,
    Timer,
    TimerKind,
)
from sigap.notify.domain.plans import (
    EscalationInputs,
    EscalationPlan,
    FlushInputs,
    FlushPlan,
    MessageContext,
    decide_escalation_start,
    decide_escalation_step,
    decide_flush,
    escalation_not_due,
    firing_members,
    flush_not_due,
    receivers,
)
from sigap.notify.domain.ports import ConflictError, NotifierPorts
from sigap.notify.domain.routing import MatchedRoute, NotificationPolicy, alert_labels, matching_routes


def _kept_changing() -> ConflictError:
    return ConflictError("another notifier kept changing the same record; retry")


def _retry[Result](attempt: Callable[[], Result | LostRace]) -> Result:
    return retry_on_conflict(attempt, _kept_changing)


def owners_of(tenant_id: str, agency: str | None) -> list[str]:
    return [tenant_id] if agency is None or agency == tenant_id else [tenant_id, agency]


def _enabled_channels(ports: NotifierPorts, owner: str) -> list[str]:
    return [channel.channel_id for channel in ports.config.channels(owner) if channel.enabled]


def receivers_of(ports: NotifierPorts, owner: str, wanted: list[str] | None) -> list[str]:
    """The enabled channels a route names, or every enabled channel of the owner when it names none."""
    return receivers(_enabled_channels(ports, owner), wanted)


def _messages(ports: NotifierPorts, owner: str, now: datetime) -> MessageContext:
    return MessageContext(links=ports.links, agency=owner == ports.agency, now=now)


def _tell_incidents(ports: NotifierPorts, refs: list[IncidentRef], note: Callable[[Incident], IncidentEvent]) -> None:
    """Adds the event `note` makes to the open incident of each ref (an incident closed meanwhile is skipped)."""
    for ref in refs:
        incident = ports.store.open_incident(ref.tenant_id, ref.story_key)
        if incident is not None:
            ports.store.add_events(ref.tenant_id, [note(incident)])


# -- alert transitions: route, group, escalate --------------------------------------------------------------


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
    """The alert in its group; the group's next flush (sent again when nothing changed, in case it was lost)."""

    def attempt() -> datetime | LostRace | None:
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
            return group.next_flush_at
        saved = ports.store.save_group(updated.model_copy(update={"version": group.version + 1}), group.version, None)
        return updated.next_flush_at if saved else LOST_RACE

    return _retry(attempt)


def _track_incident(transition: AlertTransition, policy: NotificationPolicy, ports: NotifierPorts) -> Incident | None:
    alert = transition.alert
    key = story_key(alert)

    def attempt() -> Incident | LostRace | None:
        current = ports.store.open_incident(alert.tenant_id, key)
        if current is None:
            opened = open_from_alert(transition, policy.incidents)
            if opened is None:
                return None
            incident, events = opened
            return incident if ports.store.save_incident(incident, 0, events) else LOST_RACE
        updated, events = apply_transition(current, transition, policy.incidents)
        return updated if ports.store.save_incident(updated, current.version, events) else LOST_RACE

    return _retry(attempt)


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
    existing = ports.store.escalation(owner, group_id)
    acknowledged = ports.store.acknowledgement(alert.tenant_id, story_key(alert))
    decided = decide_escalation_start(
        existing, policy.escalation_policies[name], name, owner, group_id, alert, acknowledged, now
    )
    if not isinstance(decided, Escalation):
        return decided
    if not ports.store.save_escalation(decided, existing.version if existing is not None else 0):
        return None  # another notifier started it
    return Timer(kind=TimerKind.ESCALATION, owner=owner, key=group_id, due_at=decided.next_at)


# -- timers: flush a group, take an escalation step ---------------------------------------------------------


def handle_timer(timer: Timer, ports: NotifierPorts, now: datetime) -> str:
    if now < timer.due_at:
        ports.timers.schedule([timer], now)  # a long wait is a chain of SQS delays of at most 15 minutes
        return "waiting"
    if timer.kind is TimerKind.GROUP:
        return flush_group(timer.owner, timer.key, ports, now)
    return escalate(timer, ports, now)


def _left_unqueued(ports: NotifierPorts, owner: str, notification_ids: list[str | None]) -> list[Notification]:
    """Notifications an earlier try stored but died before queueing."""
    found = [
        ports.store.notification(owner, notification_id) for notification_id in notification_ids if notification_id
    ]
    return [notification for notification in found if notification is not None and not notification.queued]


def _flush_inputs(ports: NotifierPorts, group: AlertGroup, left: list[Notification], now: datetime) -> FlushInputs:
    owner = group.owner
    silences = ports.config.silences(owner)
    for tenant_id in sorted({member.alert.tenant_id for member in group.members.values()} - {owner}):
        silences = silences + ports.config.silences(tenant_id)
    clients = {member.alert.tenant_id: member.client for member in group.members.values()}
    firing_elsewhere = [
        alert_labels(alert, client)
        for tenant_id, client in sorted(clients.items())
        for alert in ports.alerts.open_alerts(tenant_id)
        if alert.status is AlertStatus.FIRING and alert.alert_id not in group.members
    ]
    acknowledged: dict[str, Acknowledgement] = {}
    for alert_id, member in group.members.items():
        ack = ports.store.acknowledgement(member.alert.tenant_id, story_key(member.alert))
        if ack is not None:
            acknowledged[alert_id] = ack
    return FlushInputs(
        group=group,
        left_unqueued=left,
        policy=ports.config.policy(owner),
        silences=silences,
        acknowledged=acknowledged,
        firing_elsewhere=firing_elsewhere,
        enabled_channels=_enabled_channels(ports, owner),
        messages=_messages(ports, owner, now),
    )


def flush_group(owner: str, group_id: str, ports: NotifierPorts, now: datetime) -> str:
    def attempt() -> FlushPlan | LostRace:
        group = ports.store.group(owner, group_id)
        if group is None:
            return FlushPlan("nothing due", [], None)
        left = _left_unqueued(ports, owner, list(group.unqueued))
        plan = flush_not_due(group, left, now) or decide_flush(_flush_inputs(ports, group, left, now))
        if plan.group is not None and not ports.store.save_group(plan.group, group.version, plan.notification):
            return LOST_RACE
        return plan

    plan = _retry(attempt)
    if plan.timer is not None:
        ports.timers.schedule([plan.timer], now)
    for notification in plan.to_queue:
        queue_deliveries(notification, ports)
    return plan.outcome


def queue_deliveries(notification: Notification, ports: NotifierPorts) -> None:
    """One delivery task per (notification, channel), then the notification marked queued."""
    ports.deliveries.send(
        [
            DeliveryTask(owner=notification.owner, notification_id=notification.notification_id, channel_id=channel_id)
            for channel_id in notification.receivers
        ]
    )
    ports.store.mark_queued(notification.owner, notification.notification_id)
    _tell_incidents(
        ports,
        notification.incident_keys,
        lambda incident: event(
            incident,
            EventKind.NOTIFICATION_SENT,
            notification.created_at,
            f"{notification.kind.value} notification queued to {len(notification.receivers)} channel(s)",
            ref=notification.notification_id,
            notification_id=notification.notification_id,
        ),
    )


def _escalation_inputs(
    ports: NotifierPorts, timer: Timer, current: Escalation, left: list[Notification], now: datetime
) -> EscalationInputs:
    policy = ports.config.policy(timer.owner)
    escalation_policy = policy.escalation_policies.get(current.policy)
    group = ports.store.group(timer.owner, timer.key) if escalation_policy is not None else None
    firing = firing_members(group, escalation_policy) if escalation_policy is not None else []
    acknowledged = {
        member.alert.alert_id: ports.store.acknowledgement(member.alert.tenant_id, story_key(member.alert))
        for member in firing
    }
    return EscalationInputs(
        timer,
        current,
        left,
        policy,
        group,
        acknowledged,
        _enabled_channels(ports, timer.owner),
        _messages(ports, timer.owner, now),
    )


def escalate(timer: Timer, ports: NotifierPorts, now: datetime) -> str:
    """One escalation step of a group, if it is due (see `plans.decide_escalation_step`)."""

    def attempt() -> EscalationPlan | LostRace:
        current = ports.store.escalation(timer.owner, timer.key)
        if current is None:
            return EscalationPlan("nothing to do", [])
        left = _left_unqueued(ports, timer.owner, [current.last_notification])
        if current.done:
            return EscalationPlan("nothing to do", left)
        plan = escalation_not_due(current, left, now) or decide_escalation_step(
            _escalation_inputs(ports, timer, current, left, now)
        )
        if plan.notification is not None:
            ports.store.put_notification(plan.notification)  # before the step is recorded: never a step without it
        if plan.escalation is not None and not ports.store.save_escalation(plan.escalation, current.version):
            return LOST_RACE
        return plan

    plan = _retry(attempt)
    if plan.timer is not None:
        ports.timers.schedule([plan.timer], now)
    if plan.stopped is not None:
        reason, members = plan.stopped
        refs = sorted({IncidentRef.of(member.alert) for member in members}, key=lambda r: (r.tenant_id, r.story_key))
        _tell_incidents(
            ports,
            refs,
            lambda incident: event(
                incident, EventKind.ESCALATED, now, f"Escalation stopped: {reason}", ref=f"{timer.key}-stop"
            ),
        )
    for notification in plan.to_queue:
        queue_deliveries(notification, ports)
        _tell_incidents(ports, notification.incident_keys, _escalated_event(notification))
    return plan.outcome


def _escalated_event(sent: Notification) -> Callable[[Incident], IncidentEvent]:
    def note(incident: Incident) -> IncidentEvent:
        return event(
            incident,
            EventKind.ESCALATED,
            sent.created_at,
            f"Not acknowledged: escalated to {len(sent.receivers)} channel(s)",
            ref=sent.notification_id + "-escalated",
            notification_id=sent.notification_id,
        )

    return note
