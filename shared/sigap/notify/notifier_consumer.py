"""The notifier function's batch processor: alert transitions (from the alert-events queue) and timers (group
flushes, escalation steps) through `sigap.notify.domain.notifier`.

A message that can never be handled (not JSON, neither a transition nor a timer) goes to its queue's
dead-letter queue with the reason as an attribute and counts as handled; anything else that fails (storage, a
queue, a race lost too often) fails its record only and SQS retries it. Every step is idempotent, so a retried
or duplicated message changes nothing twice.
"""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from sigap.detection.domain.models import AlertTransition
from sigap.detection.store import AlertsTable
from sigap.kernel.models import problems_of, utc_now
from sigap.notify.domain.links import link_maker
from sigap.notify.domain.models import Timer
from sigap.notify.domain.notifier import handle_timer, handle_transition
from sigap.notify.domain.ports import NotifierPorts
from sigap.notify.queues import DeliveryQueue, TimerQueue
from sigap.notify.settings import NotifierSettings
from sigap.notify.store import NotificationsTable, StoredConfiguration
from sigap.platform.batch import SqsRecordProcessor
from sigap.platform.link_key import link_key
from sigap.platform.observability import logger, metrics
from sigap.platform.sqs import DeadLetterQueue
from sigap.tenants.store import TenantStore


@lru_cache(maxsize=1)
def notifier_ports(settings: NotifierSettings) -> NotifierPorts:
    table = NotificationsTable(settings.notifications_table)
    return NotifierPorts(
        config=StoredConfiguration(table, TenantStore(settings.tenants_table)),
        store=table,
        alerts=AlertsTable(settings.alerts_table),
        timers=TimerQueue(settings.timer_queue_url),
        deliveries=DeliveryQueue(settings.delivery_queue_url),
        links=link_maker(settings.public_api_url, link_key(settings.link_key_secret), utc_now),
        agency=settings.agency_tenant,
    )


@lru_cache(maxsize=2)
def _dead_letters(queue_url: str) -> DeadLetterQueue:
    return DeadLetterQueue(queue_url)


class PoisonMessageError(ValueError):
    """Neither an alert transition nor a timer; retrying cannot help."""


def parse_message(body: str) -> AlertTransition | Timer:
    problems = []
    for model in (AlertTransition, Timer):
        try:
            return model.model_validate_json(body)
        except ValidationError as exc:
            problems.append(f"as {model.__name__}: {problems_of(exc)}")
    raise PoisonMessageError("not an alert transition or a timer (" + "; ".join(problems)[:800] + ")")


class NotifierBatchProcessor(SqsRecordProcessor):
    def __init__(self, settings: NotifierSettings) -> None:
        super().__init__()
        self._settings = settings

    def _dead_letter_url(self, record: SQSRecord) -> str:
        timers = record.event_source_arn.rsplit(":", 1)[-1] == self._settings.timer_queue_url.rsplit("/", 1)[-1]
        return (
            self._settings.timer_dead_letter_queue_url if timers else self._settings.alert_events_dead_letter_queue_url
        )

    def handle_record(self, record: SQSRecord) -> str:
        try:
            message = parse_message(record.body)
        except PoisonMessageError as exc:
            _dead_letters(self._dead_letter_url(record)).put(record.body, str(exc))
            logger.error("poison notifier message dead-lettered", extra={"reason": str(exc)})
            metrics.add_metric(name="PoisonNotifierMessages", unit="Count", value=1)
            return "dead-lettered"
        ports = notifier_ports(self._settings)
        now = utc_now()
        if isinstance(message, AlertTransition):
            context = {"tenant_id": message.alert.tenant_id, "alert_id": message.alert.alert_id}
            try:
                groups = handle_transition(message, ports, now)
            except Exception as exc:
                logger.exception("alert event failed; the record will be retried", extra=context | {"reason": str(exc)})
                raise
            lag = now - message.at
            logger.info(
                f"alert {message.kind.value} routed",
                extra=context | {"groups": groups, "lag_seconds": round(lag.total_seconds(), 3)},
            )
            metrics.add_metric(name="AlertEventsRouted", unit="Count", value=1)
            return f"routed to {len(groups)} group(s)"
        context = {"tenant_id": message.owner, "timer": message.kind.value, "key": message.key}
        try:
            outcome = handle_timer(message, ports, now)
        except Exception as exc:
            logger.exception("timer failed; the record will be retried", extra=context | {"reason": str(exc)})
            raise
        logger.info("timer handled", extra=context | {"outcome": outcome})
        return outcome
