"""The notifier's decisions as pure stages: given what was read, what to write, send and schedule.

A flush of a group and a step of an escalation each come out as a plan: the record's next version (written on
the version read; a lost race is read again and decided again), the notification stored with it, the
notifications to queue after (an earlier try's that a crash left unqueued, then the new one), the next timer,
and what to note on incidents. `sigap.notify.domain.notifier` reads the inputs and applies the plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sigap.detection.domain.models import Alert, AlertStatus
from sigap.notify.domain.grouping import plan_flush
from sigap.notify.domain.message import LinkMaker, build_message
from sigap.notify.domain.models import (
    Acknowledgement,
    AlertGroup,
    Escalation,
    GroupMember,
    IncidentRef,
    Notification,
    NotificationKind,
    Timer,
    TimerKind,
)
from sigap.notify.domain.routing import EscalationPolicy, NotificationPolicy
from sigap.notify.domain.silences import Silence

# A timer may arrive a little early (SQS delays are whole seconds): within this, it is due.
EARLY = timedelta(seconds=1)


def receivers(enabled: list[str], wanted: list[str] | None) -> list[str]:
    """The enabled channels a route or step names, or every enabled channel when it names none."""
    return sorted(enabled) if wanted is None else [channel_id for channel_id in wanted if channel_id in enabled]


def is_due(due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and now >= due_at - EARLY


def group_timer(owner: str, group_id: str, due_at: datetime | None) -> Timer | None:
    return None if due_at is None else Timer(kind=TimerKind.GROUP, owner=owner, key=group_id, due_at=due_at)


def escalation_timer(escalation: Escalation) -> Timer:
    return Timer(kind=TimerKind.ESCALATION, owner=escalation.owner, key=escalation.group_id, due_at=escalation.next_at)


def _notification(
    notification_id: str,
    owner: str,
    kind: NotificationKind,
    group_id: str,
    to: list[str],
    shown: list[GroupMember],
    policy: NotificationPolicy,
    messages: MessageContext,
) -> Notification:
    return Notification(
        notification_id=notification_id,
        owner=owner,
        kind=kind,
        group_id=group_id,
        receivers=to,
        alert_ids=[member.alert.alert_id for member in shown],
        incident_keys=sorted(
            {IncidentRef.of(member.alert) for member in shown}, key=lambda ref: (ref.tenant_id, ref.story_key)
        ),
        message=build_message(
            notification_id, owner, kind, shown, policy.language, messages.links, messages.now, agency=messages.agency
        ),
        created_at=messages.now,
    )


@dataclass(frozen=True)
class MessageContext:
    links: LinkMaker
    agency: bool
    now: datetime


# -- flushing a group ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlushInputs:
    """What the flush of a due group reads."""

    group: AlertGroup
    left_unqueued: list[Notification]
    policy: NotificationPolicy
    silences: list[Silence]
    acknowledged: dict[str, Acknowledgement]
    firing_elsewhere: list[dict[str, str]]
    enabled_channels: list[str]
    messages: MessageContext


@dataclass(frozen=True)
class FlushPlan:
    outcome: str
    to_queue: list[Notification]
    timer: Timer | None
    group: AlertGroup | None = None  # its next version, to write on the version read; None: nothing to write
    notification: Notification | None = None  # stored with the group, in one transaction


def flush_not_due(group: AlertGroup, left_unqueued: list[Notification], now: datetime) -> FlushPlan | None:
    """The plan for a group that is not due yet (its timer sent again, earlier notifications queued); None when
    it is due, and the notifier reads what `decide_flush` needs."""
    if is_due(group.next_flush_at, now):
        return None
    return FlushPlan("nothing due", left_unqueued, group_timer(group.owner, group.group_id, group.next_flush_at))


def decide_flush(inputs: FlushInputs) -> FlushPlan:
    """The flush of a due group (see `flush_not_due`)."""
    group, now = inputs.group, inputs.messages.now
    still_unqueued = [notification.notification_id for notification in inputs.left_unqueued]
    flush = plan_flush(group, inputs.policy, inputs.silences, inputs.acknowledged, now, inputs.firing_elsewhere)
    updated = flush.group
    to = receivers(inputs.enabled_channels, group.route.receivers) if flush.kind is not None else []
    notification = None
    outcome = "nothing due"
    if flush.kind is not None and not to:
        outcome = f"{flush.kind.value}: no enabled channel to send to"
    if flush.kind is not None and to:
        notification_id = f"{group.group_id}-{updated.sequence}"
        notification = _notification(
            notification_id, group.owner, flush.kind, group.group_id, to, flush.shown, inputs.policy, inputs.messages
        )
        still_unqueued = [*still_unqueued, notification_id]
        outcome = f"{flush.kind.value} notification {notification_id} to {len(to)} channel(s)"
    elif flush.muted:
        outcome = "muted: " + "; ".join(sorted(set(flush.muted.values())))
    updated = updated.model_copy(update={"unqueued": still_unqueued, "version": group.version + 1})
    return FlushPlan(
        outcome=outcome,
        to_queue=[*inputs.left_unqueued, *([notification] if notification else [])],
        timer=group_timer(group.owner, group.group_id, updated.next_flush_at),
        group=updated,
        notification=notification,
    )


# -- escalation ---------------------------------------------------------------------------------------------


def decide_escalation_start(
    existing: Escalation | None,
    policy: EscalationPolicy,
    name: str,
    owner: str,
    group_id: str,
    alert: Alert,
    acknowledged: Acknowledgement | None,
    now: datetime,
) -> Escalation | Timer | None:
    """A new escalation to write (on `existing`'s version), the running one's timer to send again, or None:
    the alert is below the policy's severity, was already covered, or is acknowledged."""
    if alert.severity.rank < policy.min_severity.rank:
        return None
    if existing is not None and not existing.done:
        return escalation_timer(existing)  # its next step will see the alert
    if existing is not None and alert.alert_id in existing.alerts:
        return None
    if acknowledged is not None and acknowledged.covers(alert, now):
        return None
    return Escalation(
        owner=owner,
        group_id=group_id,
        policy=name,
        generation=existing.generation + 1 if existing is not None else 0,
        alerts=sorted({*(existing.alerts if existing is not None else []), alert.alert_id}),
        next_at=now + timedelta(minutes=policy.steps[0].after_minutes),
        last_notification=existing.last_notification if existing is not None else None,
        version=existing.version + 1 if existing is not None else 1,
    )


@dataclass(frozen=True)
class EscalationInputs:
    """What a due escalation step reads. `acknowledged` holds the acknowledgement (or None) of each firing
    member at or above the policy's severity."""

    timer: Timer
    current: Escalation
    left_unqueued: list[Notification]
    policy: NotificationPolicy
    group: AlertGroup | None
    acknowledged: dict[str, Acknowledgement | None]
    enabled_channels: list[str]
    messages: MessageContext


@dataclass(frozen=True)
class EscalationPlan:
    outcome: str
    to_queue: list[Notification]
    timer: Timer | None = None
    escalation: Escalation | None = None  # its next version, to write on the version read
    notification: Notification | None = None  # stored before the escalation: never a step without its message
    stopped: tuple[str, list[GroupMember]] | None = None  # why, and the alerts whose incidents to tell


def firing_members(group: AlertGroup | None, policy: EscalationPolicy) -> list[GroupMember]:
    """The group's firing alerts at or above the policy's severity, in a stable order."""
    return [
        member
        for _, member in sorted(group.members.items() if group is not None else [])
        if member.alert.status is AlertStatus.FIRING and member.alert.severity.rank >= policy.min_severity.rank
    ]


def escalation_not_due(current: Escalation, left_unqueued: list[Notification], now: datetime) -> EscalationPlan | None:
    """The plan for an escalation whose step is not due yet; None when it is (see `decide_escalation_step`)."""
    if is_due(current.next_at, now):
        return None
    return EscalationPlan("nothing to do", left_unqueued, timer=escalation_timer(current))


def decide_escalation_step(inputs: EscalationInputs) -> EscalationPlan:
    """One due step: the firing alerts nobody acknowledged go to the step's receivers in one message; none
    left stops it (or pauses it until the first acknowledgement lapses, when every one of them lapses)."""
    current, now, earlier = inputs.current, inputs.messages.now, inputs.left_unqueued
    escalation_policy = inputs.policy.escalation_policies.get(current.policy)

    def stop(reason: str, members: list[GroupMember]) -> EscalationPlan:
        done = current.model_copy(update={"done": True, "stopped_reason": reason, "version": current.version + 1})
        return EscalationPlan(f"stopped: {reason}", earlier, escalation=done, stopped=(reason, members))

    if escalation_policy is None:
        return stop(f"escalation policy {current.policy!r} no longer exists", [])
    firing = firing_members(inputs.group, escalation_policy)
    if not firing:
        return stop("every alert it covered resolved", [])
    acks = inputs.acknowledged
    unacknowledged = [
        member
        for member in firing
        if not ((ack := acks.get(member.alert.alert_id)) is not None and ack.covers(member.alert, now))
    ]
    if not unacknowledged:
        lapses = [ack.expires_at for ack in acks.values() if ack is not None and ack.expires_at is not None]
        if len(lapses) < len(firing):
            people = sorted({ack.by for ack in acks.values() if ack is not None})
            return stop(f"acknowledged by {', '.join(people)}", firing)
        resumed = current.model_copy(update={"next_at": min(lapses), "version": current.version + 1})
        return EscalationPlan(
            "paused until the first acknowledgement lapses",
            earlier,
            timer=escalation_timer(resumed),
            escalation=resumed,
        )
    steps = escalation_policy.steps
    notification_id = f"esc-{current.group_id}-{current.generation}-{current.loop}-{current.step}"
    to = receivers(inputs.enabled_channels, steps[current.step].receivers)
    notification = _notification(
        notification_id,
        current.owner,
        NotificationKind.ESCALATION,
        current.group_id,
        to,
        unacknowledged,
        inputs.policy,
        inputs.messages,
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
            "last_notification": notification_id if to else current.last_notification,
            "version": current.version + 1,
        }
    )
    sent = [notification] if to else []
    return EscalationPlan(
        outcome=f"step {current.step + 1} (loop {current.loop + 1}): {notification_id}",
        to_queue=[*earlier, *sent],
        timer=None if done else escalation_timer(advanced),
        escalation=advanced,
        notification=notification if to else None,
    )
