"""Publishing one statement version everywhere, internal first: the staff list, then the status page and feeds,
then the tenant's channels (Slack, Teams, webhooks, SNS) and the confirmed e-mail subscribers.

Each step is a queued task, so each retries on its own. Every send is claimed first, keyed on (statement,
version, channel, recipient): a retried task skips what was sent and a step is never sent twice (save the one
window every at-least-once sender has: a worker killed between the provider accepting and the claim being marked
done). A failure is retried on PUBLISH_SCHEDULE, then dead-lettered with its reason; the summary of each target
is what the API shows as the delivery status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from html import escape
from typing import Protocol
from zoneinfo import ZoneInfo

from sigap.incidents.domain.model import EventKind, Incident, IncidentEvent, event
from sigap.kernel.language import Language
from sigap.outbound.domain.models import (
    Channel,
    ChannelSecret,
    ChannelType,
    DeliveryError,
    DeliveryReceipt,
    Link,
    OutboundMessage,
)
from sigap.outbound.domain.retry import next_delay
from sigap.statements.domain.markdown import links_of, to_html, to_text
from sigap.statements.domain.models import (
    ChannelDelivery,
    DeliveryState,
    PublicationTarget,
    PublicationTask,
    PublishingSettings,
    Statement,
    StatementVersion,
    Subscriber,
    SubscriberState,
)
from sigap.statements.domain.site import SiteFile, SiteInput, build_site, time_text
from sigap.statements.domain.subscribers import SendingStats, unsubscribe_token

PUBLISH_SCHEDULE = (0, 5, 30, 120, 300, 900, 1800, 3600)  # statements are urgent: retries come quickly
SUBSCRIBER_SLICE = 50  # recipients per task: one task's sends finish well inside the function's timeout
LEASE = timedelta(seconds=90)
THROTTLE_PAUSE = 1.0  # seconds: SES throttles per second


class Claim(StrEnum):
    NEW = "new"  # this worker sends it
    DONE = "done"  # sent (or given up on) before
    BUSY = "busy"  # another worker holds a live claim


class PublishingStore(Protocol):
    def statement(self, tenant_id: str, statement_id: str) -> Statement | None: ...

    def settings(self, tenant_id: str) -> PublishingSettings: ...

    def statements_of(self, tenant_id: str) -> list[Statement]: ...

    def claim(self, tenant_id: str, statement_id: str, version: int, key: str, now: datetime) -> Claim: ...

    def release(self, tenant_id: str, statement_id: str, version: int, key: str) -> None: ...

    def finish(
        self,
        tenant_id: str,
        statement_id: str,
        version: int,
        keys: Sequence[str],
        target: str,
        outcome: DeliveryState,
        now: datetime,
        error: str | None = None,
    ) -> None: ...

    def mark(self, tenant_id: str, statement_id: str, version: int, delivery: ChannelDelivery) -> None: ...

    def confirmed_subscribers(self, tenant_id: str) -> list[Subscriber]: ...

    def subscribers_by_email(self, tenant_id: str, emails: Sequence[str]) -> dict[str, Subscriber]: ...

    def suppressed(self, tenant_id: str, emails: Sequence[str]) -> set[str]: ...

    def stats(self, tenant_id: str) -> SendingStats: ...

    def count_sent(self, tenant_id: str, sent: int) -> None: ...


class IncidentReader(Protocol):
    def incident(self, tenant_id: str, incident_id: str) -> Incident | None: ...

    def add_events(self, tenant_id: str, events: Sequence[IncidentEvent]) -> None: ...


class IncidentLister(Protocol):
    def all_incidents(self, tenant_id: str) -> list[Incident]: ...


class SiteWriter(Protocol):
    def write(self, tenant_id: str, files: dict[str, SiteFile]) -> None: ...


class Mailer(Protocol):
    def send(
        self, to: Sequence[str], subject: str, text: str, html: str, headers: dict[str, str], tags: dict[str, str]
    ) -> str: ...


class ChannelSenders(Protocol):
    def channel(self, tenant_id: str, channel_id: str) -> Channel | None: ...

    def secret(self, tenant_id: str, channel_id: str) -> ChannelSecret | None: ...

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt: ...


class TaskQueue(Protocol):
    def send(self, tasks: Sequence[PublicationTask]) -> None: ...

    def later(self, task: PublicationTask, delay_seconds: float) -> None: ...


class DeadLetters(Protocol):
    def put(self, body: str, reason: str, tenant_id: str | None = None) -> None: ...


@dataclass(frozen=True)
class SiteLinks:
    """Where the public can read and subscribe."""

    site_url: str  # the tenant's status page, ending in '/'
    api_url: str  # the API's base, for subscribe and unsubscribe links

    def subscribe_url(self, tenant_id: str) -> str:
        return f"{self.api_url.rstrip('/')}/v1/status/{tenant_id}/subscribe"

    def confirm_url(self, tenant_id: str, token: str) -> str:
        return f"{self.api_url.rstrip('/')}/v1/status/{tenant_id}/confirm/{token}"

    def unsubscribe_url(self, tenant_id: str, token: str) -> str:
        return f"{self.api_url.rstrip('/')}/v1/status/{tenant_id}/unsubscribe/{token}"


@dataclass(frozen=True)
class PublisherPorts:
    store: PublishingStore
    incidents: IncidentReader
    incident_list: IncidentLister
    site: SiteWriter
    mailer: Mailer
    channels: ChannelSenders
    queue: TaskQueue
    dead_letters: DeadLetters
    links: SiteLinks
    tenant_name: str
    link_key: bytes


class StatementGoneError(Exception):
    """The task names a statement version that does not exist (a poison message)."""


def _version(statement: Statement, number: int) -> StatementVersion:
    for version in statement.versions:
        if version.number == number and version.published_at is not None:
            return version
    raise StatementGoneError(f"statement {statement.statement_id} has no published version {number}")


def handle_task(task: PublicationTask, ports: PublisherPorts, now: datetime) -> None:
    statement = ports.store.statement(task.tenant_id, task.statement_id)
    if statement is None:
        raise StatementGoneError(f"no statement {task.statement_id} for tenant {task.tenant_id}")
    version = _version(statement, task.version)
    if task.not_before is not None and task.not_before > now:
        ports.queue.later(task, (task.not_before - now).total_seconds())
        return
    steps = {
        PublicationTarget.STAFF: _staff,
        PublicationTarget.STATUS_PAGE: _status_page,
        PublicationTarget.CHANNEL: _channel,
        PublicationTarget.SUBSCRIBERS: _subscribers,
    }
    steps[task.target](task, statement, version, ports, now)


# -- the steps ---------------------------------------------------------------------------------------------------


def _staff(
    task: PublicationTask, statement: Statement, version: StatementVersion, ports: PublisherPorts, now: datetime
) -> None:
    """Internal first: the staff list gets the statement before anything is public."""
    settings = ports.store.settings(task.tenant_id)
    recipients = list(settings.staff_emails)
    if recipients:
        sent = _send_once(
            task,
            ports,
            now,
            key="staff",
            target="staff",
            send=lambda: _mail_staff(statement, version, recipients, settings, ports),
        )
        if not sent:
            return  # retried or dead-lettered; the public steps wait for the staff
        incident = ports.incidents.incident(task.tenant_id, statement.incident_id)
        if incident is not None:
            ports.incidents.add_events(
                task.tenant_id,
                [
                    event(
                        incident,
                        EventKind.INTERNAL_NOTICE,
                        now,
                        f"Staff told first: statement v{version.number} e-mailed to {len(recipients)} staff",
                        ref=f"staff|{statement.statement_id}|{version.number}",
                        statement_id=statement.statement_id,
                    )
                ],
            )
    else:
        ports.store.mark(
            task.tenant_id,
            statement.statement_id,
            version.number,
            ChannelDelivery(
                target="staff", state=DeliveryState.SKIPPED, last_error="no staff e-mails set", updated_at=now
            ),
        )
    ports.queue.send([_next(task, PublicationTarget.STATUS_PAGE)])


def _status_page(
    task: PublicationTask, statement: Statement, version: StatementVersion, ports: PublisherPorts, now: datetime
) -> None:
    """The whole site, made again from every published version: writing it twice writes the same files."""
    render_site(task.tenant_id, ports, now)
    ports.store.mark(
        task.tenant_id,
        statement.statement_id,
        version.number,
        ChannelDelivery(target="status_page", state=DeliveryState.SENT, sent=1, updated_at=now),
    )
    settings = ports.store.settings(task.tenant_id)
    follow = [_next(task, PublicationTarget.CHANNEL, channel_id=channel_id) for channel_id in settings.channel_ids]
    follow.append(_next(task, PublicationTarget.SUBSCRIBERS))
    ports.queue.send(follow)


def render_site(tenant_id: str, ports: PublisherPorts, now: datetime) -> dict[str, SiteFile]:
    settings = ports.store.settings(tenant_id)
    by_incident: dict[str, list[Statement]] = {}
    for statement in ports.store.statements_of(tenant_id):
        by_incident.setdefault(statement.incident_id, []).append(statement)
    incidents = {incident.incident_id: incident for incident in ports.incident_list.all_incidents(tenant_id)}
    files = build_site(
        SiteInput(
            tenant_id=tenant_id,
            tenant_name=ports.tenant_name,
            settings=settings,
            incidents=[(incidents[iid], found) for iid, found in by_incident.items() if iid in incidents],
            now=now,
            site_url=ports.links.site_url,
            subscribe_url=ports.links.subscribe_url(tenant_id),
        )
    )
    ports.site.write(tenant_id, files)
    return files


def _channel(
    task: PublicationTask, statement: Statement, version: StatementVersion, ports: PublisherPorts, now: datetime
) -> None:
    assert task.channel_id is not None
    target = f"channel:{task.channel_id}"
    channel = ports.channels.channel(task.tenant_id, task.channel_id)
    if channel is None or not channel.enabled:
        why = "the channel was deleted" if channel is None else f"the channel is disabled: {channel.disabled_reason}"
        ports.store.finish(
            task.tenant_id, statement.statement_id, version.number, [target], target, DeliveryState.SKIPPED, now, why
        )
        return
    message = channel_message(statement, version, channel, ports, now)
    secret = ports.channels.secret(task.tenant_id, task.channel_id) if channel.type is not ChannelType.EMAIL else None
    _send_once(
        task,
        ports,
        now,
        key=target,
        target=target,
        send=lambda: ports.channels.send(channel, secret, message).provider_id or "",
    )


def _subscribers(
    task: PublicationTask, statement: Statement, version: StatementVersion, ports: PublisherPorts, now: datetime
) -> None:
    tenant_id = task.tenant_id
    if not task.recipients:  # the fan-out: one task per slice of confirmed subscribers
        emails = [s.email for s in ports.store.confirmed_subscribers(tenant_id)]
        if not emails:
            ports.store.mark(
                tenant_id,
                statement.statement_id,
                version.number,
                ChannelDelivery(
                    target="subscribers", state=DeliveryState.SKIPPED, last_error="no subscribers", updated_at=now
                ),
            )
            return
        ports.store.mark(
            tenant_id,
            statement.statement_id,
            version.number,
            ChannelDelivery(target="subscribers", state=DeliveryState.PENDING, updated_at=now),
        )
        ports.queue.send(
            [
                _next(task, PublicationTarget.SUBSCRIBERS, recipients=emails[start : start + SUBSCRIBER_SLICE])
                for start in range(0, len(emails), SUBSCRIBER_SLICE)
            ]
        )
        return
    stats = ports.store.stats(tenant_id)
    if stats.paused_at is not None:
        ports.dead_letters.put(task.model_dump_json(), f"subscriber e-mail is paused: {stats.paused_reason}", tenant_id)
        ports.store.finish(
            tenant_id,
            statement.statement_id,
            version.number,
            [],
            "subscribers",
            DeliveryState.FAILED,
            now,
            f"paused: {stats.paused_reason}",
        )
        return
    subscribers = ports.store.subscribers_by_email(tenant_id, task.recipients)
    suppressed = ports.store.suppressed(tenant_id, task.recipients)
    waiting: list[str] = []
    sent_here = 0
    mail = _SubscriberMail(statement, version, ports)
    for index, email in enumerate(task.recipients):
        key = f"rcpt:{email}"
        subscriber = subscribers.get(email)
        if subscriber is None or subscriber.state is not SubscriberState.CONFIRMED or email in suppressed:
            ports.store.finish(
                tenant_id,
                statement.statement_id,
                version.number,
                [key],
                "subscribers",
                DeliveryState.SKIPPED,
                now,
                "unsubscribed or suppressed since the fan-out",
            )
            continue
        claim = ports.store.claim(tenant_id, statement.statement_id, version.number, key, now)
        if claim is Claim.DONE:
            continue
        if claim is Claim.BUSY:
            waiting.append(email)
            continue
        try:
            mail.send(subscriber, now)
        except DeliveryError as error:
            ports.store.release(tenant_id, statement.statement_id, version.number, key)
            if error.retryable:
                # Throttled or unavailable: stop here and come back for this one and the rest. A task that got
                # some out before SES pushed back made progress: it comes back in a second with its attempts
                # reset; only throttles with no progress at all walk the retry schedule towards the DLQ.
                waiting.extend(task.recipients[index:])
                _count(ports, tenant_id, sent_here)
                rest = task.model_copy(update={"recipients": waiting})
                if sent_here:
                    ports.queue.later(rest.model_copy(update={"attempt": 0}), THROTTLE_PAUSE)
                else:
                    _retry(rest, ports, now, error, "subscribers")
                return
            ports.store.finish(
                tenant_id,
                statement.statement_id,
                version.number,
                [key],
                "subscribers",
                DeliveryState.FAILED,
                now,
                error.reason,
            )
            continue
        ports.store.finish(
            tenant_id, statement.statement_id, version.number, [key], "subscribers", DeliveryState.SENT, now
        )
        sent_here += 1
    _count(ports, tenant_id, sent_here)
    if waiting:
        ports.queue.later(task.model_copy(update={"recipients": waiting}), LEASE.total_seconds())


def _count(ports: PublisherPorts, tenant_id: str, sent: int) -> None:
    if sent:
        ports.store.count_sent(tenant_id, sent)


# -- sending once ------------------------------------------------------------------------------------------------


def _send_once(
    task: PublicationTask, ports: PublisherPorts, now: datetime, *, key: str, target: str, send: Callable[[], object]
) -> bool:
    """Claims (statement, version, key), sends, records; False if it must wait (retry or dead letter)."""
    claim = ports.store.claim(task.tenant_id, task.statement_id, task.version, key, now)
    if claim is Claim.DONE:
        return True
    if claim is Claim.BUSY:
        ports.queue.later(task, LEASE.total_seconds())
        return False
    try:
        send()
    except DeliveryError as error:
        ports.store.release(task.tenant_id, task.statement_id, task.version, key)
        if error.retryable:
            _retry(task, ports, now, error, target)
        else:
            _give_up(task, ports, now, error.reason, [key], target)
        return False
    ports.store.finish(task.tenant_id, task.statement_id, task.version, [key], target, DeliveryState.SENT, now)
    return True


def _retry(task: PublicationTask, ports: PublisherPorts, now: datetime, error: DeliveryError, target: str) -> None:
    delay = next_delay(task.attempt + 1, PUBLISH_SCHEDULE, error.retry_after)
    if delay is None:
        _give_up(task, ports, now, f"gave up after {task.attempt + 1} attempts: {error.reason}", [], target)
        return
    ports.store.mark(
        task.tenant_id,
        task.statement_id,
        task.version,
        ChannelDelivery(target=target, state=DeliveryState.PENDING, last_error=error.reason, updated_at=now),
    )
    waiting = task.model_copy(update={"attempt": task.attempt + 1})
    if delay > 900:
        waiting = waiting.model_copy(update={"not_before": now + timedelta(seconds=delay)})
    ports.queue.later(waiting, min(delay, 900))


def _give_up(
    task: PublicationTask, ports: PublisherPorts, now: datetime, reason: str, keys: list[str], target: str
) -> None:
    ports.dead_letters.put(task.model_dump_json(), reason, task.tenant_id)
    failed = keys or [f"rcpt:{email}" for email in task.recipients]
    ports.store.finish(
        task.tenant_id, task.statement_id, task.version, failed, target, DeliveryState.FAILED, now, reason
    )


def _next(task: PublicationTask, target: PublicationTarget, **fields: object) -> PublicationTask:
    return PublicationTask(
        tenant_id=task.tenant_id,
        statement_id=task.statement_id,
        version=task.version,
        target=target,
        **fields,
    )


# -- what is sent ------------------------------------------------------------------------------------------------


def _texts(version: StatementVersion, language: Language) -> tuple[Language, str, str]:
    text = version.content.text(language)
    if text is None:
        language = version.content.first
        text = version.content.text(language)
    assert text is not None
    return language, text.title, text.body


_EMAIL_WORDS = {
    Language.INDONESIAN: {
        "internal": "[INTERNAL — belum publik]",
        "page": "Halaman status",
        "next": "Pembaruan berikutnya",
        "unsubscribe": "Berhenti berlangganan",
        "correction": "[Koreksi]",
        "staff_note": "Anda menerima ini lebih dulu sebagai staf; pernyataan ini akan segera dipublikasikan.",
        "why": "Anda menerima e-mail ini karena berlangganan kabar di halaman status ini.",
    },
    Language.ENGLISH: {
        "internal": "[INTERNAL — not yet public]",
        "page": "Status page",
        "next": "Next update",
        "unsubscribe": "Unsubscribe",
        "correction": "[Correction]",
        "staff_note": "You are getting this first, as staff; the statement goes public right after.",
        "why": "You get this e-mail because you subscribed to updates on this status page.",
    },
}


def email_content(
    version: StatementVersion,
    language: Language,
    settings: PublishingSettings,
    site_url: str,
    *,
    internal: bool,
    unsubscribe_url: str | None = None,
) -> tuple[str, str, str]:
    """(subject, text, HTML) of a statement e-mail; the Markdown sanitised into the HTML."""
    used, title, body = _texts(version, language)
    words = _EMAIL_WORDS[used]
    prefix = (words["internal"] + " " if internal else "") + (
        words["correction"] + " " if version.content.correction else ""
    )
    zone = ZoneInfo(settings.timezone)
    lines = [title, ""]
    if internal:
        lines += [words["staff_note"], ""]
    lines += [to_text(body), ""]
    promise = version.content.next_update_at
    if promise is not None:
        lines.append(f"{words['next']}: {time_text(promise, used, zone)}")
    lines.append(f"{words['page']}: {site_url}")
    html_parts = [f"<h1>{_escape(title)}</h1>"]
    if internal:
        html_parts.append(f"<p><strong>{_escape(words['staff_note'])}</strong></p>")
    html_parts.append(to_html(body))
    if promise is not None:
        html_parts.append(f"<p>{_escape(words['next'])}: {_escape(time_text(promise, used, zone))}</p>")
    html_parts.append(f'<p><a href="{_escape(site_url)}">{_escape(words["page"])}</a></p>')
    if unsubscribe_url:
        lines += ["", words["why"], f"{words['unsubscribe']}: {unsubscribe_url}"]
        html_parts.append(
            f'<p style="color:#666;font-size:12px">{_escape(words["why"])} '
            f'<a href="{_escape(unsubscribe_url)}">{_escape(words["unsubscribe"])}</a></p>'
        )
    html = f'<!doctype html><html lang="{used.value}"><body>{"".join(html_parts)}</body></html>'
    return (prefix + title)[:200], "\n".join(lines), html


def _escape(text: str) -> str:
    return escape(text, quote=True)


def _mail_staff(
    statement: Statement,
    version: StatementVersion,
    recipients: list[str],
    settings: PublishingSettings,
    ports: PublisherPorts,
) -> str:
    subject, text, html = email_content(version, version.content.first, settings, ports.links.site_url, internal=True)
    return ports.mailer.send(
        recipients, subject, text, html, {}, {"sigap-message": "statement-staff", "tenant": statement.tenant_id}
    )


_UNSUBSCRIBE_MARK = "https://unsubscribe.sigap.invalid/mark"


class _SubscriberMail:
    """A statement version's subscriber e-mail, rendered once per language per task; each recipient's copy
    differs only in its unsubscribe link (the token is URL-safe, so it goes into text and HTML as it is)."""

    def __init__(self, statement: Statement, version: StatementVersion, ports: PublisherPorts) -> None:
        self._statement = statement
        self._version = version
        self._ports = ports
        self._settings = ports.store.settings(statement.tenant_id)
        self._rendered: dict[Language, tuple[str, str, str]] = {}

    def send(self, subscriber: Subscriber, now: datetime) -> str:
        tenant_id = self._statement.tenant_id
        if subscriber.language not in self._rendered:
            self._rendered[subscriber.language] = email_content(
                self._version,
                subscriber.language,
                self._settings,
                self._ports.links.site_url,
                internal=False,
                unsubscribe_url=_UNSUBSCRIBE_MARK,
            )
        subject, text, html = self._rendered[subscriber.language]
        token = unsubscribe_token(self._ports.link_key, tenant_id, subscriber.email, now)
        unsubscribe = self._ports.links.unsubscribe_url(tenant_id, token)
        if subscriber.language is Language.ENGLISH:
            unsubscribe += "?lang=en"  # its page answers in the subscriber's language
        # RFC 8058: a mail client may unsubscribe with one POST of "List-Unsubscribe=One-Click" to this URL.
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        return self._ports.mailer.send(
            [subscriber.email],
            subject,
            text.replace(_UNSUBSCRIBE_MARK, unsubscribe),
            html.replace(_UNSUBSCRIBE_MARK, unsubscribe),
            headers,
            {"sigap-message": "statement", "tenant": tenant_id},
        )


def channel_message(
    statement: Statement, version: StatementVersion, channel: Channel, ports: PublisherPorts, now: datetime
) -> OutboundMessage:
    language = channel.language or version.content.first
    used, title, body = _texts(version, language)
    links = [Link(label=label, url=url) for label, url in links_of(body)]
    page = Link(label="Status", url=ports.links.site_url)
    return OutboundMessage(
        message_id=f"{statement.statement_id}-v{version.number}",
        tenant_id=statement.tenant_id,
        kind="statement",
        language=used,
        title=("[Koreksi] " if used is Language.INDONESIAN else "[Correction] ") * version.content.correction + title,
        # The page's address in the text itself: every channel shows the intro, not every one its links.
        intro=f"{to_text(body)[:2400]}\n\n{page.label}: {page.url}",
        items=[],
        links=[*links[:5], page],
        created_at=version.published_at or now,
        payload={
            "statement_id": statement.statement_id,
            "incident_id": statement.incident_id,
            "version": version.number,
            "correction": version.content.correction,
            "published_at": (version.published_at or now).isoformat(),
            "next_update_at": version.content.next_update_at.isoformat() if version.content.next_update_at else None,
            "texts": {
                lang.value: {"title": text.title, "markdown": text.body}
                for lang in version.content.languages()
                if (text := version.content.text(lang)) is not None
            },
            "status_page": ports.links.site_url,
        },
    )
