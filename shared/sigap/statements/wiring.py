"""The publishing functions' wiring: the publisher's batch (one publication step per record), the reminders'
schedule (every minute, the tenants whose promises need a look) and the SES feedback batch (bounces and
complaints), each on the adapters its settings name."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from sigap.incidents.promise_wakes import SeenWake
from sigap.incidents.store import AllIncidents, IncidentsTable
from sigap.kernel.models import problems_of, utc_now
from sigap.outbound.domain.models import Channel, ChannelSecret, DeliveryReceipt, OutboundMessage
from sigap.outbound.providers import Providers, SesMailer
from sigap.outbound.secrets import ChannelSecrets
from sigap.outbound.store import ChannelsTable
from sigap.platform.batch import SqsRecordProcessor
from sigap.platform.link_key import link_key
from sigap.platform.observability import logger, metrics
from sigap.platform.side_by_side import side_by_side
from sigap.platform.sqs import DeadLetterQueue
from sigap.statements.domain.models import PublicationTask, QueuedSubscription
from sigap.statements.domain.publisher import handle_task
from sigap.statements.domain.publisher_ports import PublisherPorts, SiteLinks, StatementGoneError
from sigap.statements.domain.reminders import check_reminders
from sigap.statements.domain.subscribers import Feedback, apply_feedback
from sigap.statements.queue import PublicationQueue
from sigap.statements.settings import FeedbackSettings, PublisherSettings, PublishingSettings
from sigap.statements.site_bucket import SiteBucket
from sigap.statements.store import PublishingTable
from sigap.statements.subscription_mail import handle_subscription
from sigap.tenants.store import TenantStore


@dataclass(frozen=True)
class ChannelSenders:
    """A tenant's channels, their secrets and the provider of each type, as the publisher needs them."""

    table: ChannelsTable
    secrets: ChannelSecrets
    providers: Providers

    def channel(self, tenant_id: str, channel_id: str) -> Channel | None:
        return self.table.channel(tenant_id, channel_id)

    def secret(self, tenant_id: str, channel_id: str) -> ChannelSecret | None:
        return self.secrets.secret(tenant_id, channel_id)

    def send(self, channel: Channel, secret: ChannelSecret | None, message: OutboundMessage) -> DeliveryReceipt:
        return self.providers.for_type(channel.type).send(channel, secret, message)


class _NoDeadLetters:
    def put(self, body: str, reason: str, tenant_id: str | None = None) -> None:
        raise RuntimeError(f"nothing may be dead-lettered from here: {reason}")


def site_url(settings: PublishingSettings, tenant_id: str) -> str:
    return f"{settings.status_site_url.rstrip('/')}/{tenant_id}/"


def publisher_ports(settings: PublishingSettings, tenant_id: str, dead_letters_url: str = "") -> PublisherPorts:
    """The publisher's adapters for one tenant (its name and site address are the tenant's own)."""
    shared = _shared(settings)
    tenants, incidents, table, site, queue, senders = shared
    tenant = tenants.get(tenant_id)
    return PublisherPorts(
        store=table,
        incidents=incidents,
        incident_list=AllIncidents(incidents),
        site=site,
        mailer=SesMailer(settings.email_sender, settings.email_configuration_set),
        channels=senders,
        queue=queue,
        dead_letters=DeadLetterQueue(dead_letters_url) if dead_letters_url else _NoDeadLetters(),
        links=SiteLinks(site_url=site_url(settings, tenant_id), api_url=settings.public_api_url),
        tenant_name=tenant.display_name if tenant else tenant_id,
        link_key=link_key(settings.link_key_secret),
    )


@lru_cache(maxsize=4)
def _shared(
    settings: PublishingSettings,
) -> tuple[TenantStore, IncidentsTable, PublishingTable, SiteBucket, PublicationQueue, ChannelSenders]:
    # Incidents and channels live in the notifications table; each has its adapter (statements never use notify's).
    return (
        TenantStore(settings.tenants_table),
        IncidentsTable(settings.notifications_table),
        PublishingTable(settings.publishing_table),
        SiteBucket(settings.status_site_bucket),
        PublicationQueue(settings.publication_queue_url),
        ChannelSenders(
            ChannelsTable(settings.notifications_table),
            ChannelSecrets(settings.secrets_prefix),
            Providers(
                settings.email_sender,
                allow_loopback=settings.allow_loopback_receivers,
                email_configuration_set=settings.email_configuration_set,
            ),
        ),
    )


class PublisherBatchProcessor(SqsRecordProcessor):
    def __init__(self, settings: PublisherSettings) -> None:
        super().__init__()
        self._settings = settings

    def handle_record(self, record: SQSRecord) -> str:
        dead_letters = DeadLetterQueue(self._settings.publication_dead_letter_queue_url)
        if '"kind":"subscription"' in record.body:  # the one other message on the queue, written compact
            return self._subscription(record.body, dead_letters)
        try:
            task = PublicationTask.model_validate_json(record.body)
        except ValidationError as exc:
            reason = f"not a publication task: {problems_of(exc)}"
            dead_letters.put(record.body, reason)
            logger.error("poison publication message dead-lettered", extra={"reason": reason})
            return "dead-lettered"
        context = {
            "tenant_id": task.tenant_id,
            "statement_id": task.statement_id,
            "version": task.version,
            "target": task.target.value,
        }
        try:
            handle_task(
                task,
                publisher_ports(self._settings, task.tenant_id, self._settings.publication_dead_letter_queue_url),
                utc_now(),
            )
        except StatementGoneError as exc:
            dead_letters.put(record.body, str(exc), task.tenant_id)
            logger.error("publication of a missing statement dead-lettered", extra=context | {"reason": str(exc)})
            return "dead-lettered"
        logger.info("publication step handled", extra=context)
        metrics.add_metric(name="PublicationSteps", unit="Count", value=1)
        return "handled"

    def _subscription(self, body: str, dead_letters: DeadLetterQueue) -> str:
        try:
            queued = QueuedSubscription.model_validate_json(body)
        except ValidationError as exc:
            reason = f"not a subscription: {problems_of(exc)}"
            dead_letters.put(body, reason)
            logger.error("poison subscription message dead-lettered", extra={"reason": reason})
            return "dead-lettered"
        _, _, table, *_ = _shared(self._settings)
        handle_subscription(queued, table, publisher_ports(self._settings, queued.tenant_id))
        logger.info("subscription handled", extra={"tenant_id": queued.tenant_id})
        return "handled"


