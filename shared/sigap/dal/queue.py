"""Sigap's queues: scoring, detection fan-out, alert events and dead letters; ten per SendMessageBatch, each
entry SQS refuses retried with backoff."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.alerting.models import AlertTransition, EvaluationRequest
from sigap.alerting.notifications import DeliveryTask, Timer
from sigap.aws import sqs_client
from sigap.dal.errors import queue_error
from sigap.dal.retry import drain
from sigap.errors import QueueError
from sigap.ingestion.service import message_body
from sigap.models import Mention, utc_now
from sigap.publishing.models import PublicationTask

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef, SendMessageBatchRequestEntryTypeDef

SQS_BATCH = 10


def send_entries(client: SQSClient, queue_url: str, entries: Sequence[SendMessageBatchRequestEntryTypeDef]) -> None:
    """Sends every entry, ten per SendMessageBatch, retrying those SQS refuses; QueueError if some still fail.
    Entry ids must be unique within each ten."""

    def send_batch(
        batch: list[SendMessageBatchRequestEntryTypeDef],
    ) -> list[SendMessageBatchRequestEntryTypeDef] | None:
        try:
            answer = client.send_message_batch(QueueUrl=queue_url, Entries=batch)
        except (ClientError, BotoCoreError) as exc:
            raise queue_error("SendMessageBatch", exc) from exc
        failed = {entry["Id"] for entry in answer.get("Failed", [])}
        return [entry for entry in batch if entry["Id"] in failed] or None

    for start in range(0, len(entries), SQS_BATCH):
        drain(
            send_batch,
            list(entries[start : start + SQS_BATCH]),
            failure=lambda left: QueueError(f"SQS refused {len(left)} message(s); retry"),
        )


def attributes(**values: str | None) -> dict[str, MessageAttributeValueTypeDef]:
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items() if value}


class _Queue:
    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self._url = queue_url
        self._client = client or sqs_client()

    def _send_all(self, messages: Sequence[tuple[str, dict[str, MessageAttributeValueTypeDef]]]) -> None:
        """(body, attributes) pairs, every one sent or a QueueError naming how many SQS would not take."""
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(index % SQS_BATCH), "MessageBody": body, "MessageAttributes": message_attributes}
            for index, (body, message_attributes) in enumerate(messages)
        ]
        send_entries(self._client, self._url, entries)


class ScoringQueue(_Queue):
    def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None:
        self._send_all(
            [
                (message_body(mention), attributes(tenant_id=mention.tenant_id, correlation_id=correlation_id))
                for mention in mentions
            ]
        )


class AlertEventQueue(_Queue):
    """The alert-events queue: every alert transition, for the delivery stage (EventSink port)."""

    def send(self, transitions: Sequence[AlertTransition]) -> None:
        self._send_all(
            [
                (
                    transition.model_dump_json(),
                    attributes(
                        tenant_id=transition.alert.tenant_id,
                        transition=transition.kind.value,
                        severity=transition.alert.severity.value,
                        transition_id=transition.transition_id,
                    ),
                )
                for transition in transitions
            ]
        )


class EvaluationQueue(_Queue):
    """The detection fan-out: one message per tenant per minute."""

    def send(self, requests: Sequence[EvaluationRequest]) -> None:
        self._send_all([(request.model_dump_json(), attributes(tenant_id=request.tenant_id)) for request in requests])


class DeadLetterQueue(_Queue):
    """Puts a message that can never be processed straight into its dead-letter queue, with the reason as a
    message attribute, instead of letting it fail maxReceiveCount times first."""

    def put(self, body: str, reason: str, tenant_id: str | None = None) -> None:
        try:
            self._client.send_message(
                QueueUrl=self._url,
                MessageBody=body,
                MessageAttributes=attributes(reason=reason[:1000], tenant_id=tenant_id),
            )
        except (ClientError, BotoCoreError) as exc:
            raise queue_error("SendMessage to the dead-letter queue", exc) from exc


MAX_SQS_DELAY = 900


class TimerQueue(_Queue):
    """Wake-ups for group flushes and escalation steps, each delayed until it is due (at most 15 minutes at a
    time: a longer wait is re-sent when it arrives early)."""

    def schedule(self, timers: Sequence[Timer], now: datetime) -> None:
        unique = {(timer.kind, timer.owner, timer.key, timer.due_at): timer for timer in timers}
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {
                "Id": str(index % SQS_BATCH),
                "MessageBody": timer.model_dump_json(),
                "DelaySeconds": max(0, min(MAX_SQS_DELAY, math.ceil((timer.due_at - now).total_seconds()))),
                "MessageAttributes": attributes(tenant_id=timer.owner, timer=timer.kind.value),
            }
            for index, timer in enumerate(unique.values())
        ]
        send_entries(self._client, self._url, entries)


class DeliveryQueue(_Queue):
    """One message per (notification, channel); a retry waits its turn on the same queue."""

    def send(self, tasks: Sequence[DeliveryTask]) -> None:
        self._send_all([(task.model_dump_json(), attributes(tenant_id=task.owner)) for task in tasks])

    def later(self, task: DeliveryTask, delay_seconds: float) -> None:
        delay = math.ceil(delay_seconds)
        waiting = task
        if delay > MAX_SQS_DELAY:
            waiting = task.model_copy(update={"not_before": utc_now() + timedelta(seconds=delay)})
        entry: SendMessageBatchRequestEntryTypeDef = {
            "Id": "0",
            "MessageBody": waiting.model_dump_json(),
            "DelaySeconds": max(0, min(MAX_SQS_DELAY, delay)),
            "MessageAttributes": attributes(tenant_id=task.owner),
        }
        send_entries(self._client, self._url, [entry])


class PublicationQueue(_Queue):
    """The steps of publishing a statement version; a retry (or a wait) comes back on the same queue."""

    def send(self, tasks: Sequence[PublicationTask]) -> None:
        self._send_all([(task.model_dump_json(), attributes(tenant_id=task.tenant_id)) for task in tasks])

    def later(self, task: PublicationTask, delay_seconds: float) -> None:
        entry: SendMessageBatchRequestEntryTypeDef = {
            "Id": "0",
            "MessageBody": task.model_dump_json(),
            "DelaySeconds": max(0, min(MAX_SQS_DELAY, math.ceil(delay_seconds))),
            "MessageAttributes": attributes(tenant_id=task.tenant_id),
        }
        send_entries(self._client, self._url, [entry])
