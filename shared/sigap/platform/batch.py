"""The base of every SQS consumer that works on a whole batch before Powertools walks its records.

Powertools' BatchProcessor calls `process()` (public) inside its context manager, after it has set `records`
and before it builds the partial batch response: `before_records` runs first, on the raw records, and
`after_records` last, whatever happened to each record. Consumers never override the processor's private
`_prepare` or `_clean`. Each record still goes through `handle_record`, so its failure is reported alone.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from sigap.platform.observability import logger, metrics
from sigap.platform.side_by_side import side_by_side


class SqsRecordProcessor(BatchProcessor):
    """An SQS consumer: Powertools hands each record to `handle_record`; a failure is reported for that record."""

    def __init__(self) -> None:
        # A batch whose every record failed is reported like any other, not raised: SQS retries those records.
        super().__init__(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    @abstractmethod
    def handle_record(self, record: SQSRecord) -> Any:
        """Does one record's work; raising reports the record as failed (SQS retries it, then its DLQ)."""


class WholeBatchProcessor(SqsRecordProcessor):
    def before_records(self, records: list[dict[str, Any]]) -> None:
        """Work on the whole batch (score it, send it side by side) before its records are handled one by one."""

    def after_records(self) -> None:
        """What follows the batch (best-effort asks), after every record was handled or failed."""

    def process(self) -> list[tuple[Any, ...]]:
        records: list[dict[str, Any]] = self.records
        self.before_records(records)
        try:
            return super().process()
        finally:
            self.after_records()


class SideBySideProcessor[Outcome](WholeBatchProcessor):
    """A consumer whose records are independent and mostly wait on AWS: every record's `work` runs side by side
    (`width` at a time) before the processor walks the records in order, and each record's outcome or failure is
    reported as that record's own. A batch takes about as long as its slowest record, not the sum of them.

    Records that share a lane key run one after another, in the batch's order (say, a tenant's: two evaluations
    of it at once would both send what the first had not yet marked sent); lanes run side by side. A record may
    have several keys (a message asking for several tenants): it joins every lane they name into one.

    `work` runs on worker threads, so it adds no metrics (Powertools' metric set is not thread-safe): `finish`
    does, on the processor's own thread, for each record in turn."""

    width: ClassVar[int] = 10

    def __init__(self) -> None:
        super().__init__()
        self._outcomes: dict[str, Outcome | Exception] = {}

    @abstractmethod
    def work(self, record: SQSRecord) -> Outcome:
        """One record's work (on a worker thread); raising fails that record only (SQS retries it, then its DLQ)."""

    @abstractmethod
    def finish(self, record: SQSRecord, outcome: Outcome) -> str:
        """What the record's work came to, on the processor's thread: its metrics, and what the record reports."""

    def lane_keys(self, record: SQSRecord) -> Iterable[str]:
        """Records sharing a key run one after another; by default every record is a lane of its own."""
        return (record.message_id,)

    def _attempt(self, record: SQSRecord) -> Outcome | Exception:
        try:
            return self.work(record)
        except Exception as exc:  # reported as this record's failure when the processor reaches it
            return exc

    def _attempt_lane(self, lane: list[SQSRecord]) -> list[Outcome | Exception]:
        return [self._attempt(record) for record in lane]

    def before_records(self, records: list[dict[str, Any]]) -> None:
        lanes = lanes_of([SQSRecord(raw) for raw in records], self.lane_keys)
        outcomes = side_by_side(self._attempt_lane, lanes, self.width)
        self._outcomes = {
            record.message_id: outcome
            for lane, done in zip(lanes, outcomes, strict=True)
            for record, outcome in zip(lane, done, strict=True)
        }

    def handle_record(self, record: SQSRecord) -> str:
        outcome = self._outcomes[record.message_id]
        if isinstance(outcome, Exception):
            raise outcome
        return self.finish(record, outcome)


def lanes_of[T](items: Sequence[T], keys_of: Callable[[T], Iterable[str]]) -> list[list[T]]:
    """The items grouped so that items sharing a key are in one group: an item joins (and so merges) every group
    holding one of its keys. Each group keeps the items' order; the groups come in the order of their first item."""
    group_of: dict[str, int] = {}  # a key's group, named by the position of the group's first item
    members: dict[int, list[int]] = {}
    keys_in: dict[int, set[str]] = {}
    for position, item in enumerate(items):
        keys = set(keys_of(item))
        joined = {group_of[key] for key in keys if key in group_of}
        group = min(joined, default=position)
        members.setdefault(group, []).append(position)
        keys_in.setdefault(group, set()).update(keys)
        for other in joined - {group}:
            members[group].extend(members.pop(other))
            keys_in[group].update(keys_in.pop(other))
        group_of.update(dict.fromkeys(keys_in[group], group))
    return [[items[position] for position in sorted(members[group])] for group in sorted(members)]


def sqs_handler(
    make_processor: Callable[[], SqsRecordProcessor],
) -> Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]:
    """A consumer function's Lambda handler: a processor per invocation (its settings parsed once and cached),
    each record through its `handle_record`, and only the failed records reported back to SQS."""

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        processor = make_processor()
        return process_partial_response(
            event=event, context=context, processor=processor, record_handler=processor.handle_record
        )

    return lambda_handler
