"""The publication queue: the steps of publishing a statement version, a retry or a wait on the same queue."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sigap.platform.sqs import MAX_SQS_DELAY, Queue, attributes, send_entries
from sigap.statements.domain.models import PublicationTask, QueuedSubscription

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


class PublicationQueue(Queue):
    """The steps of publishing a statement version; a retry (or a wait) comes back on the same queue."""

    def send(self, tasks: Sequence[PublicationTask]) -> None:
        self._send_all([(task.model_dump_json(), attributes(tenant_id=task.tenant_id)) for task in tasks])

    def subscription(self, queued: QueuedSubscription) -> None:
        self._send_all([(queued.model_dump_json(), attributes(tenant_id=queued.tenant_id))])

    def later(self, task: PublicationTask, delay_seconds: float) -> None:
        entry: SendMessageBatchRequestEntryTypeDef = {
            "Id": "0",
            "MessageBody": task.model_dump_json(),
            "DelaySeconds": max(0, min(MAX_SQS_DELAY, math.ceil(delay_seconds))),
            "MessageAttributes": attributes(tenant_id=task.tenant_id),
        }
        send_entries(self._client, self._url, [entry])
