"""Lambda's event sources, re-enacted: SQS polling with batch size, batching window, partial batch responses
and the queue's own visibility timeout and redrive; and rate() schedules."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sigap_tools.local.worker import FunctionPool, InvocationError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger("sigap_tools.local")


def sqs_record(message: MessageTypeDef, queue_arn: str) -> dict[str, Any]:
    attributes = {key: str(value) for key, value in message.get("Attributes", {}).items()}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": None,
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    }


class WorkGate:
    """Lets event sources run side by side, and a snapshot wait until none is in the middle of an invocation
    and hold new ones back while it exports: a snapshot taken between a batch's writes to two tables (a mention
    marked scored in one, counted in another) would restore it half-done, and count it twice."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._active = 0
        self._closed = False

    @contextmanager
    def work(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._active += 1
        try:
            yield
        finally:
            with self._changed:
                self._active -= 1
                self._changed.notify_all()

    @contextmanager
    def quiet(self, timeout: float) -> Iterator[bool]:
        """Holds new work back and waits for work in flight; yields whether it all finished within `timeout`."""
        with self._changed:
            self._closed = True
            finished = self._changed.wait_for(lambda: self._active == 0, timeout)
        try:
            yield finished
        finally:
            with self._changed:
                self._closed = False
                self._changed.notify_all()


class SqsPoller(threading.Thread):
    """One event-source mapping: receives up to BatchSize messages (waiting at most the batching window),
    invokes the function, deletes what succeeded and leaves failures to the queue's visibility timeout."""

    def __init__(
        self,
        sqs: SQSClient,
        pool: FunctionPool,
        *,
        queue_url: str,
        queue_arn: str,
        batch_size: int,
        batching_window: float,
        report_item_failures: bool,
        retry_delay: int | None,
        stop: threading.Event,
        gate: WorkGate | None = None,
    ) -> None:
        super().__init__(name=f"sqs->{pool.runtime.name}", daemon=True)
        self._gate = gate or WorkGate()
        self._sqs, self._pool, self._halt = sqs, pool, stop
        self._url, self._arn = queue_url, queue_arn
        self._batch_size = batch_size
        self._window = batching_window
        self._report_failures = report_item_failures
        self._retry_delay = retry_delay
        self._waiting: list[str] = []  # receipt handles of failed messages waiting out their visibility timeout

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                messages = self._collect()
                if messages:
                    with self._gate.work():
                        self._deliver(messages)
            except Exception:  # the poller must outlive any one bad batch, as Lambda's does
                log.exception("SQS poller for %s failed; polling again", self._pool.runtime.name)
                self._halt.wait(1)

    def _collect(self) -> list[MessageTypeDef]:
        messages: list[MessageTypeDef] = []
        deadline = time.monotonic() + self._window
        while len(messages) < self._batch_size and not self._halt.is_set():
            wait = 1 if not messages else max(0, round(deadline - time.monotonic()))
            answer = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=min(10, self._batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = answer.get("Messages", [])
            messages.extend(received)
            if (not received and messages) or (messages and time.monotonic() >= deadline):
                break
        return messages

    def _deliver(self, messages: list[MessageTypeDef]) -> None:
        event = {"Records": [sqs_record(message, self._arn) for message in messages]}
        started = time.monotonic()
        try:
            result = self._pool.invoke(event)
        except InvocationError as exc:
            log.warning("%s failed the whole batch of %d: %s", self._pool.runtime.name, len(messages), exc)
            self._retry_later(messages)
            return
        log.info(
            "%s handled %d message(s) in %.2f s", self._pool.runtime.name, len(messages), time.monotonic() - started
        )
        failed: set[str] = set()
        if self._report_failures and isinstance(result, dict):
            failed = {item.get("itemIdentifier", "") for item in result.get("batchItemFailures", [])}
        done = [message for message in messages if message["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            answer = self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(done[start : start + 10])
                ],
            )
            for failure in answer.get("Failed", []):
                log.warning("could not delete a handled message from %s: %s", self._url, failure)
        self._retry_later([message for message in messages if message["MessageId"] in failed])

    def _retry_later(self, messages: list[MessageTypeDef]) -> None:
        """Failed messages reappear after the queue's visibility timeout, or sooner when --retry-delay asks."""
        if self._retry_delay is None:
            self._waiting.extend(message["ReceiptHandle"] for message in messages)
            return
        for message in messages:
            self._sqs.change_message_visibility(
                QueueUrl=self._url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=self._retry_delay,
            )

    def release_waiting(self) -> None:
        """Makes failed messages visible again at once (the stack is stopping), so a snapshot can keep them."""
        for handle in self._waiting:
            try:
                self._sqs.change_message_visibility(QueueUrl=self._url, ReceiptHandle=handle, VisibilityTimeout=0)
            except Exception:  # noqa: S112 - a handle whose message was received again since is stale: fine
                continue
        self._waiting.clear()


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int:
    match = _RATE.match(expression.strip())
    if not match:
        raise ValueError(
            f"the local stack runs rate() schedules only, not {expression!r}; use rate(N minutes|hours|days)"
        )
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


def scheduled_event(now: datetime) -> dict[str, Any]:
    """The event EventBridge sends a rate() schedule's target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }


class ScheduleFirer(threading.Thread):
    """Fires a Schedule event like EventBridge: the scheduled-event payload, every rate() period."""

    def __init__(
        self,
        pool: FunctionPool,
        expression: str,
        stop: threading.Event,
        speedup: float = 1.0,
        gate: WorkGate | None = None,
    ) -> None:
        super().__init__(name=f"schedule->{pool.runtime.name}", daemon=True)
        self._pool, self._halt = pool, stop
        self._period = rate_seconds(expression) / speedup
        self._gate = gate or WorkGate()

    def run(self) -> None:
        while not self._halt.wait(self._period):
            try:
                with self._gate.work():
                    self._pool.invoke(scheduled_event(datetime.now(UTC)))
            except InvocationError as exc:
                log.warning("scheduled run of %s failed: %s", self._pool.runtime.name, exc)
