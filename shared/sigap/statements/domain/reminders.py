"""Update reminders: every published statement promises its next update. Before that time the incident's owner
is reminded; once it has passed without a newer version, the tenant's escalation channels and the staff list are
told, and the status page is made again so it says the update is late instead of showing a passed promise."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Protocol
from zoneinfo import ZoneInfo

from sigap.incidents.domain.model import EventKind, Incident, IncidentState, event
from sigap.kernel.language import Language
from sigap.outbound.domain.models import DeliveryError, Link, OutboundMessage
from sigap.statements.domain.models import PublishingSettings, Statement, StatementVersion
from sigap.statements.domain.publisher import render_site
from sigap.statements.domain.publisher_ports import PublisherPorts
from sigap.statements.domain.site_content import time_text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ReminderMarks(Protocol):
    def first_time(self, tenant_id: str, key: str, at: datetime) -> bool:
        """True the first time `key` is marked: a reminder is sent once however often the schedule runs."""

    def forget(self, tenant_id: str, key: str) -> None:
        """Unmarks a reminder that could not be sent, so the next run tries again."""


@dataclass(frozen=True)
class Promise:
    incident: Incident
    statement: Statement
    version: StatementVersion
    due: datetime


def promises(statements: Sequence[Statement], incidents: dict[str, Incident]) -> list[Promise]:
    """Per open incident, the promise of its newest published version."""
    newest: dict[str, tuple[Statement, StatementVersion]] = {}
    for statement in statements:
        for version in statement.published():
            current = newest.get(statement.incident_id)
            if current is None or (version.published_at or version.created_at) > (
                current[1].published_at or current[1].created_at
            ):
                newest[statement.incident_id] = (statement, version)
    found = []
    for incident_id, (statement, version) in newest.items():
        incident = incidents.get(incident_id)
        due = version.content.next_update_at
        if incident is None or incident.state is IncidentState.RESOLVED or due is None:
            continue
        found.append(Promise(incident=incident, statement=statement, version=version, due=due))
    return found


@dataclass(frozen=True)
class Checked:
    """What one tenant's check did (one line each), and when its promises next need a look (None: never, until
    something wakes the tenant again)."""

    done: list[str]
    next_look: datetime | None


def check_reminders(tenant_id: str, ports: PublisherPorts, marks: ReminderMarks, now: datetime) -> Checked:
    """Sends what is due for one tenant."""
    settings = ports.store.settings(tenant_id)
    incidents = {incident.incident_id: incident for incident in ports.incident_list.all_incidents(tenant_id)}
    done: list[str] = []
    looks: list[datetime] = []
    rerender = False
    for promise in promises(ports.store.statements_of(tenant_id), incidents):
        ref = f"{promise.statement.statement_id}#{promise.version.number}"
        before = promise.due - timedelta(minutes=settings.reminders.remind_before)
        early, late = f"REMIND#{ref}#before", f"REMIND#{ref}#late"
        looks += [moment for moment in (before, promise.due) if moment > now]
        if before <= now < promise.due and marks.first_time(tenant_id, early, now):
            try:
                _remind(promise, settings, ports, now)
            except DeliveryError as error:
                marks.forget(tenant_id, early)
                looks.append(now)  # the next run tries again
                done.append(f"could not remind about {ref} (retried next run): {error.reason}")
            else:
                done.append(f"reminded {promise.incident.owner or 'staff'} of {ref}")
        if now >= promise.due and marks.first_time(tenant_id, late, now):
            failures = _escalate(promise, settings, ports, now)
            done.append(f"escalated late update of {ref}" + "".join(f"; {failure}" for failure in failures))
            rerender = True
    if rerender:
        render_site(tenant_id, ports, now)
    return Checked(done=done, next_look=min(looks, default=None))


def _words(language: Language, promise: Promise, zone: ZoneInfo) -> tuple[str, str]:
    when = time_text(promise.due, language, zone)
    if language is Language.INDONESIAN:
        return (
            f"Pembaruan dijanjikan pukul {when}",
            f"Pernyataan untuk {promise.incident.title} menjanjikan pembaruan {when}.",
        )
    return f"Update promised for {when}", f"The statement on {promise.incident.title} promised an update at {when}."


def _owner_addresses(promise: Promise, settings: PublishingSettings) -> list[str]:
    owner = promise.incident.owner or ""
    return [owner] if _EMAIL.match(owner) else list(settings.staff_emails)


def _remind(promise: Promise, settings: PublishingSettings, ports: PublisherPorts, now: datetime) -> None:
    zone = ZoneInfo(settings.timezone)
    language = promise.version.content.first
    subject, line = _words(language, promise, zone)
    to = _owner_addresses(promise, settings)
    if to:
        _mail(ports, to, f"[Sigap] {subject}", line, promise)
    ports.incidents.add_events(
        promise.incident.tenant_id,
        [
            event(
                promise.incident,
                EventKind.UPDATE_REMINDER,
                now,
                f"Reminded {', '.join(to) or 'nobody (no owner e-mail or staff list)'}: {subject}",
                ref=f"remind|{promise.statement.statement_id}|{promise.version.number}",
            )
        ],
    )


def _escalate(promise: Promise, settings: PublishingSettings, ports: PublisherPorts, now: datetime) -> list[str]:
    """Tells everyone it can; what failed (the page and the timeline say it was late either way)."""
    failures: list[str] = []
    zone = ZoneInfo(settings.timezone)
    language = promise.version.content.first
    subject, line = _words(language, promise, zone)
    late = ("TERLAMBAT: " if language is Language.INDONESIAN else "LATE: ") + subject
    told: list[str] = []
    to = sorted({*_owner_addresses(promise, settings), *settings.staff_emails})
    if to:
        try:
            _mail(ports, to, f"[Sigap] {late}", line, promise)
            told.append(f"{len(to)} e-mail(s)")
        except DeliveryError as error:
            failures.append(f"e-mail failed: {error.reason}")
    for channel_id in settings.escalation_channel_ids:
        channel = ports.channels.channel(promise.incident.tenant_id, channel_id)
        if channel is None or not channel.enabled:
            continue
        message = OutboundMessage(
            message_id=f"late-{promise.statement.statement_id}-v{promise.version.number}",
            tenant_id=promise.incident.tenant_id,
            kind="escalation",
            language=language,
            title=late,
            intro=line,
            links=[Link(label="Status", url=ports.links.site_url)],
            created_at=now,
        )
        try:
            ports.channels.send(channel, ports.channels.secret(channel.tenant_id, channel_id), message)
            told.append(channel.name)
        except DeliveryError as error:
            failures.append(f"{channel.name} failed: {error.reason}")
    ports.incidents.add_events(
        promise.incident.tenant_id,
        [
            event(
                promise.incident,
                EventKind.UPDATE_OVERDUE,
                now,
                f"{late}; told {', '.join(told) or 'nobody (no staff list or escalation channel)'}",
                ref=f"late|{promise.statement.statement_id}|{promise.version.number}",
            )
        ],
    )
    return failures


def _mail(ports: PublisherPorts, to: list[str], subject: str, line: str, promise: Promise) -> None:
    text = f"{line}\n\n{ports.links.site_url}\n"
    url = escape(ports.links.site_url, quote=True)
    html = f'<p>{escape(line)}</p><p><a href="{url}">{url}</a></p>'
    ports.mailer.send(to, subject, text, html, {}, {"sigap-message": "reminder", "tenant": promise.incident.tenant_id})
