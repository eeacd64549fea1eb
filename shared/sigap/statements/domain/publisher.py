"""Publishing one statement version everywhere, internal first: the staff list, then the status page and feeds,
then the tenant's channels (Slack, Teams, webhooks, SNS) and the confirmed e-mail subscribers.

Each step is a queued task, so each retries on its own. Every send is claimed first, keyed on (statement,
version, channel, recipient): a retried task skips what was sent and a step is never sent twice (save the one
window every at-least-once sender has: a worker killed between the provider accepting and the claim being marked
done). A failure is retried on PUBLISH_SCHEDULE, then dead-lettered with its reason; the summary of each target
is what the API shows as the delivery status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sigap.incidents.domain.model import EventKind, event
from sigap.outbound.domain.models import (
    ChannelType,
    DeliveryError,
)
from sigap.outbound.domain.retry import next_delay
from sigap.statements.domain.models import (
    ChannelDelivery,
    DeliveryState,
    PublicationTarget,
    PublicationTask,
    Statement,
    StatementVersion,
    SubscriberState,
)
from sigap.statements.domain.publisher_content import SubscriberMail, channel_message, mail_staff
from sigap.statements.domain.publisher_ports import (
    LEASE,
    PUBLISH_SCHEDULE,
    SUBSCRIBER_SLICE,
    THROTTLE_PAUSE,
    Claim,
    PublisherPorts,
    StatementGoneError,
)
from sigap.statements.domain.site import build_site
from sigap.statements.domain.site_content import SiteFile, SiteInput


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
            send=lambda: mail_staff(statement, version, recipients, settings, ports),
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
    mail = SubscriberMail(statement, version, ports)
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
