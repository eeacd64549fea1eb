"""The scoring queue: accepted mentions travel from ingestion to scoring as one SQS message each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sigap.aws import sqs_client
from sigap.dal.errors import queue_error
from sigap.errors import QueueError
from sigap.models import Mention

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

SQS_BATCH = 10
MAX_MESSAGE_BYTES = 256 * 1024
_ATTEMPTS = 3


def message_body(mention: Mention) -> str:
    return mention.model_dump_json()


class ScoringQueue:
    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self._url = queue_url
        self._client = client or sqs_client()

    def send(self, mentions: Sequence[Mention], correlation_id: str | None = None) -> None:
        """Sends every mention or raises QueueError; entries SQS refuses are retried before giving up."""
        for start in range(0, len(mentions), SQS_BATCH):
            chunk = mentions[start : start + SQS_BATCH]
            pending: list[SendMessageBatchRequestEntryTypeDef] = [
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
                for index, mention in enumerate(chunk)
            ]
            for _ in range(_ATTEMPTS):
                try:
                    answer = self._client.send_message_batch(QueueUrl=self._url, Entries=pending)
                except (ClientError, BotoCoreError) as exc:
                    raise queue_error("SendMessageBatch", exc) from exc
                failed = {entry["Id"]: entry for entry in answer.get("Failed", [])}
                pending = [entry for entry in pending if entry["Id"] in failed]
                if not pending:
                    break
            if pending:
                raise QueueError(f"SQS refused {len(pending)} message(s) after {_ATTEMPTS} attempts")
