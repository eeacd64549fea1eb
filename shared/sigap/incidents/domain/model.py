"""Incidents: a critical alert opens one (configurable; also opened by hand), later alerts on the same story
join it; states investigating → identified → monitoring → resolved; an owner; a timeline of everything that
happened (first related mention, alerts, notifications, acknowledgements, state changes, notes); and the
times to detect, acknowledge and resolve. Statements and the post-crisis report hang from it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from sigap.detection.domain.models import Alert, AlertStatus, AlertTransition, Scope, Severity, TransitionKind
from sigap.detection.domain.story import story_key
from sigap.kernel.models import STORY_ID_PATTERN, UtcDatetime

INCIDENT_ID_PATTERN = r"^inc-[0-9]{8}T[0-9]{4}-[0-9a-f]{8}$"
_SCOPE_RANK = {Scope.LOCAL: 0, Scope.NATIONAL: 1, Scope.GLOBAL: 2}


class IncidentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    open_on: Severity | None = Field(default=Severity.CRITICAL, description="None: incidents only by hand")
    resolve_with_alerts: bool = Field(default=True, description="Resolve when every alert in it has resolved")


class IncidentState(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class EventKind(StrEnum):
    FIRST_MENTION = "first_mention"
    OPENED = "opened"
    ALERT_FIRED = "alert_fired"
    ALERT_JOINED = "alert_joined"
    ALERT_ESCALATED = "alert_escalated"
    ALERT_RESOLVED = "alert_resolved"
    NOTIFICATION_SENT = "notification_sent"
    NOTIFICATION_FAILED = "notification_failed"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalation_step"
    STATE_CHANGED = "state_changed"
    OWNER_CHANGED = "owner_changed"
    TITLE_CHANGED = "title_changed"
    NOTE = "note"
    RESOLVED = "resolved"
    INTERNAL_NOTICE = "internal_notice"
    STATEMENT_PUBLISHED = "statement_published"
    UPDATE_REMINDER = "update_reminder"
    UPDATE_OVERDUE = "update_overdue"


class IncidentEvent(BaseModel):
    """One line of an incident's timeline, stored as its own item (an incident can gather thousands)."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(description="Stable: a retried step writes the same event once")
    incident_id: str
    at: UtcDatetime
    kind: EventKind
    text: str
    actor: str = "sigap"
    refs: dict[str, str] = Field(default_factory=dict)


