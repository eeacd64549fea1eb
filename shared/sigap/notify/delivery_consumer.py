"""The delivery function's batch processor: each record is one (notification, channel), sent through
`sigap.notify.domain.delivery`. The batch's sends run side by side on threads, so one slow webhook holds up no
other channel; every record's outcome is its own (a failure fails that record only)."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from sigap.kernel.models import problems_of, utc_now
from sigap.notify.domain.delivery import DeliveryOutcome, DeliveryPorts, DeliveryResult, deliver
from sigap.notify.domain.models import DeliveryTask
from sigap.notify.queues import DeliveryQueue
from sigap.notify.settings import DeliverySettings
from sigap.notify.store import NotificationsTable
from sigap.outbound.domain.retry import parse_schedule
from sigap.outbound.providers import Providers
from sigap.outbound.secrets import ChannelSecrets
from sigap.platform.batch import SideBySideProcessor
from sigap.platform.observability import logger, metrics
from sigap.platform.sqs import DeadLetterQueue

MAX_PARALLEL_SENDS = 10


@lru_cache(maxsize=1)
def delivery_ports(settings: DeliverySettings) -> DeliveryPorts:
    table = NotificationsTable(settings.notifications_table)
    return DeliveryPorts(
        store=table,
        secrets=ChannelSecrets(settings.secrets_prefix),
        senders=Providers(
            settings.email_sender,
            allow_loopback=settings.allow_loopback_receivers,
            email_configuration_set=settings.email_configuration_set,
        ),
        requeue=DeliveryQueue(settings.delivery_queue_url),
        dead_letters=DeadLetterQueue(settings.delivery_dead_letter_queue_url),
        incidents=table,
        schedule=parse_schedule(settings.retry_schedule),
        language_of=lambda tenant_id: table.policy(tenant_id).language,
    )


class DeliveryBatchProcessor(SideBySideProcessor[DeliveryOutcome | None]):
    """Every record's delivery side by side (each mostly waits on a channel's provider)."""

    width = MAX_PARALLEL_SENDS

    def __init__(self, settings: DeliverySettings) -> None:
        super().__init__()
        self._settings = settings

    def work(self, record: SQSRecord) -> DeliveryOutcome | None:
        """The delivery's outcome; None for a message that is no delivery task (dead-lettered)."""
        try:
            task = DeliveryTask.model_validate_json(record.body)
        except ValidationError as exc:
            reason = f"not a delivery task: {problems_of(exc)}"
            DeadLetterQueue(self._settings.delivery_dead_letter_queue_url).put(record.body, reason)
            logger.error("poison delivery message dead-lettered", extra={"reason": reason})
            return None
        context = {
            "tenant_id": task.owner,
            "notification_id": task.notification_id,
            "channel_id": task.channel_id,
        }
        try:
            outcome = deliver(task, delivery_ports(self._settings), utc_now())
        except Exception as exc:
            logger.exception("delivery failed; the record will be retried", extra=context | {"reason": str(exc)})
            raise
        logger.info("delivery handled", extra=context | {"outcome": outcome.detail, "result": outcome.result.value})
        return outcome

    def finish(self, record: SQSRecord, outcome: DeliveryOutcome | None) -> str:
        if outcome is None:
            return "dead-lettered"
        if outcome.result is DeliveryResult.DELIVERED:
            metrics.add_metric(name="NotificationsDelivered", unit="Count", value=1)
        elif outcome.result is DeliveryResult.DEAD_LETTERED:
            metrics.add_metric(name="DeliveriesDeadLettered", unit="Count", value=1)
        return outcome.detail
