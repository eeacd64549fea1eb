"""What people do to incidents through the API: open one by hand, change its state, owner or severity, add a
note; each written on the version read (a lost race is read again and redone) with its timeline event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sigap.detection.domain.models import Alert
from sigap.incidents.domain.model import (
    AlertLink,
    EventKind,
    Incident,
    IncidentCreate,
    IncidentEvent,
    IncidentPatch,
    IncidentState,
    IncidentView,
    NoteCreate,
    describe,
    event,
    opened_by_hand,
    patch,
)
from sigap.kernel.errors import NotFoundError, SigapError
from sigap.kernel.races import LOST_RACE, LostRace, retry_on_conflict


class IncidentStore(Protocol):
    def incident(self, tenant_id: str, incident_id: str) -> Incident | None: ...

    def open_incident(self, tenant_id: str, key: str) -> Incident | None: ...

    def save_incident(self, incident: Incident, expected_version: int, events: Sequence[IncidentEvent]) -> bool: ...

    def timeline(self, tenant_id: str, incident_id: str) -> list[IncidentEvent]: ...

    def wake_promises(self, tenant_id: str, now: datetime) -> None:
        """Has the reminders run look at the tenant's update promises next time (a reopened incident's are back)."""


class IncidentConflictError(SigapError):
    """The incident kept changing under this request; retry it."""


def _kept_changing() -> IncidentConflictError:
    return IncidentConflictError("the incident kept changing; retry")


class StoryHasIncidentError(SigapError):
    def __init__(self, incident_id: str) -> None:
        super().__init__(f"this story already has an open incident, {incident_id}; alerts on it join that one")
        self.incident_id = incident_id


def view(store: IncidentStore, tenant_id: str, incident_id: str) -> IncidentView:
    incident = store.incident(tenant_id, incident_id)
    if incident is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    return IncidentView(incident=incident, timeline=store.timeline(tenant_id, incident_id))


def open_incident(store: IncidentStore, tenant_id: str, request: IncidentCreate, now: datetime) -> IncidentView:
    incident, opened = opened_by_hand(tenant_id, request, now)
    existing = store.open_incident(tenant_id, incident.key)
    if existing is not None:
        raise StoryHasIncidentError(existing.incident_id)
    if not store.save_incident(incident, 0, [opened]):
        raced = store.open_incident(tenant_id, incident.key)
        raise StoryHasIncidentError(raced.incident_id if raced else incident.incident_id)
    return view(store, tenant_id, incident.incident_id)


def change_incident(
    store: IncidentStore, tenant_id: str, incident_id: str, change: IncidentPatch, now: datetime
) -> IncidentView:

    def attempt() -> IncidentView | LostRace:
        current = store.incident(tenant_id, incident_id)
        if current is None:
            raise NotFoundError(f"no incident {incident_id!r}")
        updated, events = patch(current, change, now)
        if not events:
            return view(store, tenant_id, incident_id)
        if store.save_incident(updated, current.version, events):
            return view(store, tenant_id, incident_id)
        return LOST_RACE

    shown = retry_on_conflict(attempt, _kept_changing)
    if change.state is not None and change.state is not IncidentState.RESOLVED:
        # A reopened incident's promises are back. Woken after every such change, not only the one that
        # reopened it: a client retrying a request whose wake failed after the save still wakes the tenant.
        store.wake_promises(tenant_id, now)
    return shown


def link_alert(
    store: IncidentStore, tenant_id: str, incident_id: str, alert: Alert, link: AlertLink, now: datetime
) -> IncidentView:
    """Records on the incident's timeline that a person joined this alert to it (an alert on another story, or
    one that opened no incident). The alert still belongs to its own story's incident for resolution: joining
    says what the team judged, it does not hold this incident open until that alert resolves."""

    def attempt() -> IncidentView | LostRace:
        shown = view(store, tenant_id, incident_id)  # the incident (or NotFoundError) and its timeline, read once
        current = shown.incident
        joined = (e for e in shown.timeline if e.kind is EventKind.ALERT_JOINED)
        if alert.alert_id in current.alerts or any(e.refs.get("alert_id") == alert.alert_id for e in joined):
            return shown  # already part of it: joining again records nothing
        entry = event(
            current,
            EventKind.ALERT_JOINED,
            now,
            f"Joined by {link.by}: {describe(alert)}",
            ref=f"joined|{alert.alert_id}",
            actor=link.by,
            alert_id=alert.alert_id,
        )
        if store.save_incident(current.model_copy(update={"version": current.version + 1}), current.version, [entry]):
            return view(store, tenant_id, incident_id)
        return LOST_RACE

    return retry_on_conflict(attempt, _kept_changing)


def add_note(store: IncidentStore, tenant_id: str, incident_id: str, note: NoteCreate, now: datetime) -> IncidentView:

    def attempt() -> IncidentView | LostRace:
        current = store.incident(tenant_id, incident_id)
        if current is None:
            raise NotFoundError(f"no incident {incident_id!r}")
        entry = event(current, EventKind.NOTE, now, note.text, ref=f"{now.isoformat()}|{note.by}", actor=note.by)
        if store.save_incident(current.model_copy(update={"version": current.version + 1}), current.version, [entry]):
            return view(store, tenant_id, incident_id)
        return LOST_RACE

    return retry_on_conflict(attempt, _kept_changing)
