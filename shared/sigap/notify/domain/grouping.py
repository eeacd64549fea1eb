"""The group and flush stages of the pipeline (route → group → inhibit → silence → acknowledged → time
intervals → dedup → send): which group an alert joins and when it is due, and what one flush of a group sends,
as Alertmanager decides it. Pure: the notifier reads the inputs and applies the result."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from sigap.detection.domain.models import Alert, AlertStatus
from sigap.notify.domain.models import Acknowledgement, AlertGroup, GroupMember, NotificationKind
from sigap.notify.domain.routing import MatchedRoute, NotificationPolicy, inhibited, sending_allowed
from sigap.notify.domain.silences import Silence, silenced

QUIET_RECHECK = timedelta(minutes=5)


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
