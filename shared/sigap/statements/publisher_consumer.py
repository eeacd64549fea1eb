"""The publisher function's wiring: its batch, one publication step (or one subscription's e-mail) per record, on
the tenant's publisher adapters. A message that can never be handled goes to the dead-letter queue with its reason."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from sigap.kernel.models import problems_of, utc_now
from sigap.platform.batch import SqsRecordProcessor
from sigap.platform.observability import logger, metrics
from sigap.platform.sqs import DeadLetterQueue
from sigap.statements.domain.models import PublicationTask, QueuedSubscription
from sigap.statements.domain.publisher import handle_task
from sigap.statements.domain.publisher_ports import StatementGoneError
from sigap.statements.publisher_adapters import publisher_ports, shared_adapters
from sigap.statements.settings import PublisherSettings
from sigap.statements.subscription_mail import handle_subscription


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
        _, _, table, *_ = shared_adapters(self._settings)
        handle_subscription(queued, table, publisher_ports(self._settings, queued.tenant_id))
        logger.info("subscription handled", extra={"tenant_id": queued.tenant_id})
        return "handled"
