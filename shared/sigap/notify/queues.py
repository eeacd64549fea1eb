"""Notification's queues: timers (group flushes, escalation steps) and deliveries, each delayed until due."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sigap.kernel.models import utc_now
from sigap.notify.domain.models import DeliveryTask, Timer
from sigap.platform.sqs import MAX_SQS_DELAY, SQS_BATCH, Queue, attributes, send_entries

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


class TimerQueue(Queue):
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


class DeliveryQueue(Queue):
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