# Tenants checked side by side: each check is a few DynamoDB reads, so even every tenant of a 10,000-client agency
# due at once takes seconds, not the minutes one after another would (a run is cut at its deadline, never
# mid-tenant).
REMINDER_CHECKERS = 16
DEADLINE_MARGIN_SECONDS = 10.0


def run_reminders(
    settings: PublishingSettings, time_left: Callable[[], float] = lambda: float("inf")
) -> dict[str, list[str]]:
    """The due reminders of every tenant whose promises need a look (its wake has come); the rest are not read.
    A tenant that fails is logged, stays due, and the others still run. Each minute starts at another place in
    the list: a run cut short by its deadline leaves other tenants for the next minute, never the same last ones
    (`time_left`: seconds the invocation has left)."""
    tenants, wakes, table, *_ = _shared(settings)
    now = utc_now()
    if wakes.start_wakes(tenants.tenant_ids(), now):
        logger.info("every tenant woken once: promises made before wakes existed get their look")
    due = sorted(wakes.due_wakes(now), key=lambda seen: seen.tenant_id)
    start = (int(now.timestamp()) // 60 * 7_919) % len(due) if due else 0
    ordered = due[start:] + due[:start]

    def check(seen: SeenWake) -> tuple[str, list[str] | None, bool]:
        tenant_id = seen.tenant_id
        if time_left() < DEADLINE_MARGIN_SECONDS:
            return tenant_id, None, False
        try:
            checked = check_reminders(tenant_id, publisher_ports(settings, tenant_id), table, now)
            wakes.settle_wake(seen, checked.next_look)
        except Exception:
            logger.exception("reminders failed for a tenant", extra={"tenant_id": tenant_id})
            return tenant_id, None, True
        return tenant_id, checked.done, False

    done: dict[str, list[str]] = {}
    results = side_by_side(check, ordered, REMINDER_CHECKERS)
    failed = [tenant_id for tenant_id, _, broke in results if broke]
    deferred = [tenant_id for tenant_id, lines, broke in results if lines is None and not broke]
    for tenant_id, lines, _ in results:
        if lines:
            done[tenant_id] = lines
            logger.info("reminders sent", extra={"tenant_id": tenant_id, "done": lines})
    if deferred:
        logger.warning("the run's deadline came first: these tenants wait a minute", extra={"tenants": len(deferred)})
        metrics.add_metric(name="RemindersDeferred", unit="Count", value=len(deferred))
    if failed:
        raise RuntimeError(f"reminders failed for {len(failed)} tenant(s): {', '.join(failed[:10])}")
    return done


def feedback_of(record_body: str) -> list[Feedback]:
    """SES event notifications (via SNS, then SQS) as Feedback: the tenant comes from the e-mail's tag."""
    outer: Any = json.loads(record_body)
    message: Any = json.loads(outer["Message"]) if isinstance(outer, dict) and "Message" in outer else outer
    kind = message.get("eventType") or message.get("notificationType")
    mail = message.get("mail", {})
    tags = mail.get("tags", {})
    tenant = (tags.get("tenant") or [None])[0]
    if not tenant or kind not in {"Bounce", "Complaint"}:
        return []
    if kind == "Bounce":
        bounce = message.get("bounce", {})
        recipients = [r["emailAddress"] for r in bounce.get("bouncedRecipients", [])]
        permanent = bounce.get("bounceType") == "Permanent"
        at = bounce.get("timestamp") or mail.get("timestamp")
    else:
        complaint = message.get("complaint", {})
        recipients = [r["emailAddress"] for r in complaint.get("complainedRecipients", [])]
        permanent = True
        at = complaint.get("timestamp") or mail.get("timestamp")
    return [Feedback(tenant_id=tenant, kind=kind, permanent=permanent, recipients=recipients, at=at or utc_now())]


class FeedbackBatchProcessor(SqsRecordProcessor):
    def __init__(self, settings: FeedbackSettings) -> None:
        super().__init__()
        self._settings = settings

    def handle_record(self, record: SQSRecord) -> str:
        try:
            feedback = feedback_of(record.body)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            reason = f"not an SES bounce or complaint notification: {exc}"
            DeadLetterQueue(self._settings.feedback_dead_letter_queue_url).put(record.body, reason)
            logger.error("poison feedback message dead-lettered", extra={"reason": reason})
            return "dead-lettered"
        table = PublishingTable(self._settings.publishing_table)
        for item in feedback:
            pause_rate = table.settings(item.tenant_id).complaint_pause_rate
            stats = apply_feedback(table, item, pause_rate, utc_now())
            logger.info(
                "SES feedback applied",
                extra={"tenant_id": item.tenant_id, "kind": item.kind, "recipients": len(item.recipients)}
                | {"complaint_rate": stats.complaint_rate, "paused": stats.paused_at is not None},
            )
        return f"{len(feedback)} applied"