class Incident(BaseModel):
    model_config = ConfigDict(frozen=True)

    incident_id: str
    tenant_id: str
    key: str = Field(description="What joins alerts to it: 'story:<id>' or 'brand'")
    title: str
    state: IncidentState = IncidentState.INVESTIGATING
    severity: Severity
    scope: Scope
    owner: str | None = None
    alerts: dict[str, AlertStatus] = Field(default_factory=dict)
    opened_at: UtcDatetime
    opened_by: str = "sigap"
    first_mention_at: UtcDatetime | None = None
    detected_at: UtcDatetime | None = Field(default=None, description="When its first alert fired")
    acknowledged_at: UtcDatetime | None = None
    resolved_at: UtcDatetime | None = None
    version: int = 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def time_to_detect_seconds(self) -> int | None:
        return _seconds(self.first_mention_at, self.detected_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def time_to_acknowledge_seconds(self) -> int | None:
        return _seconds(self.detected_at or self.opened_at, self.acknowledged_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def time_to_resolve_seconds(self) -> int | None:
        return _seconds(self.detected_at or self.opened_at, self.resolved_at)


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else max(0, int((end - start).total_seconds()))


class IncidentCreate(BaseModel):
    """`POST /v1/tenants/{tenant}/incidents`: an incident opened by hand."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200)
    severity: Severity = Severity.CRITICAL
    scope: Scope = Scope.LOCAL
    owner: str | None = Field(default=None, max_length=120)
    opened_by: str = Field(
        min_length=1,
        max_length=254,
        description="Set from the caller's sign-in or key, never sent",
        json_schema_extra={"readOnly": True},
    )
    story_id: str | None = Field(default=None, pattern=STORY_ID_PATTERN, description="Alerts on it join")


class IncidentPatch(BaseModel):
    """`PATCH /v1/tenants/{tenant}/incidents/{incident_id}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state: IncidentState | None = None
    owner: str | None = Field(default=None, max_length=120)
    severity: Severity | None = None
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="What people call it ('Hoax: Teh Segar bottled tea poisonous'): the report's title",
    )
    by: str = Field(
        min_length=1,
        max_length=254,
        description="Set from the caller's sign-in or key, never sent",
        json_schema_extra={"readOnly": True},
    )
    comment: str = Field(default="", max_length=2000)


class AlertLink(BaseModel):
    """`POST .../incidents/{incident_id}/alerts`: an alert a person judges part of this incident."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alert_id: str = Field(pattern=r"^\d{8}T\d{4}-[0-9a-f]{20}$")
    by: str = Field(
        min_length=1,
        max_length=254,
        description="Set from the caller's sign-in or key, never sent",
        json_schema_extra={"readOnly": True},
    )


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=5000)
    by: str = Field(
        min_length=1,
        max_length=254,
        description="Set from the caller's sign-in or key, never sent",
        json_schema_extra={"readOnly": True},
    )


class IncidentView(BaseModel):
    incident: Incident
    timeline: list[IncidentEvent]


def incident_id_for(tenant_id: str, key: str, at: datetime) -> str:
    digest = hashlib.sha256(f"{tenant_id}\x00{key}\x00{at.isoformat()}".encode()).hexdigest()[:8]
    return f"inc-{at:%Y%m%dT%H%M}-{digest}"


def event(
    incident: Incident, kind: EventKind, at: datetime, text: str, *, ref: str, actor: str = "sigap", **refs: str
) -> IncidentEvent:
    """An event whose id is fixed by what it records (`ref`), so writing it twice keeps one."""
    return IncidentEvent(
        event_id=f"{at:%Y%m%dT%H%M%S}-{kind.value}-{hashlib.sha256(ref.encode()).hexdigest()[:10]}",
        incident_id=incident.incident_id,
        at=at,
        kind=kind,
        text=text,
        actor=actor,
        refs=refs,
    )


def _higher_scope(a: Scope, b: Scope) -> Scope:
    return a if _SCOPE_RANK[a] >= _SCOPE_RANK[b] else b


def _higher_severity(a: Severity, b: Severity) -> Severity:
    return a if a.rank >= b.rank else b


def describe(alert: Alert) -> str:
    return f"{alert.severity.value} {alert.rule.value} alert on {alert.subject} ({alert.scope.value}): {alert.summary}"


def open_from_alert(
    transition: AlertTransition, settings: IncidentSettings
) -> tuple[Incident, list[IncidentEvent]] | None:
    """A new incident for a transition that calls for one (severity at least `open_on`), with its first events."""
    alert = transition.alert
    if (
        settings.open_on is None
        or transition.kind is TransitionKind.RESOLVED
        or alert.severity.rank < settings.open_on.rank
    ):
        return None
    key = story_key(alert)
    incident = Incident(
        incident_id=incident_id_for(alert.tenant_id, key, alert.fired_at),
        tenant_id=alert.tenant_id,
        key=key,
        title=alert.summary[:200],
        severity=alert.severity,
        scope=alert.scope,
        alerts={alert.alert_id: alert.status},
        opened_at=transition.at,
        first_mention_at=alert.started_at,
        detected_at=alert.fired_at,
    )
    events = [
        event(
            incident,
            EventKind.FIRST_MENTION,
            alert.started_at,
            "First related mention in the alert's window",
            ref=alert.alert_id,
        ),
        event(
            incident,
            EventKind.ALERT_FIRED,
            alert.fired_at,
            describe(alert),
            ref=alert.alert_id,
            alert_id=alert.alert_id,
        ),
        event(
            incident,
            EventKind.OPENED,
            transition.at,
            f"Incident opened by Sigap: {alert.severity.value} alert",
            ref=alert.alert_id,
        ),
    ]
    return incident, events


def apply_transition(
    incident: Incident, transition: AlertTransition, settings: IncidentSettings
) -> tuple[Incident, list[IncidentEvent]]:
    """The incident after one of its story's alert transitions, and what its timeline gains."""
    alert = transition.alert
    events: list[IncidentEvent] = []
    ref = transition.transition_id
    alerts = dict(incident.alerts)
    if alert.alert_id not in alerts:
        events.append(
            event(incident, EventKind.ALERT_JOINED, transition.at, describe(alert), ref=ref, alert_id=alert.alert_id)
        )
    elif transition.kind is TransitionKind.ESCALATED:
        events.append(
            event(incident, EventKind.ALERT_ESCALATED, transition.at, describe(alert), ref=ref, alert_id=alert.alert_id)
        )
    elif transition.kind is TransitionKind.RESOLVED:
        events.append(
            event(
                incident,
                EventKind.ALERT_RESOLVED,
                transition.at,
                f"Alert on {alert.subject} resolved",
                ref=ref,
                alert_id=alert.alert_id,
            )
        )
    alerts[alert.alert_id] = alert.status
    changes: dict[str, object] = {
        "alerts": alerts,
        "severity": _higher_severity(incident.severity, alert.severity),
        "scope": _higher_scope(incident.scope, alert.scope),
        "first_mention_at": min(filter(None, [incident.first_mention_at, alert.started_at])),
        "detected_at": min(filter(None, [incident.detected_at, alert.fired_at])),
    }
    if (
        settings.resolve_with_alerts
        and incident.state is not IncidentState.RESOLVED
        and all(status is AlertStatus.RESOLVED for status in alerts.values())
    ):
        changes |= {"state": IncidentState.RESOLVED, "resolved_at": transition.at}
        events.append(event(incident, EventKind.RESOLVED, transition.at, "Every alert in it resolved", ref=ref))
    return incident.model_copy(update=changes | {"version": incident.version + 1}), events


def patch(incident: Incident, change: IncidentPatch, now: datetime) -> tuple[Incident, list[IncidentEvent]]:
    events: list[IncidentEvent] = []
    updates: dict[str, object] = {"version": incident.version + 1}
    ref = f"{now.isoformat()}|{change.model_dump_json()}"
    suffix = f": {change.comment}" if change.comment else ""
    if change.state is not None and change.state is not incident.state:
        updates["state"] = change.state
        updates["resolved_at"] = now if change.state is IncidentState.RESOLVED else None
        kind = EventKind.RESOLVED if change.state is IncidentState.RESOLVED else EventKind.STATE_CHANGED
        events.append(
            event(
                incident, kind, now, f"{incident.state.value} → {change.state.value}{suffix}", ref=ref, actor=change.by
            )
        )
    if change.owner is not None and change.owner != incident.owner:
        updates["owner"] = change.owner
        events.append(event(incident, EventKind.OWNER_CHANGED, now, f"Owner: {change.owner}", ref=ref, actor=change.by))
    if change.severity is not None and change.severity is not incident.severity:
        updates["severity"] = change.severity
        events.append(
            event(
                incident,
                EventKind.STATE_CHANGED,
                now,
                f"Severity {incident.severity.value} → {change.severity.value}",
                ref=ref + "s",
                actor=change.by,
            )
        )
    if change.title is not None and change.title.strip() and change.title.strip() != incident.title:
        updates["title"] = change.title.strip()
        events.append(
            event(
                incident, EventKind.TITLE_CHANGED, now, f"Title: {change.title.strip()}", ref=ref + "t", actor=change.by
            )
        )
    if change.comment and not events:
        events.append(event(incident, EventKind.NOTE, now, change.comment, ref=ref, actor=change.by))
    return incident.model_copy(update=updates), events


def opened_by_hand(tenant_id: str, request: IncidentCreate, now: datetime) -> tuple[Incident, IncidentEvent]:
    key = f"story:{request.story_id}" if request.story_id else f"manual:{now.isoformat()}"
    incident = Incident(
        incident_id=incident_id_for(tenant_id, key, now),
        tenant_id=tenant_id,
        key=key,
        title=request.title,
        severity=request.severity,
        scope=request.scope,
        owner=request.owner,
        opened_at=now,
        opened_by=request.opened_by,
    )
    return incident, event(
        incident, EventKind.OPENED, now, f"Opened by hand: {request.title}", ref="opened", actor=request.opened_by
    )
