"""Sending to SQS: ten per SendMessageBatch, each entry SQS refuses retried with backoff; a queue's base and
the dead-letter queue every consumer puts poison into. Each feature's own queues build on `Queue`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.kernel.errors import QueueError
from sigap.platform.aws import sqs_client
from sigap.platform.aws_errors import queue_error
from sigap.platform.retry import drain

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


class Queue:
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


class DelayedQueue(Queue):
    """Sends one message to be delivered after a delay (SQS holds it up to 15 minutes)."""

    def send_later(self, body: str, message_attributes: dict[str, MessageAttributeValueTypeDef], delay: int) -> None:
        try:
            self._client.send_message(
                QueueUrl=self._url,
                MessageBody=body,
                MessageAttributes=message_attributes,
                DelaySeconds=max(0, min(MAX_SQS_DELAY, delay)),
            )
        except (ClientError, BotoCoreError) as exc:
            raise queue_error("SendMessage (delayed)", exc) from exc


class DeadLetterQueue(Queue):
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
