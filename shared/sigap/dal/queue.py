"""The scoring queue: mentions in, ten per SendMessageBatch, each entry SQS refuses retried with backoff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.aws import sqs_client
from sigap.dal.errors import queue_error
from sigap.dal.retry import drain
from sigap.errors import QueueError
from sigap.ingestion.service import message_body
from sigap.models import Mention

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

SQS_BATCH = 10


class ScoringQueue:
    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self._url = queue_url
        self._client = client or sqs_client()

    def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None:
        """Sends every mention or raises QueueError naming how many SQS would not take."""

        def send_batch(
            entries: list[SendMessageBatchRequestEntryTypeDef],
        ) -> list[SendMessageBatchRequestEntryTypeDef] | None:
            try:
                answer = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            except (ClientError, BotoCoreError) as exc:
                raise queue_error("SendMessageBatch", exc) from exc
            failed = {entry["Id"] for entry in answer.get("Failed", [])}
            return [entry for entry in entries if entry["Id"] in failed] or None

        for start in range(0, len(mentions), SQS_BATCH):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {
                    "Id": str(index),
                    "MessageBody": message_body(mention),
                    "MessageAttributes": {
                        "tenant_id": {"DataType": "String", "StringValue": mention.tenant_id},
                        **(
                            {"correlation_id": {"DataType": "String", "StringValue": correlation_id}}
                            if correlation_id
                            else {}
                        ),
                    },
                }
                for index, mention in enumerate(mentions[start : start + SQS_BATCH])
            ]
            drain(send_batch, entries, failure=lambda left: QueueError(f"SQS refused {len(left)} message(s); retry"))
